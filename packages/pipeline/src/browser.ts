// `@wasm-runtime/pipeline/browser`: load a built app over `fetch` and start a fresh instance of its
// snapshot per run, in browsers (and any host with `fetch` and WebAssembly). No Node built-in
// anywhere below it (a test walks its import graph). The run itself is the runner's core, the
// same code `runDist` runs under Node; only the loading differs: URLs instead of files, and the
// dist's run-time files in memory instead of host directories.

import { defaultEngineCache, type EngineCache, sha256Hex } from '@wasm-runtime/split';
import {
  checkImports,
  type InputOption,
  MemoryFS,
  type MemoryTree,
  type OutputOption,
  type PreopenSpec,
  WASI,
} from '@wasm-runtime/wasi';
import { DistError, DistHookUnavailableError, DistIntegrityError } from './errors.js';
import { DIST_MANIFEST_FILE, type DistManifest } from './manifest.js';
import type { Recipe } from './recipe/types.js';
import { engineForHost, enginePreview2, type RunResult, runSplitPair } from './run/core.js';
import { isWritable } from './run/sandbox-rules.js';
import { checkDistManifest } from './schema/manifest.js';

export { DistError, DistHookUnavailableError, DistIntegrityError, DistManifestError } from './errors.js';
export type { DistManifest } from './manifest.js';
export type { RunResult } from './run/core.js';

/** A recipe as the browser runner needs it: its post-restore hook. */
export type RecipeHooks = Pick<Recipe, 'postRestore'>;

/** Options of {@link loadDistFromUrl}. */
export interface LoadDistFromUrlOptions {
  /**
   * Check the manifest's sha256 of every file fetched: the engine, the data module, the run-time
   * files (default true). The manifest's schema and sandbox rules are checked either way.
   */
  verify?: boolean;
  /**
   * Where compiled engines are kept by sha256 (default: the page's `defaultEngineCache` of
   * `@wasm-runtime/split`): a second app on the same runtime neither downloads nor compiles its
   * engine again. `null` keeps nothing.
   */
  engineCache?: EngineCache | null;
  /**
   * Let the guest write to the mounts the manifest marks writable. Each run then gets its own
   * in-memory copy of them, so nothing written is seen by the next run. Default false (read-only).
   */
  writableMounts?: boolean;
  /**
   * Recipes whose post-restore hooks this page may run, by the specifier the manifest names
   * (`"@wasm-runtime/ruby"`): the recipe module you imported. Without an entry, the hook's recipe
   * is imported by its specifier (an import map or a bundler must resolve it, and it must load in
   * a browser). A hook in a file the dist names is never run.
   */
  recipes?: Readonly<Record<string, RecipeHooks>>;
  /** The `fetch` to use (default the global one). */
  fetch?: (url: URL) => Promise<Response>;
}

/** A dist loaded by {@link loadDistFromUrl}: compiled, verified, its files in memory. */
export interface FetchedDist {
  /** The dist's base URL (with a trailing `/`). */
  url: string;
  manifest: DistManifest;
  /** The engine, compiled (shared through the engine cache by every app of its runtime). */
  engine: WebAssembly.Module;
  /** The manifest entry of the engine form this host runs. */
  engineFile: { path: string; sha256: string };
  /** The data module, compiled once: every run instantiates it. */
  data: WebAssembly.Module;
  /** The run-time files of each mount that ships them, by guest path. */
  mounts: ReadonlyMap<string, RunTimeMount>;
  /** The recipe's post-restore step, when the manifest names a JavaScript hook. */
  postRestore?: Recipe['postRestore'];
}

/** A mount's files, fetched: shared read-only by every run, or copied per run when writable. */
export interface RunTimeMount {
  tree: MemoryTree;
  writable: boolean;
  /** The read-only file system every run shares (unused when writable). */
  fs: MemoryFS;
}

/** Options of {@link run}. */
export interface BrowserRunOptions {
  /** Arguments after the program name (the guest's `argv[0]` is the app's name). */
  args?: string[];
  /** The guest's whole environment. Default empty. */
  env?: Record<string, string>;
  /** Default `'ignore'` (end of file at once). Content as bytes or `{ text }`, or a callback. */
  stdin?: Exclude<InputOption, 'inherit'>;
  /** Default `'buffer'`: the result holds the bytes. Or a callback, a `WritableStream`, `'ignore'`. */
  stdout?: Exclude<OutputOption, 'inherit'>;
  stderr?: Exclude<OutputOption, 'inherit'>;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The sha256 of bytes as hex: Web Crypto where the page has it (secure contexts), else portable. */
async function sha256(bytes: Uint8Array): Promise<string> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (subtle === undefined) return sha256Hex(bytes);
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const byte of digest) hex += HEX[byte];
  return hex;
}

/** The dist's base URL: `url` itself as a directory, or the directory of its `manifest.json`. */
function distBase(url: string | URL): URL {
  const page = (globalThis as { location?: { href: string } }).location?.href;
  const base = new URL(url, page);
  base.search = '';
  base.hash = '';
  if (base.pathname.endsWith(`/${DIST_MANIFEST_FILE}`)) return new URL('.', base);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return base;
}

/** The URL of a file of the dist; the manifest's checks keep `path` relative and normalized. */
function fileUrl(base: URL, path: string): URL {
  return new URL(path.split('/').map(encodeURIComponent).join('/'), base);
}

// Engines being fetched and compiled, per cache, so two apps loading at once share one download.
const pendingEngines = new WeakMap<EngineCache, Map<string, Promise<WebAssembly.Module>>>();

/**
 * Loads a dist from a URL (its directory, or its `manifest.json`): the manifest, checked as
 * `loadDist` checks it (format, schema, sandbox rules: `DistError`, `DistManifestError`); the
 * engine in the form this browser runs, compiled while it downloads (`compileStreaming`) and
 * cached by sha256 across apps; the data module, compiled once; the run-time files of the mounts
 * that ship them (`files/`), into memory. With `verify` (default) each file must match its
 * sha256 (`DistIntegrityError`). A hook the manifest names must be a recipe's that loads here
 * (`DistHookUnavailableError`). Every failure to fetch is a `DistError` naming the URL.
 */
export async function loadDistFromUrl(
  url: string | URL,
  options: LoadDistFromUrlOptions = {},
): Promise<FetchedDist> {
  const base = distBase(url);
  const where = base.href;
  const verify = options.verify !== false;
  const fetchFile = options.fetch ?? ((u: URL) => fetch(u));
  const get = async (path: string, what: string): Promise<Response> => {
    const at = fileUrl(base, path);
    let response: Response;
    try {
      response = await fetchFile(at);
    } catch (cause) {
      throw new DistError(where, `${what} cannot be fetched from ${at.href}`, { cause });
    }
    if (!response.ok) {
      throw new DistError(
        where,
        `${what} is missing: ${at.href} answered HTTP ${response.status}${path === DIST_MANIFEST_FILE ? ' (build a dist with `wasm-runtime build` and serve its directory)' : ''}`,
      );
    }
    return response;
  };
  const bytesOf = async (response: Response, path: string): Promise<Uint8Array> => {
    try {
      return new Uint8Array(await response.arrayBuffer());
    } catch (cause) {
      throw new DistError(where, `${path} could not be read from ${fileUrl(base, path).href}`, { cause });
    }
  };
  const check = async (
    bytes: Uint8Array,
    file: { path: string; sha256: string; size?: number },
    shown: string,
  ) => {
    if (!verify) return;
    const actual =
      file.size !== undefined && bytes.length !== file.size ? `${bytes.length} bytes` : await sha256(bytes);
    if (actual !== file.sha256) throw new DistIntegrityError(fileUrl(base, shown).href, file.sha256, actual);
  };

  const manifestResponse = await get(DIST_MANIFEST_FILE, DIST_MANIFEST_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(await bytesOf(manifestResponse, DIST_MANIFEST_FILE)));
  } catch (cause) {
    if (cause instanceof DistError) throw cause;
    throw new DistError(where, `${DIST_MANIFEST_FILE} is not valid JSON`, { cause });
  }
  const writableMounts = options.writableMounts === true;
  const manifest = checkDistManifest(where, parsed, { writableMounts });
  const engineFile = engineForHost(where, manifest);
  const cache = options.engineCache === undefined ? defaultEngineCache : options.engineCache;

  const loadEngine = async (): Promise<WebAssembly.Module> => {
    const response = await get(engineFile.path, 'its engine');
    // One download: the stream compiles while its copy is hashed and checked.
    const copy = response.clone();
    const streamed = WebAssembly.compileStreaming(response).then(
      (module) => ({ module }),
      (error: unknown) => ({ error }),
    );
    const bytes = await bytesOf(copy, engineFile.path);
    await check(bytes, engineFile, engineFile.path);
    checkImports(bytes, { name: fileUrl(base, engineFile.path).href });
    const compiled = await streamed;
    if ('module' in compiled) return compiled.module;
    // compileStreaming refuses a response not served as application/wasm: compile the bytes.
    if (!(compiled.error instanceof TypeError)) throw compileError(where, engineFile.path, compiled.error);
    return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>).catch((error: unknown) => {
      throw compileError(where, engineFile.path, error);
    });
  };
  let enginePromise: Promise<WebAssembly.Module>;
  const cached = verify ? cache?.get(engineFile.sha256) : undefined;
  if (cached !== undefined) enginePromise = Promise.resolve(cached);
  else if (cache === null || !verify) enginePromise = loadEngine();
  else {
    let pending = pendingEngines.get(cache);
    if (pending === undefined) {
      pending = new Map();
      pendingEngines.set(cache, pending);
    }
    const sha = engineFile.sha256;
    let engine = pending.get(sha);
    if (engine === undefined) {
      // Cached only once its bytes matched the sha256 it is cached under.
      engine = loadEngine().then(
        (module) => {
          cache.set(sha, module);
          pending.delete(sha);
          return module;
        },
        (error: unknown) => {
          pending.delete(sha);
          throw error;
        },
      );
      pending.set(sha, engine);
    }
    enginePromise = engine;
  }

  const loadData = async (): Promise<WebAssembly.Module> => {
    const file = manifest.files.data;
    const bytes = await bytesOf(await get(file.path, 'its app module'), file.path);
    await check(bytes, file, file.path);
    return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>).catch((error: unknown) => {
      throw compileError(where, file.path, error);
    });
  };

  const loadMounts = async (): Promise<Map<string, RunTimeMount>> => {
    const mounts = new Map<string, RunTimeMount>();
    for (const mount of manifest.mounts) {
      const dir = mount.dir;
      if (dir === null) continue;
      const tree: MemoryTree = {};
      await Promise.all(
        mount.files.map(async (file) => {
          const path = `${dir}/${file.path}`;
          const bytes = await bytesOf(await get(path, `its run-time file ${mount.guest}/${file.path}`), path);
          await check(bytes, file, path);
          addFile(tree, file.path, bytes);
        }),
      );
      const writable = isWritable(mount, { writableMounts });
      mounts.set(mount.guest, {
        tree,
        writable,
        fs: new MemoryFS(writable ? {} : tree, { readOnly: true }),
      });
    }
    return mounts;
  };

  const [engine, data, mounts, postRestore] = await Promise.all([
    enginePromise,
    loadData(),
    loadMounts(),
    loadHook(where, manifest, options.recipes),
  ]);
  return {
    url: where,
    manifest,
    engine,
    engineFile,
    data,
    mounts,
    ...(postRestore === undefined ? {} : { postRestore }),
  };
}

function compileError(where: string, path: string, cause: unknown): DistError {
  return new DistError(where, `${path} is not a WebAssembly module this browser compiles`, { cause });
}

/** Puts `bytes` at the relative `path` (`a/b.txt`) of a `MemoryFS` tree. */
function addFile(tree: MemoryTree, path: string, bytes: Uint8Array): void {
  const parts = path.split('/');
  const name = parts.pop() as string;
  let dir = tree;
  for (const part of parts) {
    const next = dir[part];
    if (next === undefined) dir = dir[part] = {};
    else dir = next as MemoryTree;
  }
  dir[name] = bytes;
}

/** The recipe's hook for a manifest that names one (see `LoadDistFromUrlOptions.recipes`). */
async function loadHook(
  where: string,
  manifest: DistManifest,
  recipes: Readonly<Record<string, RecipeHooks>> | undefined,
): Promise<Recipe['postRestore']> {
  if (!manifest.postRestore.hook) return undefined;
  const spec = manifest.recipe;
  if (spec === null) {
    throw new DistHookUnavailableError(
      where,
      spec,
      'it was built with a recipe object given inline, so nothing names the recipe holding the hook: build it with a recipe package',
    );
  }
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('file:') || /^[a-z]+:/i.test(spec)) {
    throw new DistHookUnavailableError(
      where,
      spec,
      `it is JavaScript in ${spec}, a file the dist names, which the browser runner never runs: publish the recipe as a package and build with it`,
    );
  }
  let recipe = recipes?.[spec];
  if (recipe === undefined) {
    try {
      const mod = (await import(/* @vite-ignore */ spec)) as { recipe?: RecipeHooks; default?: RecipeHooks };
      recipe = mod.recipe ?? mod.default;
    } catch (cause) {
      throw new DistHookUnavailableError(
        where,
        spec,
        `its recipe ${spec} does not load in this browser (not resolvable here, or it imports a Node built-in): ` +
          `import a browser-safe build of it and pass it as recipes: { "${spec}": recipe }`,
        { cause },
      );
    }
  }
  const postRestore = recipe?.postRestore;
  if (postRestore?.hook === undefined) {
    throw new DistHookUnavailableError(
      where,
      spec,
      `the recipe ${spec} given for it has no postRestore.hook`,
    );
  }
  return postRestore;
}

/**
 * Starts a fresh instance of a loaded dist's snapshot and runs it to the end: a new WASI host (the
 * run-time files in memory, read-only unless `writableMounts`), the split pair linked, the
 * recipe's post-restore step (reseeding), then the entry. Resolves to the exit code and, for
 * `'buffer'` outputs (the default), the bytes written to stdout and stderr. A trap propagates as
 * `WebAssembly.RuntimeError`. No instance outlives its run: nothing one run changes is seen by
 * the next.
 */
export async function run(dist: FetchedDist, options: BrowserRunOptions = {}): Promise<RunResult> {
  const { manifest } = dist;
  const preopens: Record<string, PreopenSpec> = {};
  for (const mount of manifest.mounts) {
    const files = dist.mounts.get(mount.guest);
    if (files === undefined) continue;
    preopens[mount.guest] = files.writable
      ? { dir: new MemoryFS(files.tree), readOnly: false }
      : { dir: files.fs, readOnly: true };
  }
  const stdout = options.stdout ?? 'buffer';
  const stderr = options.stderr ?? 'buffer';
  const preview2 = enginePreview2(dist.engine);
  const wasi = new WASI({
    ...(preview2.length === 0 ? {} : { preview2 }),
    args: [manifest.name, ...(options.args ?? [])],
    env: options.env ?? {},
    preopens,
    stdin: options.stdin ?? 'ignore',
    stdout,
    stderr,
    ...(manifest.hostState === null ? {} : { state: manifest.hostState }),
  });
  const exitCode = await runSplitPair(
    {
      where: dist.url,
      manifest,
      engine: dist.engine,
      engineFile: dist.engineFile,
      data: dist.data,
      ...(dist.postRestore === undefined ? {} : { postRestore: dist.postRestore }),
    },
    wasi,
    {
      ...(options.args === undefined ? {} : { args: options.args }),
      ...(options.env === undefined ? {} : { env: options.env }),
    },
  );
  return {
    exitCode,
    ...(stdout === 'buffer' ? { stdout: wasi.stdout } : {}),
    ...(stderr === 'buffer' ? { stderr: wasi.stderr } : {}),
  };
}
