import {
  type ConstExpr,
  decodeConstExpr,
  type Export,
  encodeSection,
  type Global,
  getExports,
  getSection,
  type Import,
  indexSpaces,
  type MemoryType,
  parseModule,
  removeCustomSections,
  removeSection,
  type Section,
  scanFunctions,
  setSection,
  structurallyEqual,
  valTypeText,
  type WasmModule,
  writeModule,
} from '@wasm-runtime/wasm';
import { compactSegments } from './compact.js';
import { NotPreinitializedError, TableStateError, UnsplittableError } from './errors.js';
import {
  APP_IMPORT_MODULE,
  engineFileName,
  MANIFEST_FORMAT,
  type ManifestImport,
  type ManifestTables,
  type RuntimeIdentity,
  type SplitManifest,
} from './manifest.js';
import { sha256Hex } from './sha256.js';
import { checkOutputs } from './validate.js';

/** Init exports that mark a module as not yet pre-initialized, unless told otherwise. */
export const DEFAULT_INIT_EXPORTS: readonly string[] = [
  'wizer-initialize',
  'wizer.initialize',
  '_initialize',
];

/** Options of `split`. */
export interface SplitOptions {
  /** Import module name for the app's state; default `wasm-runtime:app` (`APP_IMPORT_MODULE`). */
  importModule?: string;
  /** Identity of the runtime build, copied into the manifest. */
  runtime?: RuntimeIdentity;
  /**
   * The runtime module as it was before pre-initialization. When given, split checks that init
   * left the tables (limits and element segments) unchanged, and throws `TableStateError` if not,
   * so the engine provably does not depend on the app.
   */
  original?: Uint8Array;
  /** Exports whose presence means "not pre-initialized" (default `DEFAULT_INIT_EXPORTS`). */
  initExports?: readonly string[];
  /** Names of custom sections that describe the app, not the runtime: moved to the app module. */
  appCustomSections?: readonly string[];
  /**
   * Drop the zero bytes a fresh memory already holds from the data segments (leading and trailing
   * zeros, and zero runs of 16 bytes or more, which cut a segment in two), unless segments of a
   * memory overlap. Default true. The app module then holds little more than the snapshot's
   * non-zero bytes; `join` gives back an equivalent module rather than the same bytes.
   */
  compactData?: boolean;
}

/** The split pair and its manifest. */
export interface SplitResult {
  /** Code only: imports the memories and the leading globals from `importModule`. */
  engine: Uint8Array;
  /** Data only: defines and exports them with the snapshot's contents. */
  app: Uint8Array;
  manifest: SplitManifest;
}

/** The import (and app export) name of memory `index`. */
export function memoryImportName(index: number): string {
  return index === 0 ? 'memory' : `memory${index}`;
}

/** The import (and app export) name of global `index` (its index in the snapshot's global space). */
export function globalImportName(index: number): string {
  return `global${index}`;
}

/**
 * Splits a pre-initialized snapshot into an engine module, whose bytes depend only on the
 * runtime build, and an app module holding the state (memories with their data, and globals).
 *
 * The engine keeps the code section and every index space unchanged: defined memories become
 * imports in order, and so do the defined globals up to the last mutable one (globals are indexed
 * imports first, so a mutable global cannot become an import without its predecessors; the
 * immutable ones among them are imported as immutable). Immutable globals after the last mutable
 * one stay in the engine. Tables and element segments stay in the engine.
 */
export function split(snapshot: Uint8Array, options: SplitOptions = {}): SplitResult {
  const importModule = options.importModule ?? APP_IMPORT_MODULE;
  const module = parseModule(snapshot);
  checkSplittable(module, importModule, options.initExports ?? DEFAULT_INIT_EXPORTS);

  const importedGlobals = indexSpaces(module).global.imported;
  const memorySection = getSection(module, 'memory');
  const memories = memorySection?.memories ?? [];
  const globals = getSection(module, 'global')?.globals ?? [];
  let lastMutable = -1;
  globals.forEach((g, i) => {
    if (g.type.mutable) lastMutable = i;
  });
  const moved = globals.slice(0, lastMutable + 1);
  const kept = globals.slice(lastMutable + 1);
  moved.forEach((g, i) => {
    checkConstant(g.init, `the init of global ${importedGlobals + i}`);
  });
  const dataSection = getSection(module, 'data');
  for (const [i, seg] of (dataSection?.segments ?? []).entries()) {
    if (seg.mode === 'passive') {
      throw new UnsplittableError(
        'ERR_SPLIT_PASSIVE_DATA',
        `data segment ${i} is passive: it is used by memory.init in the code, so it belongs to neither ` +
          'the snapshot state nor a code-only engine. Link the runtime without passive segments ' +
          '(no shared memory / bulk-memory segment init) to split it',
      );
    }
    checkConstant(seg.offset, `the offset of data segment ${i}`);
  }
  // The spec requires a data count section for memory.init and data.drop, so without one no scan is needed.
  if (getSection(module, 'datacount') !== undefined) {
    const [use] = scanFunctions(module, (r) => r.name === 'memory.init' || r.name === 'data.drop');
    if (use !== undefined) {
      throw new UnsplittableError(
        'ERR_SPLIT_CODE_USES_DATA',
        `function ${use.funcIndex}${use.funcName === undefined ? '' : ` (${use.funcName})`} uses ${use.name} ` +
          `at byte ${use.offset}: the code refers to data segments by index, and a code-only engine has none. ` +
          'Link the runtime so that its code does not initialize memory from segments (no shared memory, no PIC)',
      );
    }
  }
  const tables = tableState(module, options.original);
  const appCustom = new Set(options.appCustomSections ?? []);

  const stateImports: Import[] = [
    ...memories.map((m, i) => ({
      module: importModule,
      name: memoryImportName(i),
      desc: { kind: 'memory' as const, type: engineMemoryType(m) },
    })),
    ...moved.map((g, i) => ({
      module: importModule,
      name: globalImportName(importedGlobals + i),
      desc: { kind: 'global' as const, type: g.type },
    })),
  ];

  const engineModule: WasmModule = { version: module.version, sections: [...module.sections] };
  const imports = getSection(module, 'import');
  if (imports !== undefined || stateImports.length > 0) {
    setSection(engineModule, { kind: 'import', imports: [...(imports?.imports ?? []), ...stateImports] });
  }
  if (kept.length > 0) setSection(engineModule, { kind: 'global', globals: kept });
  else removeSection(engineModule, 'global');
  removeSection(engineModule, 'memory');
  removeSection(engineModule, 'datacount');
  removeSection(engineModule, 'data');
  removeCustomSections(engineModule, (s) => appCustom.has(s.name));

  const appExports: Export[] = [
    ...memories.map((_, i) => ({ name: memoryImportName(i), kind: 'memory' as const, index: i })),
    ...moved.map((_, i) => ({
      name: globalImportName(importedGlobals + i),
      kind: 'global' as const,
      index: i,
    })),
  ];
  const appSections: Section[] = [];
  // The snapshot's own memory and data sections go over unchanged, so join can restore them byte for byte.
  if (memorySection !== undefined) appSections.push(memorySection);
  if (moved.length > 0) appSections.push({ kind: 'global', globals: moved });
  if (appExports.length > 0) appSections.push({ kind: 'export', exports: appExports });
  const dataCount = getSection(module, 'datacount');
  if (dataSection !== undefined) {
    const segments =
      (options.compactData ?? true) ? compactSegments(dataSection.segments) : dataSection.segments;
    const unchanged = segments === dataSection.segments;
    if (dataCount !== undefined) {
      appSections.push(unchanged ? dataCount : { kind: 'datacount', count: segments.length });
    }
    appSections.push(unchanged ? dataSection : { kind: 'data', segments });
  } else if (dataCount !== undefined) {
    appSections.push(dataCount);
  }
  for (const s of module.sections) if (s.kind === 'custom' && appCustom.has(s.name)) appSections.push(s);

  const engine = writeModule(engineModule);
  const app = writeModule({ version: module.version, sections: appSections });
  checkOutputs('split', { 'engine module': engine, 'app module': app }, { snapshot });
  const engineSha256 = sha256Hex(engine);
  const manifest: SplitManifest = {
    format: MANIFEST_FORMAT,
    runtime: options.runtime ?? null,
    importModule,
    engine: { file: engineFileName(engineSha256), sha256: engineSha256 },
    app: { sha256: sha256Hex(app) },
    original: { sha256: sha256Hex(snapshot) },
    imports: manifestImports(memories, moved, importedGlobals),
    sizes: { engine: engine.length, app: app.length, original: snapshot.length },
    tables,
  };
  return { engine, app, manifest };
}

/**
 * The engine imports a memory with minimum 0: the grown size after init is the app's business,
 * and the engine's bytes must not depend on it. Maximum, sharing, index type and page size are
 * the runtime's and stay.
 */
function engineMemoryType(m: MemoryType): MemoryType {
  return { ...m, min: 0 };
}

function checkSplittable(module: WasmModule, importModule: string, initExports: readonly string[]): void {
  const init = getExports(module).find((e) => e.kind === 'func' && initExports.includes(e.name));
  if (init !== undefined) throw new NotPreinitializedError(init.name);
  const start = getSection(module, 'start');
  if (start !== undefined) {
    throw new UnsplittableError(
      'ERR_SPLIT_HAS_START',
      `the module has a start function (function ${start.func}): it would run again in every app ` +
        'instance on top of the snapshot. Pre-initialize with the start function as the init function ' +
        '(the pre-initializer removes it), then split',
    );
  }
  if (getSection(module, 'code') === undefined) {
    throw new UnsplittableError(
      'ERR_SPLIT_NO_CODE',
      'the module has no code section, so there is no engine to share; ship it as it is',
    );
  }
  for (const imp of getSection(module, 'import')?.imports ?? []) {
    const where = `"${imp.module}" "${imp.name}"`;
    if (imp.module === importModule) {
      throw new UnsplittableError(
        'ERR_SPLIT_IMPORT_MODULE_TAKEN',
        `the module already imports ${where} from "${importModule}", the module name split would use for ` +
          'the app state: pass another `importModule`',
      );
    }
    if (imp.desc.kind === 'memory') {
      throw new UnsplittableError(
        'ERR_SPLIT_IMPORTED_MEMORY',
        `the module imports its memory (${where}), so the memory contents are not part of the snapshot; ` +
          'split needs a snapshot that defines its memories (link the runtime without --import-memory)',
      );
    }
    if (imp.desc.kind === 'global' && imp.desc.type.mutable) {
      throw new UnsplittableError(
        'ERR_SPLIT_IMPORTED_MUTABLE_GLOBAL',
        `the module imports the mutable global ${where}, whose value after init is host state the snapshot ` +
          'does not hold; split needs a snapshot that defines its mutable globals',
      );
    }
  }
}

const CONSTANT_OPS = new Set([
  'i32.const',
  'i64.const',
  'f32.const',
  'f64.const',
  'v128.const',
  'ref.null',
  'i32.add',
  'i32.sub',
  'i32.mul',
  'i64.add',
  'i64.sub',
  'i64.mul',
]);

function checkConstant(expr: ConstExpr | undefined, what: string): void {
  if (expr === undefined) return;
  const bad = decodeConstExpr(expr).find((instr) => !CONSTANT_OPS.has(instr.op));
  if (bad !== undefined) {
    throw new UnsplittableError(
      'ERR_SPLIT_NON_CONSTANT_INIT',
      `${what} uses ${bad.op}, but the app module has no imports and no functions, so it can only hold ` +
        'plain constants; a pre-initializer writes constants there (re-run the pre-initializer)',
    );
  }
}

function tableState(module: WasmModule, original: Uint8Array | undefined): ManifestTables | null {
  const tables = getSection(module, 'table')?.tables ?? [];
  const tableCount = indexSpaces(module).table.total;
  const elements = getSection(module, 'element');
  if (tableCount === 0 && elements === undefined) return null;
  let verified = false;
  if (original !== undefined) {
    const runtime = parseModule(original);
    const before = getSection(runtime, 'table')?.tables ?? [];
    if (!structurallyEqual(before, tables)) {
      throw new TableStateError(
        `the table definitions differ from the runtime module's (${before.length} tables before, ${tables.length} after)`,
      );
    }
    const beforeSegments = getSection(runtime, 'element')?.segments ?? [];
    const afterSegments = elements?.segments ?? [];
    if (beforeSegments.length !== afterSegments.length) {
      throw new TableStateError(
        `the snapshot has ${afterSegments.length} element segments, the runtime module ${beforeSegments.length}`,
      );
    }
    const changed = afterSegments.findIndex((seg, i) => !structurallyEqual(seg, beforeSegments[i]));
    if (changed >= 0)
      throw new TableStateError(`element segment ${changed} differs from the runtime module's`);
    verified = true;
  }
  const elementBytes = elements === undefined ? new Uint8Array(0) : encodeSection(elements);
  return {
    count: tableCount,
    elementSegments: elements?.segments.length ?? 0,
    elementsSha256: sha256Hex(elementBytes),
    verifiedAgainstRuntime: verified,
  };
}

function manifestImports(
  memories: readonly MemoryType[],
  moved: readonly Global[],
  importedGlobals: number,
): ManifestImport[] {
  return [
    ...memories.map(
      (m, i): ManifestImport => ({
        kind: 'memory',
        name: memoryImportName(i),
        index: i,
        pages: m.min,
        maxPages: m.max ?? null,
        shared: m.shared,
        memory64: m.memory64,
      }),
    ),
    ...moved.map(
      (g, i): ManifestImport => ({
        kind: 'global',
        name: globalImportName(importedGlobals + i),
        index: importedGlobals + i,
        valType: valTypeText(g.type.valType),
        mutable: g.type.mutable,
      }),
    ),
  ];
}
