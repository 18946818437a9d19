import { isWasmRuntimeError } from '@wasm-runtime/errors';
import type { HostState, ProcExit, WASI, WASIOptions } from '@wasm-runtime/wasi';
import {
  addFunctions,
  type ConstExpr,
  constExprFor,
  type DataSegment,
  decodeConstExpr,
  type ElementSegment,
  type Export,
  type ExternKind,
  encodeU,
  type FuncType,
  functionName,
  functionType,
  getDataSegments,
  getExports,
  getSection,
  getTable,
  InstructionReader,
  i32Const,
  i64Const,
  indexSpaces,
  MalformedModuleError,
  parseModule,
  refFunc,
  removeStart,
  setDataSegments,
  setExports,
  setNames,
  setSection,
  type Table,
  type ValType,
  v128Const,
  type WasmModule,
  writeModule,
} from '@wasm-runtime/wasm';
import {
  ImportNotProvidedError,
  InitExitError,
  InitTrapError,
  InstantiationError,
  MalformedInputError,
  MissingInitExportError,
  PreinitUsageError,
  UnsnapshottableStateError,
  UnsupportedConstructError,
  type WasmFrame,
} from './errors.js';
import type { MemoryReport, PhaseTimings, PreinitReport, TableReport } from './report.js';
import { DEFAULT_MAX_DATA_SEGMENTS, planMemory } from './segments.js';
import { encodeModuleParts, joinParts, type ModuleParts, OffsetExprs } from './write.js';

/** A module instantiated before the input and provided to it as import module `name`. */
export interface Preload {
  /** Import module name the input uses for it (`--preload name=file`). */
  name: string;
  /** The module: bytes or an already compiled module. */
  module: Uint8Array | WebAssembly.Module;
}

/** Options of {@link preinitialize}: the programmatic form of Wizer's flags. */
export interface PreinitOptions {
  /** Export to call after `_initialize`. Default `wizer-initialize`. */
  initFunc?: string;
  /**
   * Runs init from JS instead of calling the init export (after the start function and
   * `_initialize`): for runtimes whose init takes arguments (a list of strings through the
   * canonical ABI...) or needs the host. It gets the instance's exports (memory, tables,
   * functions) and may be async. Every defined funcref table is then snapshotted, since the host
   * may have set entries. `initFunc` is neither required nor removed.
   */
  initialize?: (exports: WebAssembly.Exports) => void | Promise<void>;
  /** `[dst, src]` pairs: export `src` is renamed to `dst`, replacing any `dst` export. */
  renameFuncs?: ReadonlyArray<readonly [dst: string, src: string]>;
  /** Keep exporting the init function. Default false. (`_initialize` is always removed, as Wizer does.) */
  keepInitFunc?: boolean;
  /** Provide WASI preview1 to init. Default false: a WASI call during init is an error. */
  allowWasi?: boolean;
  /**
   * Options of the WASI host (`@wasm-runtime/wasi`). `deterministic` defaults to `true` here
   * (fixed clocks, seeded randomness); pass `deterministic: false` for the host's real ones.
   */
  wasi?: WASIOptions;
  /** Modules instantiated first and provided as import modules (`--preload`). */
  preloads?: readonly Preload[];
  /**
   * Host imports (JS functions, globals...) by module and name, for the input and the preloads.
   * WASI and preloads take precedence for the module names they provide.
   */
  imports?: Record<string, Record<string, unknown>>;
  /** Bound on the number of data segments the snapshot's memories get. Default 50,000 ({@link DEFAULT_MAX_DATA_SEGMENTS}). */
  maxDataSegments?: number;
  /** Name of the input in messages. Default `the input`. */
  inputName?: string;
}

/** The result of {@link preinitialize}. */
export interface PreinitResult {
  /** The pre-initialized module. */
  module: Uint8Array;
  report: PreinitReport;
  /**
   * The WASI host's state after init (descriptors init left open, deterministic clock and
   * generator positions), to restore with `new WASI({ ...options, state })` when running the
   * snapshot. Undefined when WASI was not allowed.
   */
  wasiState: HostState | undefined;
}

const TABLE_MUTATORS = new Set(['table.set', 'table.grow', 'table.fill', 'table.copy', 'table.init']);

/** Internal export names of the instrumented module. */
interface Instrumentation {
  memories: Map<number, string>;
  globals: Map<number, string>;
  /** v128 globals are read through a generated function returning four i32s. */
  v128Getters: Map<number, string>;
  tables: Map<number, string>;
  funcs: Map<number, string>;
  /** The start function, exported instead of run by instantiation so that WASI has its memory. */
  start: string | undefined;
  /** Bytes appended after the original function bodies (generated getters and probes). */
  appendedCodeBytes: number;
  /** Probes telling whether init dropped a passive segment: they trap on a dropped one. */
  dataProbes: Map<number, string>;
  elemProbes: Map<number, string>;
}

function now(): number {
  return performance.now();
}

/**
 * Pre-initializes a module the way Wizer does: instantiates it (under the WASI host when
 * allowed), runs `_initialize` if exported and then the init export, and returns a module whose
 * memories, globals (and tables, when init could change them) start in the state init left.
 * Deterministic: the same bytes and options give the same output bytes.
 *
 * @throws MissingInitExportError, InitTrapError, InitExitError, ImportNotProvidedError,
 *   UnsupportedConstructError, UnsnapshottableStateError, MalformedInputError, InstantiationError,
 *   PreinitUsageError (all `WasmRuntimeError`s with stable codes), and the WASI host's
 *   `WasiStateError` when its state after init cannot be saved.
 */
export async function preinitialize(bytes: Uint8Array, options: PreinitOptions = {}): Promise<PreinitResult> {
  const { module, report, wasiState } = await preinitializeTo(bytes, options, true);
  return { module: module!, report, wasiState };
}

/**
 * {@link preinitialize}, returning the output as pieces (`parts`), joined into `module` only when
 * `join` is true (the executable writes the pieces straight to the file). @internal
 */
export async function preinitializeTo(
  bytes: Uint8Array,
  options: PreinitOptions,
  join: boolean,
): Promise<{
  parts: ModuleParts;
  module: Uint8Array | undefined;
  report: PreinitReport;
  wasiState: HostState | undefined;
}> {
  const timings: PhaseTimings = {
    parse: 0,
    instrument: 0,
    compile: 0,
    instantiate: 0,
    init: 0,
    snapshot: 0,
    rewrite: 0,
    write: 0,
  };
  const initFunc = options.initFunc ?? 'wizer-initialize';
  const inputName = options.inputName ?? 'the input';
  let t = now();

  const module = parse(bytes, inputName);
  const exports = getExports(module);
  const initExport = exports.find((e) => e.name === initFunc && e.kind === 'func');
  if (initExport === undefined && options.initialize === undefined) {
    throw new MissingInitExportError(
      initFunc,
      exports.filter((e) => e.kind === 'func').map((e) => e.name),
    );
  }
  const initType =
    initExport && options.initialize === undefined ? functionType(module, initExport.index) : undefined;
  if (initType !== undefined && (initType.params.length > 0 || initType.results.length > 0)) {
    throw new PreinitUsageError(
      `the \`${initFunc}\` export does not have type [] -> [] (it takes ${initType.params.length} parameters and returns ${initType.results.length} results): the init function is called with no arguments and its results would be lost; export a wrapper`,
    );
  }
  const warnings: string[] = [];
  for (const [dst, src] of options.renameFuncs ?? []) {
    if (!exports.some((e) => e.name === src)) {
      warnings.push(
        `rename ${dst}=${src} ignored: the module has no \`${src}\` export (Wizer ignores it too)`,
      );
    }
  }
  const analysis = analyze(module, options.initialize !== undefined);
  timings.parse = now() - t;

  t = now();
  const { bytes: instrumented, names } = instrument(module, analysis);
  // V8 reports offsets in the instrumented module: only sections before the function bodies
  // changed, and getters were appended after them.
  const offsetShift = instrumented.length - bytes.length - names.appendedCodeBytes;
  timings.instrument = now() - t;

  t = now();
  // The instrumented copy adds types, functions and tables, and exports the start function:
  // an index out of range or a bad start function in the input could become valid there.
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) {
    const reason = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>).then(
      () => 'invalid',
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    throw new MalformedInputError(inputName, `V8 rejected it: ${reason}`);
  }
  let compiled: WebAssembly.Module;
  try {
    compiled = await WebAssembly.compile(instrumented as Uint8Array<ArrayBuffer>);
  } catch (err) {
    throw new MalformedInputError(inputName, `V8 rejected it: ${(err as Error).message}`, { cause: err });
  }
  timings.compile = now() - t;

  t = now();
  // Loaded only when init gets WASI: a module without it starts ~10 ms sooner.
  const wasiModule = options.allowWasi ? await import('@wasm-runtime/wasi') : undefined;
  const wasi: WASI | undefined = wasiModule
    ? new wasiModule.WASI({
        ...options.wasi,
        deterministic: options.wasi?.deterministic ?? true,
        returnOnExit: false,
        // WASI 0.2 core-ABI imports (the StarlingMonkey engine has them) get the host's too.
        preview2:
          options.wasi?.preview2 ??
          (getSection(module, 'import')?.imports ?? [])
            .map((i) => i.module)
            .filter((m) => m.startsWith('wasi:')),
      })
    : undefined;
  const ProcExitClass: typeof ProcExit | undefined = wasiModule?.ProcExit;
  const frames = (err: unknown) => stackFrames(err, module, offsetShift);
  const imports = await buildImports(module, options.preloads ?? [], wasi, options.imports ?? {});
  let instance: WebAssembly.Instance;
  let exitedWithZero = false;
  const run = (what: string, fn: () => void): void => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 64;
    try {
      fn();
    } catch (err) {
      if (ProcExitClass !== undefined && err instanceof ProcExitClass) {
        if (err.exitCode === 0) {
          exitedWithZero = true;
          return;
        }
        throw new InitExitError(what, err.exitCode, { cause: err });
      }
      if (isWasmRuntimeError(err)) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      throw new InitTrapError(what, reason, frames(err), { cause: err });
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  const runAsync = async (what: string, fn: () => void | Promise<void>): Promise<void> => {
    let pending: Promise<void> | undefined;
    run(what, () => {
      const result = fn();
      if (result instanceof Promise) pending = result;
    });
    if (pending === undefined) return;
    try {
      await pending;
    } catch (err) {
      run(what, () => {
        throw err;
      });
    }
  };
  try {
    instance = await WebAssembly.instantiate(compiled, imports);
  } catch (err) {
    if (isWasmRuntimeError(err)) throw err;
    throw new InstantiationError(inputName, err instanceof Error ? err.message : String(err), { cause: err });
  }
  const ex = instance.exports;
  const memory0 = ex[names.memories.get(0) ?? ''] ?? ex['memory'];
  if (wasi !== undefined && memory0 instanceof WebAssembly.Memory)
    wasi.bindMemory(memory0, ex['cabi_realloc']);
  timings.instantiate = now() - t;

  t = now();
  const startName = names.start;
  if (startName !== undefined) run('start function', () => (ex[startName] as () => void)());
  let ranInitialize = false;
  if (initFunc !== '_initialize' && exports.some((e) => e.name === '_initialize' && e.kind === 'func')) {
    if (!exitedWithZero) {
      ranInitialize = true;
      run('_initialize', () => (ex['_initialize'] as () => void)());
    }
  }
  const hook = options.initialize;
  if (hook !== undefined) {
    if (!exitedWithZero) {
      const visible: Record<string, WebAssembly.ExportValue> = {};
      for (const e of exports) visible[e.name] = ex[e.name]!;
      await runAsync('the initialize callback', () => hook(Object.freeze(visible)));
    }
  } else if (!exitedWithZero) run(initFunc, () => (ex[initFunc] as () => void)());
  timings.init = now() - t;

  t = now();
  const dropped = probeDrops(names, ex, memory0, analysis);
  const snapshot = takeSnapshot(module, analysis, names, ex);
  timings.snapshot = now() - t;

  t = now();
  const rewritten = rewrite(
    module,
    analysis,
    snapshot,
    dropped,
    options,
    options.initialize === undefined ? initFunc : undefined,
  );
  timings.rewrite = now() - t;

  t = now();
  const parts = encodeModuleParts(module);
  const out = join ? joinParts(parts) : undefined;
  timings.write = now() - t;

  const consumed = wasi?.consumed;
  // Host state is saved with the snapshot, or refused with the host's typed error (never lost).
  const wasiState = wasi?.saveState();
  const report: PreinitReport = {
    timings,
    warnings,
    initFunc,
    ranInitialize,
    exitedWithZero,
    memories: rewritten.memories,
    globals: snapshot.globals.size,
    tables: rewritten.tables,
    snapshotNonZeroBytes: rewritten.memories.reduce((n, m) => n + m.nonZeroBytes, 0),
    dataSegments: rewritten.dataSegments,
    inputSize: bytes.length,
    outputSize: parts.size,
    nondeterminism:
      consumed === undefined
        ? undefined
        : {
            randomBytes: consumed.randomBytes,
            randomCalls: consumed.randomCalls,
            clockReads: consumed.clockReads,
            envReads: [...consumed.envReads],
            argsRead: consumed.argsRead,
            stdinBytes: consumed.stdinBytes,
          },
  };
  return { parts, module: out, report, wasiState };
}

function parse(bytes: Uint8Array, inputName: string): WasmModule {
  try {
    return parseModule(bytes);
  } catch (err) {
    if (err instanceof MalformedModuleError)
      throw new MalformedInputError(inputName, err.message, { cause: err });
    throw new MalformedInputError(inputName, (err as Error).message ?? String(err), { cause: err });
  }
}

/** What the module's code can do, found by one scan. */
interface Analysis {
  usesMemoryInit: boolean;
  /** `data.drop` / `elem.drop` appear: passive segments init may have dropped are probed. */
  usesDataDrop: boolean;
  usesElemDrop: boolean;
  /** Where the first `data.drop` is, for messages. */
  firstDataDrop: { funcIndex: number; offset: number } | undefined;
  /** Init could change a table (a table-mutating instruction exists). */
  mutatesTables: boolean;
  /**
   * Functions that can be references: imported, exported, in element segments, global or table
   * initializers (a `ref.func` in code can only name one of these).
   */
  referenceable: Set<number>;
}

function analyze(module: WasmModule, hostInit: boolean): Analysis {
  for (const imp of getSection(module, 'import')?.imports ?? []) {
    const where = `\`${imp.module}::${imp.name}\``;
    if (imp.desc.kind === 'memory') {
      throw new UnsupportedConstructError(
        'imported memory',
        `${where} is imported, so its contents after init belong to another module and cannot be snapshotted; define the memory in the module instead`,
      );
    }
    if (imp.desc.kind === 'table') {
      throw new UnsupportedConstructError(
        'imported table',
        `${where} is imported, so init's changes to it cannot be snapshotted; define the table in the module instead`,
      );
    }
    if (imp.desc.kind === 'global' && imp.desc.type.mutable) {
      throw new UnsupportedConstructError(
        'imported mutable global',
        `${where} is a mutable imported global, so its value after init cannot be snapshotted; define it in the module instead`,
      );
    }
  }
  const analysis: Analysis = {
    usesMemoryInit: false,
    usesDataDrop: false,
    usesElemDrop: false,
    firstDataDrop: undefined,
    mutatesTables: false,
    referenceable: new Set(),
  };
  const spaces = indexSpaces(module);
  for (let i = 0; i < spaces.func.imported; i++) analysis.referenceable.add(i);
  for (const e of getExports(module)) if (e.kind === 'func') analysis.referenceable.add(e.index);
  for (const seg of getSection(module, 'element')?.segments ?? []) {
    for (const f of seg.funcs ?? []) analysis.referenceable.add(f);
    for (const expr of seg.exprs ?? []) addRefFuncs(expr, analysis.referenceable);
  }
  for (const g of getSection(module, 'global')?.globals ?? []) addRefFuncs(g.init, analysis.referenceable);
  for (const t of getSection(module, 'table')?.tables ?? [])
    if (t.init !== undefined) addRefFuncs(t.init, analysis.referenceable);

  // A `ref.func` in code is valid only for a function declared outside code (an element segment, an
  // export, a global's or table's initializer: all added above), so bodies are not searched for it. Each
  // instruction looked for starts with byte 0xfc (then a sub-opcode: memory.init, data.drop,
  // elem.drop, table.init/copy/grow/fill) or 0x26 (table.set, then a table index). A body without
  // such a byte pair has none of them and is not decoded (V8 validates every body); the others are
  // decoded from their start, since the bytes may be immediates.
  const bodies = getSection(module, 'code')?.bodies ?? [];
  const tables = spaces.table.total;
  const scan = (b: number): void => {
    const body = bodies[b]!;
    const source = module.source;
    const base =
      source !== undefined && body.buffer === source.buffer ? body.byteOffset - source.byteOffset : 0;
    r.reset(body, spaces.func.imported + b, base);
    while (r.next()) {
      const op = r.opcode;
      if (op !== 0xfc && op !== 0x26) continue;
      const name = r.name;
      if (name === 'memory.init') analysis.usesMemoryInit = true;
      else if (TABLE_MUTATORS.has(name)) analysis.mutatesTables = true;
      else if (name === 'data.drop') {
        analysis.usesDataDrop = true;
        analysis.firstDataDrop ??= { funcIndex: r.funcIndex, offset: r.offset };
      } else if (name === 'elem.drop') analysis.usesElemDrop = true;
    }
  };
  const r = new InstructionReader();
  r.describe = (i) => {
    const name = functionName(module, i);
    return name === undefined ? '' : ` (${name})`;
  };
  try {
    for (let b = 0; b < bodies.length; b++) {
      const body = bodies[b]!;
      if (hasPair(body, 0xfc, (next) => FC_WANTED[next & 0x7f] === 1)) scan(b);
      else if (tables > 0 && hasPair(body, 0x26, (next) => next >= 0x80 || next < tables)) scan(b);
    }
    if (hostInit) analysis.mutatesTables = true;
  } catch (err) {
    if (err instanceof MalformedModuleError)
      throw new MalformedInputError('the input', err.message, { cause: err });
    throw err;
  }
  return analysis;
}

/** Sub-opcodes after 0xfc that {@link analyze} looks for: 8, 9, 12-15, 17 (low 7 bits). */
const FC_WANTED = (() => {
  const t = new Uint8Array(128);
  for (const sub of [8, 9, 12, 13, 14, 15, 17]) t[sub] = 1;
  return t;
})();

/** Whether `body` holds byte `first` followed by a byte `accept` takes. */
function hasPair(body: Uint8Array, first: number, accept: (next: number) => boolean): boolean {
  for (let i = body.indexOf(first); i >= 0 && i + 1 < body.length; i = body.indexOf(first, i + 1)) {
    if (accept(body[i + 1]!)) return true;
  }
  return false;
}

function addRefFuncs(expr: ConstExpr, into: Set<number>): void {
  for (const ins of decodeExpr(expr)) if (ins.op === 'ref.func') into.add(ins.index);
}

function decodeExpr(expr: ConstExpr): Array<{ op: string; index: number }> {
  return decodeConstExpr(expr).map((i) => ({
    op: i.op,
    index: 'index' in i && typeof i.index === 'number' ? i.index : -1,
  }));
}

/** Adds exports for every defined memory, mutable global and table, and the referenceable functions. */
function instrument(module: WasmModule, analysis: Analysis): { bytes: Uint8Array; names: Instrumentation } {
  const copy: WasmModule = { version: module.version, sections: [...module.sections], source: module.source };
  const spaces = indexSpaces(copy);
  const taken = new Set(getExports(copy).map((e) => e.name));
  const fresh = (base: string): string => {
    let name = `__wasm_runtime_preinit_${base}`;
    for (let k = 1; taken.has(name); k++) name = `__wasm_runtime_preinit_${base}_${k}`;
    taken.add(name);
    return name;
  };
  const names: Instrumentation = {
    memories: new Map(),
    globals: new Map(),
    v128Getters: new Map(),
    tables: new Map(),
    funcs: new Map(),
    start: undefined,
    appendedCodeBytes: 0,
    dataProbes: new Map(),
    elemProbes: new Map(),
  };
  const added: Export[] = [];
  const add = (kind: ExternKind, index: number, base: string, into: Map<number, string>): void => {
    const name = fresh(base);
    added.push({ name, kind, index });
    into.set(index, name);
  };
  for (let i = spaces.memory.imported; i < spaces.memory.total; i++)
    add('memory', i, `memory_${i}`, names.memories);
  const globals = getSection(copy, 'global')?.globals ?? [];
  const v128: number[] = [];
  globals.forEach((g, local) => {
    const index = spaces.global.imported + local;
    if (!g.type.mutable) return;
    if (g.type.valType === 'v128') v128.push(index);
    else add('global', index, `global_${index}`, names.globals);
  });
  if (analysis.mutatesTables) {
    for (let i = spaces.table.imported; i < spaces.table.total; i++)
      add('table', i, `table_${i}`, names.tables);
  }
  const needFuncs =
    analysis.mutatesTables || globals.some((g) => g.type.mutable && isFuncRef(g.type.valType));
  if (needFuncs) {
    for (const f of [...analysis.referenceable].sort((a, b) => a - b))
      add('func', f, `func_${f}`, names.funcs);
  }
  const exporter: Exporter = { fresh, added, names };
  if (v128.length > 0) addV128Getters(copy, v128, exporter);
  if (analysis.usesDataDrop && analysis.usesMemoryInit) addDataProbes(copy, exporter);
  if (analysis.usesElemDrop && analysis.mutatesTables) addElemProbes(copy, exporter);
  const start = removeStart(copy);
  if (start !== undefined) {
    names.start = fresh('start');
    added.push({ name: names.start, kind: 'func', index: start });
  }
  setExports(copy, [...getExports(copy), ...added]);
  return { bytes: writeModule(copy), names };
}

/** What the instrumentation adds exports with: fresh names, the exports so far, the name maps. */
interface Exporter {
  fresh: (base: string) => string;
  added: Export[];
  names: Instrumentation;
}

/**
 * Appends one function of `type` per entry of `bodies` (keyed by the global or segment it serves)
 * after the module's own, reusing an identical type, and exports each as `${base}_${key}`,
 * recorded in `into`. Counts their code bytes, which come after every original body.
 */
function appendExported(
  module: WasmModule,
  type: FuncType,
  bodies: ReadonlyMap<number, number[]>,
  base: string,
  into: Map<number, string>,
  { fresh, added, names }: Exporter,
): void {
  const [first] = addFunctions(
    module,
    [...bodies.values()].map((b) => ({ type, body: Uint8Array.from(b) })),
  );
  let index = first!;
  for (const [key, body] of bodies) {
    names.appendedCodeBytes += encodeU(body.length).length + body.length;
    const name = fresh(`${base}_${key}`);
    added.push({ name, kind: 'func', index: index++ });
    into.set(key, name);
  }
}

/**
 * JS cannot read a v128 global, so each mutable v128 global gets a generated getter returning
 * its four 32-bit lanes (multi-value), appended after the module's own functions.
 */
function addV128Getters(module: WasmModule, globals: number[], exporter: Exporter): void {
  const bodies = new Map<number, number[]>();
  for (const g of globals) {
    const body: number[] = [0x00];
    for (let lane = 0; lane < 4; lane++) body.push(0x23, ...encodeU(g), 0xfd, 0x1b, lane);
    body.push(0x0b);
    bodies.set(g, body);
  }
  const type: FuncType = { kind: 'func', params: [], results: ['i32', 'i32', 'i32', 'i32'] };
  appendExported(module, type, bodies, 'v128', exporter.names.v128Getters, exporter);
}

/**
 * One probe per non-empty passive data segment: `memory.init` of one byte at the given address
 * traps exactly when init dropped the segment (the caller restores the byte).
 */
function addDataProbes(module: WasmModule, exporter: Exporter): void {
  if (indexSpaces(module).memory.total === 0) return;
  const bodies = new Map<number, number[]>();
  getDataSegments(module).forEach((seg, index) => {
    if (seg.mode !== 'passive' || seg.data.length === 0) return;
    bodies.set(index, [
      0x00,
      0x20,
      0x00, // destination: the parameter
      0x41,
      0x00, // source offset 0
      0x41,
      0x01, // one byte
      0xfc,
      0x08,
      ...encodeU(index),
      0x00,
      0x0b,
    ]);
  });
  const type: FuncType = { kind: 'func', params: ['i32'], results: [] };
  appendExported(module, type, bodies, 'data_probe', exporter.names.dataProbes, exporter);
}

/**
 * One probe per non-empty passive element segment: `table.init` of one entry into a private
 * one-slot table (added after the module's own) traps exactly when init dropped the segment.
 */
function addElemProbes(module: WasmModule, exporter: Exporter): void {
  const tables = [...(getSection(module, 'table')?.tables ?? [])];
  const firstTable = indexSpaces(module).table.total;
  const tableFor = new Map<string, number>();
  const bodies = new Map<number, number[]>();
  (getSection(module, 'element')?.segments ?? []).forEach((seg, index) => {
    if (seg.mode !== 'passive' || (seg.funcs?.length ?? seg.exprs?.length ?? 0) === 0) return;
    const key = JSON.stringify(seg.elemType);
    let table = tableFor.get(key);
    if (table === undefined) {
      table = firstTable + tableFor.size;
      tableFor.set(key, table);
      tables.push({ type: { elemType: seg.elemType, min: 1, max: undefined, table64: false } });
    }
    bodies.set(index, [
      0x00,
      0x41,
      0x00,
      0x41,
      0x00,
      0x41,
      0x01,
      0xfc,
      0x0c,
      ...encodeU(index),
      ...encodeU(table),
      0x0b,
    ]);
  });
  if (bodies.size === 0) return;
  setSection(module, { kind: 'table', tables });
  const type: FuncType = { kind: 'func', params: [], results: [] };
  appendExported(module, type, bodies, 'elem_probe', exporter.names.elemProbes, exporter);
}

function isFuncRef(t: ValType): boolean {
  return t === 'funcref' || (typeof t === 'object' && (t.ref === 'func' || typeof t.ref === 'number'));
}

function isRef(t: ValType): boolean {
  return typeof t === 'object' || t.endsWith('ref');
}

/** Imports for the input: WASI (if allowed), preloads, and a typed error for anything else. */
async function buildImports(
  module: WasmModule,
  preloads: readonly Preload[],
  wasi: WASI | undefined,
  host: Record<string, Record<string, unknown>>,
): Promise<WebAssembly.Imports> {
  const provided: Record<string, Record<string, unknown>> = { ...host };
  if (wasi !== undefined) Object.assign(provided, wasi.imports);
  for (const preload of preloads) {
    let compiled: WebAssembly.Module;
    try {
      compiled =
        preload.module instanceof WebAssembly.Module
          ? preload.module
          : await WebAssembly.compile(preload.module as Uint8Array<ArrayBuffer>);
    } catch (err) {
      throw new MalformedInputError(`the preload \`${preload.name}\``, (err as Error).message, {
        cause: err,
      });
    }
    const preloadImports = stubbed(WebAssembly.Module.imports(compiled), provided);
    let inst: WebAssembly.Instance;
    try {
      inst = await WebAssembly.instantiate(compiled, preloadImports);
    } catch (err) {
      if (isWasmRuntimeError(err)) throw err;
      throw new MalformedInputError(`the preload \`${preload.name}\``, (err as Error).message, {
        cause: err,
      });
    }
    provided[preload.name] = inst.exports as Record<string, unknown>;
  }
  const wanted = (getSection(module, 'import')?.imports ?? []).map((i) => ({
    module: i.module,
    name: i.name,
    kind: i.desc.kind as string,
  }));
  return stubbed(wanted, provided);
}

/** The import object for `wanted`: provided values, or for functions a stub that throws a typed error. */
function stubbed(
  wanted: ReadonlyArray<{ module: string; name: string; kind: string }>,
  provided: Record<string, Record<string, unknown>>,
): WebAssembly.Imports {
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const imp of wanted) {
    const value = provided[imp.module]?.[imp.name];
    const ns = imports[imp.module] ?? {};
    imports[imp.module] = ns;
    if (value !== undefined) ns[imp.name] = value as WebAssembly.ImportValue;
    else if (imp.kind === 'function' || imp.kind === 'func') {
      // Like Wizer: a missing import is an error only if init calls it.
      ns[imp.name] = () => {
        throw new ImportNotProvidedError(imp.module, imp.name);
      };
    } else {
      throw new ImportNotProvidedError(imp.module, imp.name);
    }
  }
  return imports;
}

/** Parses V8's stack of a trap into wasm frames of the input module. */
function stackFrames(err: unknown, module: WasmModule, offsetShift: number): WasmFrame[] {
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  const frames: WasmFrame[] = [];
  const exportNames = new Map<number, string>();
  for (const e of getExports(module))
    if (e.kind === 'func' && !exportNames.has(e.index)) exportNames.set(e.index, e.name);
  for (const m of stack.matchAll(/wasm-function\[(\d+)\]:0x([0-9a-f]+)/g)) {
    const funcIndex = Number(m[1]);
    const offset = Number.parseInt(m[2]!, 16) - offsetShift;
    frames.push({ funcIndex, name: functionName(module, funcIndex) ?? exportNames.get(funcIndex), offset });
  }
  return frames;
}

/** Passive segments init dropped, by index. */
interface Dropped {
  data: Set<number>;
  elem: Set<number>;
}

/** Calls the drop probes: a probe traps exactly when its segment was dropped. */
function probeDrops(
  names: Instrumentation,
  ex: WebAssembly.Exports,
  memory: unknown,
  analysis: Analysis,
): Dropped {
  const dropped: Dropped = { data: new Set(), elem: new Set() };
  if (names.dataProbes.size > 0) {
    if (!(memory instanceof WebAssembly.Memory) || memory.buffer.byteLength === 0) {
      throw new UnsupportedConstructError(
        'data.drop',
        'memory 0 is empty after init, so whether init dropped a passive data segment (which a snapshot must not resurrect) cannot be probed',
        analysis.firstDataDrop,
      );
    }
    const saved = new Uint8Array(memory.buffer)[0]!;
    for (const [index, name] of names.dataProbes) {
      try {
        (ex[name] as (dst: number) => void)(0);
      } catch {
        dropped.data.add(index);
      }
    }
    new Uint8Array(memory.buffer)[0] = saved;
  }
  for (const [index, name] of names.elemProbes) {
    try {
      (ex[name] as () => void)();
    } catch {
      dropped.elem.add(index);
    }
  }
  return dropped;
}

/** Everything read out of the instance after init. */
interface Snapshot {
  memories: Map<number, Uint8Array>;
  globals: Map<number, ConstExpr>;
  tables: Map<number, Array<number | null>>;
}

function takeSnapshot(
  module: WasmModule,
  analysis: Analysis,
  names: Instrumentation,
  ex: WebAssembly.Exports,
): Snapshot {
  const snap: Snapshot = { memories: new Map(), globals: new Map(), tables: new Map() };
  for (const [index, name] of names.memories) {
    const mem = ex[name] as WebAssembly.Memory;
    snap.memories.set(index, new Uint8Array(mem.buffer));
  }
  const funcIndex = new Map<unknown, number>();
  for (const [index, name] of names.funcs) funcIndex.set(ex[name], index);
  const refExpr = (value: unknown, what: string, type: ValType): ConstExpr => {
    if (value === null) return constExprFor(type, null);
    if (isFuncRef(type)) {
      const f = funcIndex.get(value);
      if (f !== undefined) return refFunc(f);
      const label = typeof value === 'function' ? ` (${value.name || 'anonymous'})` : '';
      throw new UnsnapshottableStateError(
        `${what} holds a function${label} that is not one of this module's functions or imports (a host function or another instance's function), which no module can express: keep such references out of state set during init`,
      );
    }
    throw new UnsnapshottableStateError(
      `${what} holds a non-null ${typeof type === 'string' ? type : 'reference'} after init, which no module can express: set it after restore instead`,
    );
  };
  const spaces = indexSpaces(module);
  const globals = getSection(module, 'global')?.globals ?? [];
  globals.forEach((g, local) => {
    const index = spaces.global.imported + local;
    if (!g.type.mutable) return;
    const type = g.type.valType;
    const getter = names.v128Getters.get(index);
    if (getter !== undefined) {
      const lanes = (ex[getter] as () => number[])();
      const bytes = new Uint8Array(16);
      const view = new DataView(bytes.buffer);
      for (const [k, v] of lanes.entries()) view.setInt32(k * 4, v, true);
      snap.globals.set(index, v128Const(bytes));
      return;
    }
    const value = (ex[names.globals.get(index)!] as WebAssembly.Global).value as unknown;
    if (isRef(type)) snap.globals.set(index, refExpr(value, `global ${index}`, type));
    else snap.globals.set(index, constExprFor(type, value));
  });
  if (analysis.mutatesTables) {
    for (const [index, name] of names.tables) {
      const table = ex[name] as WebAssembly.Table;
      const entries: Array<number | null> = [];
      const type = getTable(module, index)?.type.elemType ?? 'funcref';
      for (let i = 0; i < table.length; i++) {
        const value = table.get(i) as unknown;
        if (value === null) entries.push(null);
        else {
          const expr = refExpr(value, `table ${index} slot ${i}`, type);
          entries.push(funcIndex.get(value) ?? exprFunc(expr));
        }
      }
      snap.tables.set(index, entries);
    }
  }
  return snap;
}

function exprFunc(expr: ConstExpr): number {
  const [ins] = decodeExpr(expr);
  return ins?.index ?? -1;
}

/** Rewrites `module` in place to start in the snapshot's state. */
function rewrite(
  module: WasmModule,
  analysis: Analysis,
  snap: Snapshot,
  dropped: Dropped,
  options: PreinitOptions,
  initFunc: string | undefined,
): { memories: MemoryReport[]; tables: TableReport[]; dataSegments: number } {
  const spaces = indexSpaces(module);

  // Memories: new minimum = size after init; data = the non-zero bytes.
  const memSec = getSection(module, 'memory');
  const memReports: MemoryReport[] = [];
  const snapshotSegments: DataSegment[] = [];
  const offsets = new OffsetExprs();
  if (memSec !== undefined) {
    const memoryCount = memSec.memories.length;
    const budget = Math.max(
      1,
      Math.floor((options.maxDataSegments ?? DEFAULT_MAX_DATA_SEGMENTS) / Math.max(1, memoryCount)),
    );
    setSection(module, {
      kind: 'memory',
      memories: memSec.memories.map((m, local) => {
        const index = spaces.memory.imported + local;
        const data = snap.memories.get(index)!;
        const pageSize = 2 ** (m.pageSizeLog2 ?? 16);
        const pages = data.length / pageSize;
        const { segments: plan, nonZeroBytes: nonZero } = planMemory(data, {
          memoryIndex: index,
          memory64: m.memory64,
          maxSegments: budget,
        });
        let segmentBytes = 0;
        for (const seg of plan) {
          segmentBytes += seg.bytes.length;
          snapshotSegments.push({
            mode: 'active',
            memory: index,
            offset: offsets.make(seg.offset, m.memory64),
            data: seg.bytes,
          });
        }
        memReports.push({ index, pages, nonZeroBytes: nonZero, segmentBytes, segments: plan.length });
        return { ...m, min: pages };
      }),
    });
  }
  // Data indices stay stable when code refers to them (memory.init): a dropped active segment
  // and an empty passive one behave the same, so old active segments become empty passive ones.
  const old = getDataSegments(module);
  // A passive segment init dropped becomes an empty one too: memory.init traps the same way.
  const kept: DataSegment[] = analysis.usesMemoryInit
    ? old.map((s, i) =>
        s.mode === 'passive' && !dropped.data.has(i)
          ? s
          : { mode: 'passive', memory: 0, data: new Uint8Array(0) },
      )
    : [];
  setDataSegments(module, [...kept, ...snapshotSegments], analysis.usesMemoryInit ? { dataCount: true } : {});

  // Globals: constant initializers for the defined mutable ones.
  const globalSec = getSection(module, 'global');
  if (globalSec !== undefined && snap.globals.size > 0) {
    setSection(module, {
      kind: 'global',
      globals: globalSec.globals.map((g, local) => {
        const init = snap.globals.get(spaces.global.imported + local);
        return init === undefined ? g : { type: g.type, init };
      }),
    });
  }

  const tableReports = analysis.mutatesTables ? rewriteTables(module, snap, dropped) : [];

  removeStart(module);
  // Old segment names would now label snapshot chunks.
  try {
    setNames(
      module,
      tableReports.length > 0 ? { data: new Map(), elements: new Map() } : { data: new Map() },
    );
  } catch (err) {
    // A name section that cannot be read is left as it is: it is metadata.
    if (!(err instanceof MalformedModuleError)) throw err;
  }

  // Exports: drop the init function (unless kept) and, as Wizer does, always `_initialize`,
  // which already ran: calling it again on the snapshot would initialize twice. Then renames.
  let exports = [...getExports(module)].filter((e) => e.name !== '_initialize');
  if (!options.keepInitFunc && initFunc !== undefined) exports = exports.filter((e) => e.name !== initFunc);
  for (const [dst, src] of options.renameFuncs ?? []) {
    const source = getExports(module).find((e) => e.name === src);
    if (source === undefined) continue;
    exports = exports.filter((e) => e.name !== dst && e.name !== src);
    exports.push({ ...source, name: dst });
  }
  setExports(module, exports);
  return { memories: memReports, tables: tableReports, dataSegments: kept.length + snapshotSegments.length };
}

function rewriteTables(module: WasmModule, snap: Snapshot, dropped: Dropped): TableReport[] {
  const spaces = indexSpaces(module);
  const reports: TableReport[] = [];
  const tableSec = getSection(module, 'table');
  const newSegments: ElementSegment[] = [];
  if (tableSec !== undefined) {
    const tables: Table[] = tableSec.tables.map((tbl, local) => {
      const index = spaces.table.imported + local;
      const entries = snap.tables.get(index) ?? [];
      if (tbl.init !== undefined && entries.some((e) => e === null)) {
        throw new UnsupportedConstructError(
          'table with an initializer expression',
          `table ${index} has an initializer and init left null entries in it, which its element segments cannot express`,
        );
      }
      let count = 0;
      let segments = 0;
      for (let i = 0; i < entries.length; ) {
        if (entries[i] === null) {
          i++;
          continue;
        }
        const start = i;
        const funcs: number[] = [];
        while (i < entries.length && entries[i] !== null) funcs.push(entries[i++] as number);
        count += funcs.length;
        segments++;
        newSegments.push({
          mode: 'active',
          table: index,
          offset: tbl.type.table64 ? i64Const(start) : i32Const(start),
          elemType: 'funcref',
          funcs,
        });
      }
      reports.push({ index, size: entries.length, entries: count, segments });
      return { ...tbl, type: { ...tbl.type, min: entries.length } };
    });
    setSection(module, { kind: 'table', tables });
  }
  // Old active segments of snapshotted tables become declarative: their indices (used by
  // table.init) and the declarations ref.func relies on stay; a dropped active segment and a
  // declarative one behave the same.
  const old = getSection(module, 'element')?.segments ?? [];
  const converted: ElementSegment[] = old.map((s, i) => {
    if (s.mode === 'active' && snap.tables.has(s.table)) {
      return { mode: 'declarative', table: 0, elemType: s.elemType, funcs: s.funcs, exprs: s.exprs };
    }
    if (s.mode === 'passive' && dropped.elem.has(i)) {
      // Dropped during init: an empty segment traps in table.init the same way. Its functions
      // stay declared through a declarative copy appended below.
      return {
        mode: 'passive',
        table: 0,
        elemType: s.elemType,
        ...(s.funcs ? { funcs: [] } : { exprs: [] }),
      };
    }
    return s;
  });
  for (const i of dropped.elem) {
    const s = old[i];
    if (s !== undefined) {
      newSegments.push({
        mode: 'declarative',
        table: 0,
        elemType: s.elemType,
        funcs: s.funcs,
        exprs: s.exprs,
      });
    }
  }
  const all = [...converted, ...newSegments];
  if (all.length === 0) return reports;
  setSection(module, { kind: 'element', segments: all });
  return reports;
}
