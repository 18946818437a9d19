import { isWasmRuntimeError } from '@wasm-runtime/errors';
import type { HostState, ProcExit, WASI, WASIOptions } from '@wasm-runtime/wasi';
import {
  functionName,
  functionType,
  getExports,
  getSection,
  MalformedModuleError,
  parseModule,
  type WasmModule,
} from '@wasm-runtime/wasm';
import { analyze } from './analyze.js';
import { checkOutput } from './check-output.js';
import {
  InitExitError,
  InitTrapError,
  InstantiationError,
  MalformedInputError,
  MissingInitExportError,
  PreinitUsageError,
  type WasmFrame,
} from './errors.js';
import { buildImports } from './imports.js';
import { instrument } from './instrument.js';
import type { PhaseTimings, PreinitReport } from './report.js';
import { rewrite } from './rewrite.js';
import { probeDrops, takeSnapshot } from './snapshot.js';
import { encodeModuleParts, joinParts, type ModuleParts } from './write.js';

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
    validate: 0,
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
  // A misspelled or mistyped WASI import would link (V8 accepts any JS function) and misbehave.
  wasiModule?.checkImports(bytes, { name: inputName, refuseUnstable: false });
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

  t = now();
  checkOutput(module, out, inputName);
  timings.validate = now() - t;

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
