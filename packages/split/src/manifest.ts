import { SplitManifestError } from './errors.js';
import { sha256Hex } from './sha256.js';

/** The import module name the engine imports the app's state from, unless told otherwise. */
export const APP_IMPORT_MODULE = 'wasm-runtime:app';

/** The `format` value of manifests this version writes and reads. */
export const MANIFEST_FORMAT = 'wasm-runtime-split@1';

/**
 * Who built the engine: whatever identifies the runtime build for the caller (recipe name,
 * version, the runtime module's sha256...). Stored as given; split never reads it.
 */
export type RuntimeIdentity = Readonly<Record<string, string | number | boolean | null>>;

/** One item the engine imports from the app module, with its type. */
export type ManifestImport =
  | {
      readonly kind: 'memory';
      /** The import (and app export) name: `memory`, `memory1`, ... */
      readonly name: string;
      /** The memory's index in the engine (and in the original snapshot). */
      readonly index: number;
      /** Size of the app's memory in pages (the engine imports it with a minimum of 0). */
      readonly pages: number;
      readonly maxPages: number | null;
      readonly shared: boolean;
      readonly memory64: boolean;
    }
  | {
      readonly kind: 'global';
      /** The import name: `global<index>`. */
      readonly name: string;
      /** The global's index in the engine (and in the original snapshot). */
      readonly index: number;
      /** `i32`, `i64`, `f32`, `f64`, `v128`, a reference shorthand, or `(ref null? <heap>)`. */
      readonly valType: string;
      readonly mutable: boolean;
    };

/**
 * The table state the engine carries. Tables and their element segments always stay in the
 * engine (an app module has no functions to reference); `verifiedAgainstRuntime` is true when
 * `split` compared them with the runtime module and found them unchanged by init.
 */
export interface ManifestTables {
  readonly count: number;
  readonly elementSegments: number;
  /** sha256 of the element section's bytes (of the empty string when there is none). */
  readonly elementsSha256: string;
  readonly verifiedAgainstRuntime: boolean;
}

/** What `split` produced: JSON-able, written beside the pair by the build. */
export interface SplitManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly runtime: RuntimeIdentity | null;
  /** The import module name the engine uses for the app's state (the `--preload` name in Wasmtime). */
  readonly importModule: string;
  readonly engine: { readonly file: string; readonly sha256: string };
  readonly app: { readonly sha256: string };
  readonly original: { readonly sha256: string };
  readonly imports: readonly ManifestImport[];
  readonly sizes: { readonly engine: number; readonly app: number; readonly original: number };
  /** The table state, or null when the snapshot has no tables. */
  readonly tables: ManifestTables | null;
}

/** The number of hex digits of the engine's sha256 that its file name carries. */
export const ENGINE_HASH_PREFIX_LENGTH = 16;

/**
 * The content-addressed file name of an engine: `engine-<first 16 hex digits of sha256>.wasm`.
 * Pass the engine's bytes or its full sha256 in hex.
 */
export function engineFileName(engine: Uint8Array | string): string {
  const hash = typeof engine === 'string' ? engine : sha256Hex(engine);
  if (!/^[0-9a-f]{16,64}$/.test(hash)) {
    throw new RangeError(`engineFileName: expected engine bytes or a lowercase hex sha256, got "${hash}"`);
  }
  return `engine-${hash.slice(0, ENGINE_HASH_PREFIX_LENGTH)}.wasm`;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/**
 * Checks the fields of a split manifest that `link` relies on (it may come from a JSON file:
 * untrusted). Throws `SplitManifestError` listing every problem at its field's dot path.
 */
export function checkSplitManifest(value: unknown): asserts value is SplitManifest {
  const issues: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const want = (ok: boolean, path: string, what: string, v: unknown) => {
    if (!ok) issues.push(`${path}: expected ${what}, got ${shown(v)}`);
  };
  if (!isObject(value)) throw new SplitManifestError([`expected an object, got ${shown(value)}`]);
  want(value['format'] === MANIFEST_FORMAT, 'format', JSON.stringify(MANIFEST_FORMAT), value['format']);
  const importModule = value['importModule'];
  want(
    typeof importModule === 'string' && importModule !== '',
    'importModule',
    'a module name',
    importModule,
  );
  const engine = value['engine'];
  if (!isObject(engine)) want(false, 'engine', 'an object { file, sha256 }', engine);
  else {
    want(typeof engine['file'] === 'string', 'engine.file', 'a file name', engine['file']);
    want(
      typeof engine['sha256'] === 'string' && /^[0-9a-f]{64}$/.test(engine['sha256']),
      'engine.sha256',
      'a lowercase hex sha256',
      engine['sha256'],
    );
  }
  const imports = value['imports'];
  if (!Array.isArray(imports)) want(false, 'imports', 'an array', imports);
  else {
    for (const [i, item] of (imports as unknown[]).entries()) {
      if (!isObject(item)) {
        want(false, `imports[${i}]`, 'an object { kind, name, ... }', item);
        continue;
      }
      want(
        item['kind'] === 'memory' || item['kind'] === 'global',
        `imports[${i}].kind`,
        '"memory" or "global"',
        item['kind'],
      );
      want(typeof item['name'] === 'string', `imports[${i}].name`, 'a string', item['name']);
    }
  }
  if (issues.length > 0) throw new SplitManifestError(issues);
}
