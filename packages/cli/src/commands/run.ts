import { stat } from 'node:fs/promises';
import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { checkImports, type InputOption, WASI } from '@wasm-runtime/wasi';
import { BadDirError, GuestTrapError, InvalidModuleError, NotACommandError, UsageError } from '../errors.js';
import { readModuleFile } from './read-module.js';

/** A host directory made visible to the guest under `guest`. */
export interface DirMapping {
  host: string;
  guest: string;
}

/** Options of `wasm-runtime run`, which are also its programmatic API. */
export interface RunOptions {
  /**
   * Path of the WASI command module (`.wasm`), or of a split pair: a `wasm-runtime split --out-dir`
   * directory or its `<name>.split.json`.
   */
  module: string;
  /** Arguments after the module; the guest sees `[module, ...args]` as its argv. */
  args: string[];
  /** Environment the guest sees; nothing from the host environment is passed unless listed. */
  env: Record<string, string>;
  /** Preopened directories. */
  dirs: DirMapping[];
  /**
   * For a dist: preopen the mounts its manifest marks writable as writable (the guest writes into
   * the dist's `files/`). Default false: a dist's mounts are read-only whatever its manifest says.
   */
  writableMounts?: boolean;
  /** For a dist: run a post-restore hook from a JavaScript file the dist names (its own code). */
  trustDistRecipe?: boolean;
  /**
   * Milliseconds the run may take: the guest runs in a worker thread, stopped at the deadline
   * (`ERR_RUN_TIMEOUT`, exit status 142). `--timeout`, Wasmtime's `-W timeout`.
   */
  timeout?: number;
  /**
   * Bytes each memory of the guest may reach (`memory.grow` past it returns -1); a run that then
   * fails near the limit is `ERR_RUN_MEMORY_LIMIT` (exit status 137). `--max-memory`, Wasmtime's
   * `-W max-memory-size`.
   */
  maxMemory?: number;
  /** The guest's stdin; default `'inherit'` (this process's). */
  stdin?: InputOption;
}

/** Checks that every `--dir` names an existing host directory; throws `BadDirError` otherwise. */
export async function checkDirs(dirs: readonly DirMapping[]): Promise<void> {
  for (const dir of dirs) {
    const spec = dir.host === dir.guest ? dir.host : `${dir.host}::${dir.guest}`;
    const st = await stat(dir.host).catch(() => undefined);
    if (!st) {
      // Docker's HOST:GUEST habit: one colon, read here as a single (missing) directory name.
      const colon = dir.host === dir.guest ? dir.host.indexOf(':') : -1;
      const hint =
        colon > 0 && colon < dir.host.length - 1
          ? `; to show a host directory under another guest path write HOST::GUEST with two colons: --dir ${dir.host.slice(0, colon)}::${dir.host.slice(colon + 1)}`
          : '';
      throw new BadDirError(spec, `the host directory ${dir.host} does not exist${hint}`);
    }
    if (!st.isDirectory()) throw new BadDirError(spec, `${dir.host} is not a directory`);
  }
}

/**
 * Runs a WASI command module with stdio inherited from this process, and resolves to the guest's
 * exit code. The module may also be a split pair (a `wasm-runtime split --out-dir` directory or its
 * `<name>.split.json`): the engine linked with its data module runs as the same command. Throws a
 * typed error (see `errors.ts`) when the module or a `--dir` is unusable, or the guest traps.
 */
export async function run(options: RunOptions): Promise<number> {
  const { readSplitPair, splitManifestFor } = await import('./split-pair.js');
  const splitManifest = await splitManifestFor(options.module);
  const what = splitManifest === undefined ? 'a module' : 'a split pair, not a dist';
  if (options.writableMounts === true)
    throw new UsageError(`--writable-mounts applies to a dist directory, and ${options.module} is ${what}`);
  if (options.trustDistRecipe === true)
    throw new UsageError(`--trust-dist-recipe applies to a dist directory, and ${options.module} is ${what}`);
  // The limits' code is loaded only for a bounded run: a plain run starts as fast as before.
  const limits =
    options.timeout === undefined && options.maxMemory === undefined
      ? undefined
      : await import('@wasm-runtime/pipeline/limits');
  limits?.checkLimits(options);
  await checkDirs(options.dirs);
  if (limits !== undefined && options.timeout !== undefined) {
    const { timeout, ...inWorker } = options;
    const inherit = options.stdin === undefined || options.stdin === 'inherit';
    return limits.runInWorker(new URL('./run-worker.js', import.meta.url), inWorker, {
      timeout,
      what: options.module,
      // This thread reads stdin for the worker: a worker blocked reading it could not be stopped.
      stdin: inherit,
    });
  }
  const preopens: Record<string, string> = {};
  for (const dir of options.dirs) preopens[dir.guest] = dir.host;

  const pair = splitManifest === undefined ? undefined : await readSplitPair(splitManifest);
  const modulePath = pair?.enginePath ?? options.module;
  let bytes =
    pair !== undefined ? (pair.engine as Uint8Array<ArrayBuffer>) : await readModuleFile(options.module);
  const { maxMemory } = options;
  let module: WebAssembly.Module;
  let app: Uint8Array | undefined = pair?.app;
  try {
    if (limits !== undefined && maxMemory !== undefined) {
      // A split engine imports its memories from the app module, which is where they are capped.
      if (pair !== undefined) app = limits.limitMemories(pair.app, maxMemory, pair.appPath);
      else bytes = limits.limitMemories(bytes, maxMemory, options.module) as Uint8Array<ArrayBuffer>;
    }
    module = await WebAssembly.compile(bytes);
  } catch (cause) {
    if (isWasmRuntimeError(cause, 'ERR_RUN_LIMIT')) throw cause;
    throw new InvalidModuleError(modulePath, (cause as Error).message, { cause });
  }
  // V8 would link any function to a misspelled or mistyped WASI import: refuse them by name first.
  checkImports(bytes, { name: modulePath });
  checkCommand(modulePath, module, pair?.manifest.importModule);

  const wasi = new WASI({
    args: [options.module, ...options.args],
    env: options.env,
    preopens,
    stdin: options.stdin ?? 'inherit',
    stdout: 'inherit',
    stderr: 'inherit',
    returnOnExit: true,
  });
  let instance: WebAssembly.Instance;
  /** What holds the guest's memories: the instance, or for a pair what the engine imported. */
  let memories: WebAssembly.Exports;
  if (pair === undefined) {
    instance = await WebAssembly.instantiate(module, wasi.imports as WebAssembly.Imports);
    memories = instance.exports;
  } else {
    const { link } = await import('@wasm-runtime/split');
    // The engine's bytes were checked against the manifest's sha256 when the pair was read.
    const linked = await link(module, app ?? pair.app, wasi.imports as WebAssembly.Imports, {
      manifest: pair.manifest,
    });
    instance = linked.instance;
    memories = linked.appExports;
  }
  /** When the guest failed at its memory limit, the error saying so. */
  const atLimit = (ending: string) =>
    limits !== undefined && maxMemory !== undefined
      ? limits.memoryLimitReached(Object.values(memories), maxMemory, options.module, ending)
      : undefined;
  let code: number;
  try {
    code = wasi.start(instance);
  } catch (cause) {
    if (cause instanceof WebAssembly.RuntimeError || cause instanceof RangeError) {
      throw atLimit('trapped') ?? new GuestTrapError(options.module, { cause });
    }
    if (isWasmRuntimeError(cause, 'ERR_WASI_EXIT_STATUS'))
      throw atLimit('exited with an invalid status') ?? cause;
    throw cause;
  }
  if (code !== 0) {
    const error = atLimit(`exited with ${code}`);
    if (error !== undefined) throw error;
  }
  return code;
}

/** A command: `_start` and `memory` exported, only WASI imported (and, for a split engine, its app module). */
function checkCommand(path: string, module: WebAssembly.Module, appModule?: string): void {
  const exports = WebAssembly.Module.exports(module);
  if (!exports.some((e) => e.name === '_start' && e.kind === 'function')) {
    const reactor = exports.some((e) => e.name === '_initialize');
    throw new NotACommandError(
      path,
      reactor
        ? 'it exports `_initialize` but no `_start` (a reactor); call its exports from JavaScript instead'
        : 'it exports no `_start` function',
    );
  }
  if (!exports.some((e) => e.name === 'memory' && e.kind === 'memory')) {
    throw new NotACommandError(path, 'it exports no memory named `memory`');
  }
  const foreign = WebAssembly.Module.imports(module).filter(
    (i) => i.module !== 'wasi_snapshot_preview1' && i.module !== appModule,
  );
  if (foreign.length > 0) {
    const first = foreign[0]!;
    throw new NotACommandError(
      path,
      `it imports ${first.module}.${first.name}${foreign.length > 1 ? ` and ${foreign.length - 1} more` : ''}; run provides only wasi_snapshot_preview1 imports`,
    );
  }
}
