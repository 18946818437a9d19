// The runner's core: one run of a split pair under a WASI host that the caller made. It touches no
// file and imports no Node built-in, so Node (`runDist`), browsers and Workers run apps through the
// same code; only how the manifest, the modules and the files are loaded differs.

import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { type EngineCache, link } from '@wasm-runtime/split';
import { ProcExit, preview2ModuleNames, type WASI } from '@wasm-runtime/wasi';
import { DistError } from '../errors.js';
import type { DistManifest } from '../manifest.js';
import type { Recipe } from '../recipe/types.js';
import { limitMemories, memoryLimitReached } from './limit-rules.js';

/** What a run gives back. */
export interface RunResult {
  /** The guest's exit code: its `proc_exit` code, or an `export` entry's result. */
  exitCode: number;
  /** Everything the guest wrote to stdout, when the run's `stdout` was `'buffer'`. */
  stdout?: Uint8Array;
  /** Everything the guest wrote to stderr, when the run's `stderr` was `'buffer'`. */
  stderr?: Uint8Array;
}

/** A dist's split pair, loaded by whichever host runs it. */
export interface SplitPairToRun {
  /** Names the dist in error messages: its directory, or the URL it was fetched from. */
  where: string;
  manifest: DistManifest;
  /** The engine, compiled or as bytes (then compiled once per sha256 through the engine cache). */
  engine: WebAssembly.Module | Uint8Array;
  /** The manifest entry of the engine form given (the legacy one, or `files.engineExnref`). */
  engineFile: { path: string; sha256: string };
  /** The data module, compiled or as bytes. */
  data: WebAssembly.Module | Uint8Array;
  /** The recipe's post-restore step, for dists whose manifest names a JavaScript hook. */
  postRestore?: Recipe['postRestore'];
}

/** Options of {@link runSplitPair}. */
export interface SplitPairRunOptions {
  /** The run's arguments after the program name, as the recipe's hook sees them. */
  args?: readonly string[];
  env?: Record<string, string>;
  /** The data module's bytes with every memory capped at `maxMemory` (see `limitMemories`). */
  maxMemory?: number;
  engineCache?: EngineCache | null;
}

// The smallest modules using each form of exception handling: one function whose body is
// `try catch_all end` (legacy) or `try_table end` (exnref).
const EH_PROBE_HEAD = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 8, 1, 6, 0];
const LEGACY_EH_PROBE = Uint8Array.from([...EH_PROBE_HEAD, 6, 64, 25, 11, 11]);
const EXNREF_EH_PROBE = Uint8Array.from([...EH_PROBE_HEAD, 31, 64, 0, 11, 11]);

/**
 * Which forms of WebAssembly exception handling this JS host compiles: Node 20's V8 runs only
 * the legacy form, newer V8 both.
 */
export function hostExceptionForms(): { legacy: boolean; exnref: boolean } {
  return {
    legacy: WebAssembly.validate(LEGACY_EH_PROBE),
    exnref: WebAssembly.validate(EXNREF_EH_PROBE),
  };
}

/**
 * The engine entry of a dist for a host compiling `forms` (default: this one): the legacy form
 * where it runs, else the exnref one. Throws `DistError` when the host runs neither.
 */
export function engineForHost(
  where: string,
  manifest: DistManifest,
  forms: { legacy: boolean; exnref: boolean } = hostExceptionForms(),
): { path: string; sha256: string } {
  const engine = manifest.files.engine;
  if (engine.exceptions !== 'legacy' || forms.legacy) return engine;
  const exnref = manifest.files.engineExnref;
  if (forms.exnref && exnref !== undefined) return exnref;
  throw new DistError(
    where,
    `its engine uses legacy exception handling, which this host does not run${exnref === undefined ? ', and it has no exnref form: rebuild it with this version of wasm-runtime' : ', nor the exnref form'}`,
  );
}

// The WASI 0.2 interfaces an engine imports, per engine (a loaded dist keeps its engine).
const preview2Names = new WeakMap<object, readonly string[]>();

/** The WASI 0.2 import modules of an engine, to give to the `WASI` host that runs it. */
export function enginePreview2(engine: WebAssembly.Module | Uint8Array): readonly string[] {
  let names = preview2Names.get(engine);
  if (names === undefined) {
    names = preview2ModuleNames(engine);
    preview2Names.set(engine, names);
  }
  return names;
}

/**
 * The data module with its memories capped at `maxMemory` bytes, compiled when `compile` is true.
 * Throws `RunLimitError` when a memory starts above the cap.
 */
export function cappedDataModule(
  pair: Pick<SplitPairToRun, 'where' | 'manifest'>,
  data: Uint8Array,
  maxMemory: number,
): Uint8Array {
  return limitMemories(data, maxMemory, `the app module ${pair.where}/${pair.manifest.files.data.path}`);
}

/** A split pair linked once: the engine instance and the app's memories and globals it imports. */
export interface LinkedSplitPair {
  instance: WebAssembly.Instance;
  /** The app's memories and globals by import name (what a pool resets between runs). */
  appExports: WebAssembly.Exports;
}

/**
 * Links a split pair with `imports` (a WASI host's `imports`, or functions that forward to the
 * current run's host): the first phase of {@link runSplitPair}, for callers that keep the
 * instance (a pool). Throws `PairMismatchError` when the two modules do not fit.
 */
export async function instantiateSplitPair(
  pair: SplitPairToRun,
  imports: WebAssembly.Imports,
  options: Pick<SplitPairRunOptions, 'engineCache'> = {},
): Promise<LinkedSplitPair> {
  const { manifest } = pair;
  const { instance, appExports } = await link(pair.engine, pair.data, imports, {
    // The split manifest names the engine it wrote; another form of it has its own sha256.
    manifest:
      pair.engineFile.sha256 === manifest.split.engine.sha256
        ? manifest.split
        : { ...manifest.split, engine: { file: pair.engineFile.path, sha256: pair.engineFile.sha256 } },
    ...(options.engineCache === undefined ? {} : { cache: options.engineCache }),
  });
  return { instance, appExports };
}

/**
 * Links a split pair under `wasi`, applies the post-restore step (the manifest's `call` export,
 * then the recipe's hook) and runs the entry. Resolves to the exit code: a `proc_exit` code or an
 * `export` entry's result. A trap propagates as `WebAssembly.RuntimeError`; with `maxMemory`, a
 * failure after a memory reached the cap is a `MemoryLimitError`. The instance is not kept: every
 * call is a fresh start of the snapshot.
 */
export async function runSplitPair(
  pair: SplitPairToRun,
  wasi: WASI,
  options: SplitPairRunOptions = {},
): Promise<number> {
  const linked = await instantiateSplitPair(pair, wasi.imports as WebAssembly.Imports, options);
  return runLinkedPair(pair, linked, wasi, options);
}

/**
 * The second phase of {@link runSplitPair}: on a linked pair whose state is the snapshot's (fresh,
 * or reset to it) and whose WASI imports reach `wasi`, applies the post-restore step and runs the
 * entry. Same result and errors as `runSplitPair`.
 */
export async function runLinkedPair(
  pair: SplitPairToRun,
  linked: LinkedSplitPair,
  wasi: WASI,
  options: SplitPairRunOptions = {},
): Promise<number> {
  const { manifest, where } = pair;
  const { instance, appExports } = linked;
  const exports = instance.exports;
  const { maxMemory } = options;
  /** A failed run's outcome, or the `MemoryLimitError` when its memory had reached the cap. */
  const limited = <T>(outcome: T, failed: boolean, ending: string): T => {
    if (failed && maxMemory !== undefined) {
      const error = memoryLimitReached(Object.values(appExports), maxMemory, `the app in ${where}`, ending);
      if (error !== undefined) throw error;
    }
    return outcome;
  };
  const exited = (code: number): number => (code === 0 ? 0 : limited(code, true, `exited with ${code}`));
  const hook = pair.postRestore?.hook;
  try {
    const call = manifest.postRestore.call;
    if (call !== null || hook !== undefined || manifest.entry.kind === 'export') {
      const memory = exports['memory'];
      if (memory instanceof WebAssembly.Memory) wasi.bindMemory(memory, exports['cabi_realloc']);
    }
    if (call !== null) {
      const fn = exports[call];
      if (typeof fn !== 'function')
        throw new DistError(where, `its post-restore export "${call}" is missing from the engine`);
      (fn as () => unknown)();
    }
    if (hook !== undefined) {
      await hook(instance, { manifest, args: [...(options.args ?? [])], env: options.env ?? {} });
    }
    if (manifest.entry.kind === 'command') return exited(wasi.start(instance));
    const entry = exports[manifest.entry.export];
    if (typeof entry !== 'function')
      throw new DistError(where, `its entry export "${manifest.entry.export}" is missing`);
    /** Calls the entry export with `args` and reads its i32 result as `form` says. */
    const callEntry = (
      args: readonly number[],
      form: 'value' | 'pointer' | undefined,
      what: string,
    ): number => {
      const result = (entry as (...args: number[]) => unknown)(...args);
      if (form !== 'pointer') return typeof result === 'number' ? result : 0;
      const memory = exports['memory'];
      if (typeof result !== 'number' || !(memory instanceof WebAssembly.Memory))
        throw new DistError(
          where,
          `its entry export "${manifest.entry.export}" returned no address of ${what}`,
        );
      return new DataView(memory.buffer).getInt32(result >>> 0, true);
    };
    const args = [...(manifest.entry.args ?? [])];
    if (manifest.entry.input === 'cli') {
      const probe = manifest.entry.stdinProbe;
      let takesStdin = true;
      if (probe !== undefined) {
        takesStdin = callEntry(probe.args, probe.result, 'its stdin probe result') !== 0;
        if (probe.post !== undefined) {
          const post = exports[probe.post];
          if (typeof post !== 'function')
            throw new DistError(where, `its stdin probe's post export "${probe.post}" is missing`);
          (post as (...args: number[]) => unknown)(...(probe.postArgs ?? []));
        }
      }
      const stdin = takesStdin ? await wasi.readStdin() : new Uint8Array(0);
      args.push(lowerCliInput(exports, { args: wasi.args, env: wasi.env, stdin }, where));
    }
    return exited(callEntry(args, manifest.entry.result, 'an exit code'));
  } catch (error) {
    if (error instanceof ProcExit) return exited(error.exitCode);
    const trapped = error instanceof WebAssembly.RuntimeError || error instanceof RangeError;
    const badExit = isWasmRuntimeError(error, 'ERR_WASI_EXIT_STATUS');
    throw limited(error, trapped || badExit, trapped ? 'trapped' : 'exited with an invalid status');
  }
}

/** A run's input as an `input: 'cli'` entry receives it. */
export interface CliInput {
  /** The arguments, the program name first. */
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  stdin: Uint8Array;
}

const utf8 = new TextEncoder();

/**
 * Writes `input` into an instance's memory as the canonical-ABI parameter area of
 * `(arguments: list<string>, environment: list<tuple<string, string>>, stdin: list<u8>)`, every
 * block allocated with its `cabi_realloc`, and returns the area's address: what an `input: 'cli'`
 * entry is called with after its `args`. Throws `DistError` (naming `where`) when the instance
 * exports no `memory` or `cabi_realloc`; a failed allocation traps.
 */
export function lowerCliInput(exports: WebAssembly.Exports, input: CliInput, where: string): number {
  const memory = exports['memory'];
  const realloc = exports['cabi_realloc'];
  if (!(memory instanceof WebAssembly.Memory) || typeof realloc !== 'function')
    throw new DistError(
      where,
      "its entry takes the run's input (input: cli), but the engine exports no memory or no cabi_realloc",
    );
  const alloc = (size: number, align: number): number =>
    size === 0
      ? 0
      : (realloc as (p: number, o: number, a: number, n: number) => number)(0, 0, align, size) >>> 0;
  /** Stores i32 values from `at` on. */
  const words = (at: number, values: readonly number[]): void => {
    const view = new DataView(memory.buffer);
    for (let i = 0; i < values.length; i++) view.setUint32(at + i * 4, values[i]!, true);
  };
  /** Copies bytes into a fresh block: [address, length]. */
  const bytes = (data: Uint8Array): [number, number] => {
    const at = alloc(data.length, 1);
    new Uint8Array(memory.buffer, at, data.length).set(data);
    return [at, data.length];
  };
  /** A list of records of `fields` strings each (a pointer and a length per string): [address, count]. */
  const strings = (rows: readonly (readonly string[])[], fields: number): [number, number] => {
    const lowered = rows.map((row) => row.map((text) => bytes(utf8.encode(text))));
    const at = alloc(rows.length * fields * 8, 4);
    words(at, lowered.flat(2));
    return [at, rows.length];
  };
  const flat = [
    ...strings(
      input.args.map((a) => [a]),
      1,
    ),
    ...strings(Object.entries(input.env), 2),
    ...bytes(input.stdin),
  ];
  const area = alloc(flat.length * 4, 4);
  words(area, flat);
  return area;
}
