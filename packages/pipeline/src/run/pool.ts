// A pool of warm instances of one split pair, reset between runs so that nothing a guest can
// observe differs from a fresh start: every memory copied back from the snapshot's image, every
// mutable global set back, the instance's own WASI host re-armed for the run (`wasi.reset`: the
// engine's imports stay bound to its functions), and the post-restore step run as for a fresh
// start. No Node built-in: the Node convenience over a loaded dist is in pool-dist.ts.

import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { defaultEngineCache, type EngineCache } from '@wasm-runtime/split';
import {
  type FileSystem,
  type InputOption,
  MemoryFS,
  type MemoryTree,
  type OutputOption,
  type PreopenSpec,
  WASI,
  type WASIOptions,
} from '@wasm-runtime/wasi';
import {
  getSection,
  InstructionReader,
  indexSpaces,
  MalformedModuleError,
  parseModule,
  type WasmModule,
} from '@wasm-runtime/wasm';
import { PoolError, PoolResetError } from '../errors.js';
import {
  enginePreview2,
  instantiateSplitPair,
  type LinkedSplitPair,
  type RunResult,
  runLinkedPair,
  type SplitPairToRun,
} from './core.js';

/** Options of {@link createPool}. */
export interface PoolOptions {
  /** Most instances alive at once (runs beyond it wait for one). Default 1. */
  size?: number;
  /** Create all `size` instances before `createPool` resolves, instead of on demand. Default false. */
  eager?: boolean;
  /**
   * After every reset, compare each memory and global with a fresh instance's and throw
   * `PoolResetError` at the first difference (for tests and debugging: it costs a fresh start).
   */
  verify?: boolean;
  /**
   * Directories every run sees, by guest path. They are shared by every run, as a host directory
   * is by fresh starts: what one run writes to a writable one, the next sees.
   */
  preopens?: Record<string, string | FileSystem | PreopenSpec>;
  /** In-memory directories, writable, built afresh from these trees for every run. */
  memoryDirs?: Record<string, MemoryTree>;
  /** Where a compiled engine is cached; default the process-wide cache of `@wasm-runtime/split`. */
  engineCache?: EngineCache | null;
  /** Add up where the time of runs goes in `stats.time` (for benchmarks). Default false. */
  profile?: boolean;
  /**
   * For an engine given compiled, whose code the pool cannot read: the verdict
   * {@link checkEngineForReset} gave on its bytes where they were at hand (at deploy, at build).
   * It must name the engine's sha256 (`pair.engineFile.sha256`), or `createPool` throws
   * `PoolError` (`ERR_POOL_OPTIONS`). Without it such an engine's instances are never reused.
   */
  engineCheck?: EngineResetCheck;
}

/** Whether a pool can reset instances of one engine, as {@link checkEngineForReset} found it. */
export interface EngineResetCheck {
  /** The sha256 (hex) of the engine's bytes. */
  sha256: string;
  /** Why its instances cannot be reset exactly, or null when they can. */
  blocker: { reason: 'tables' | 'engineState'; why: string } | null;
}

/** What one run of a pool sees: as `runDist`'s options. */
export interface PoolRunOptions {
  /** Arguments after the program name (the guest's `argv[0]` is the app's name). */
  args?: string[];
  /** The guest's whole environment. */
  env?: Record<string, string>;
  /** Default `'ignore'`. */
  stdin?: InputOption;
  /** Default `'inherit'` (Node only: elsewhere pass `'buffer'` or a function). */
  stdout?: OutputOption;
  stderr?: OutputOption;
  /**
   * Directories for this run only, by guest path, beside the pool's (a request's own writable
   * copy of a directory, say); a guest path the pool preopens too is this run's.
   */
  preopens?: Record<string, string | FileSystem | PreopenSpec>;
}

/** Why an instance was not put back in the pool after a run. */
export interface PoolDropped {
  /** A memory grew past the snapshot's size (a reset cannot shrink it). */
  grew: number;
  /** The engine's code can change its tables (`table.set`/`grow`/`fill`/`copy`/`init`). */
  tables: number;
  /**
   * Other engine state a reset cannot put back: a mutable global the engine defines itself,
   * `data.drop`/`elem.drop`, or an engine given compiled, whose code cannot be checked.
   */
  engineState: number;
  /** The run ended with an exception other than an exit or a trap (a host error, a failed hook). */
  interrupted: number;
}

/** The pool's counters. */
export interface PoolStats {
  /** Instances created (each a fresh start of the snapshot). */
  created: number;
  /** Runs on an instance that had run before and was reset. */
  reused: number;
  runs: number;
  dropped: PoolDropped;
  /** Instances waiting for a run, and running. */
  idle: number;
  busy: number;
  /**
   * With `profile`: milliseconds spent, over all runs, copying memories back (`copy`), setting
   * globals back (`globals`), re-arming the instance's WASI host for the run (`host`), and in the
   * post-restore step and the entry (`run`).
   */
  time?: { copy: number; globals: number; host: number; run: number };
}

/** A pool of warm instances of one app (see {@link createPool}). */
export interface Pool {
  /** Runs the app on a reset (or new) instance; same result and errors as `runDist`. */
  run(options?: PoolRunOptions): Promise<RunResult>;
  readonly stats: PoolStats;
  /** Why no instance is ever reused (the engine can change state a reset cannot put back), if so. */
  readonly notReusable: string | undefined;
  /** Drops every idle instance; runs after this throw `PoolError` (`ERR_POOL_CLOSED`). */
  close(): void;
}

/** One memory or mutable global of the app as the snapshot has it. */
interface MemoryImage {
  name: string;
  bytes: Uint8Array;
  /** Runs of 64 KiB pages, zero or not: zero runs are filled, the others copied. */
  runs: Array<{ start: number; end: number; zero: boolean }>;
}
interface GlobalImage {
  name: string;
  value: unknown;
}

/** The snapshot's state, read once from a fresh instance of the data module. */
interface Snapshot {
  dataModule: WebAssembly.Module;
  memories: MemoryImage[];
  globals: GlobalImage[];
}

interface Pooled {
  linked: LinkedSplitPair;
  /** The instance's WASI host: the engine imports its functions, and every run re-arms it. */
  wasi: WASI;
  memories: Array<{ memory: WebAssembly.Memory; view: Uint8Array; image: MemoryImage }>;
  globals: Array<{ global: WebAssembly.Global; image: GlobalImage }>;
  runs: number;
}

const PAGE = 65536;

/**
 * A pool of warm instances of a split pair. Each run gets an instance that nothing observable
 * distinguishes from a fresh start: after a run its memories are copied back from the snapshot
 * (zeros included), its mutable globals set back, and its WASI host is re-armed for the next run
 * as a new one would be (file descriptors, in-memory directories, clocks, arguments, environment,
 * stdio) before the post-restore step. An instance whose memory grew, that was interrupted, or
 * whose engine can change state a reset cannot put back (tables) is dropped and replaced by a
 * fresh one (see `stats.dropped`). A trap does not prevent the reset.
 */
export async function createPool(pair: SplitPairToRun, options: PoolOptions = {}): Promise<Pool> {
  const size = options.size ?? 1;
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new PoolError(
      'ERR_POOL_OPTIONS',
      `size must be a whole number of instances, 1 or more; got ${size}`,
    );
  }
  const cache = options.engineCache === undefined ? defaultEngineCache : options.engineCache;
  const engineModule =
    pair.engine instanceof WebAssembly.Module
      ? pair.engine
      : cache === null
        ? await WebAssembly.compile(pair.engine as Uint8Array<ArrayBuffer>)
        : await cache.compile(pair.engine);
  // The engine as compiled, so that linking skips the hash and compile it has just done.
  const linkPair: SplitPairToRun = { ...pair, engine: engineModule };
  checkImports(pair, engineModule);
  const notReusable = resetBlocker(pair, options.engineCheck);
  const snapshot = readSnapshot(pair.data);
  const pool = new InstancePool(linkPair, options, size, notReusable, snapshot);
  if (options.eager === true) await pool.fill();
  return pool;
}

/** Checks that the engine's imports other than the app's are each a function of the WASI host. */
function checkImports(pair: SplitPairToRun, engine: WebAssembly.Module): void {
  const appModule = pair.manifest.split.importModule;
  const hostImports = WebAssembly.Module.imports(engine).filter((i) => i.module !== appModule);
  const probe = new WASI({
    preview2: enginePreview2(pair.engine),
    stdin: 'ignore',
    stdout: 'buffer',
    stderr: 'buffer',
  });
  const host = probe.imports as Record<string, Record<string, unknown> | undefined>;
  for (const i of hostImports) {
    if (i.kind !== 'function' || typeof host[i.module]?.[i.name] !== 'function') {
      throw new PoolError(
        'ERR_POOL_IMPORTS',
        `the engine of ${pair.where} imports ${i.kind} "${i.module}" "${i.name}", which the WASI host does not provide: run it with runDist, which reports what is missing`,
      );
    }
  }
}

const TABLE_MUTATORS = new Set(['table.set', 'table.grow', 'table.fill', 'table.copy', 'table.init']);
const DROPS = new Set(['data.drop', 'elem.drop']);

/** Cached per engine's bytes: why its instances cannot be reset, or null when they can. */
const blockers = new WeakMap<Uint8Array, EngineResetCheck['blocker']>();

/**
 * Whether a pool can reset instances of this engine exactly, read from its bytes: not when its
 * code changes a table or drops a segment, or it has a mutable global of its own (the split
 * imports every other one). A Worker or page that receives the engine compiled gets this verdict
 * from where the bytes were (`wasm-runtime deploy` records it) and passes it as `engineCheck`.
 */
export function checkEngineForReset(engine: Uint8Array, sha256: string): EngineResetCheck {
  let blocker = blockers.get(engine);
  if (blocker === undefined) {
    blocker = readBlocker(engine);
    blockers.set(engine, blocker);
  }
  return { sha256, blocker };
}

function readBlocker(engine: Uint8Array): EngineResetCheck['blocker'] {
  try {
    const module = parseModule(engine);
    if (getSection(module, 'global')?.globals.some((g) => g.type.mutable)) {
      return { reason: 'engineState', why: 'the engine defines a mutable global of its own' };
    }
    const hit = mutatingInstruction(module);
    if (hit === undefined) return null;
    return {
      reason: TABLE_MUTATORS.has(hit.name) ? 'tables' : 'engineState',
      why: `the engine's code has ${hit.name} (function ${hit.funcIndex})`,
    };
  } catch (error) {
    if (!(error instanceof MalformedModuleError)) throw error;
    return { reason: 'engineState', why: 'the engine could not be read' };
  }
}

/** Why instances of the pair's engine cannot be reset exactly, or undefined when they can. */
function resetBlocker(
  pair: SplitPairToRun,
  given: EngineResetCheck | undefined,
): { reason: keyof PoolDropped; why: string } | undefined {
  if (given !== undefined && given.sha256 !== pair.engineFile.sha256) {
    throw new PoolError(
      'ERR_POOL_OPTIONS',
      `engineCheck was made for the engine with sha256 ${given.sha256}, but ${pair.where} runs ${pair.engineFile.path} (${pair.engineFile.sha256}): check the engine that is run`,
    );
  }
  if (!(pair.engine instanceof WebAssembly.Module)) {
    return checkEngineForReset(pair.engine, pair.engineFile.sha256).blocker ?? undefined;
  }
  if (given === undefined) {
    return {
      reason: 'engineState',
      why: 'the engine was given compiled, so its code cannot be checked: pass engineCheck',
    };
  }
  return given.blocker ?? undefined;
}

/**
 * The first instruction that changes a table or drops a segment. Each starts with byte 0xfc or
 * 0x26 (table.set), so a body holding neither byte is not decoded.
 */
function mutatingInstruction(module: WasmModule): { name: string; funcIndex: number } | undefined {
  const bodies = getSection(module, 'code')?.bodies ?? [];
  const imported = indexSpaces(module).func.imported;
  const r = new InstructionReader();
  for (let b = 0; b < bodies.length; b++) {
    const body = bodies[b]!;
    if (body.indexOf(0xfc) < 0 && body.indexOf(0x26) < 0) continue;
    r.reset(body, imported + b, 0);
    while (r.next()) {
      if (r.opcode !== 0xfc && r.opcode !== 0x26) continue;
      const name = r.name;
      if (TABLE_MUTATORS.has(name) || DROPS.has(name)) return { name, funcIndex: imported + b };
    }
  }
  return undefined;
}

/** The snapshot's memories and mutable globals: a fresh instance of the data module, read once. */
function readSnapshot(data: WebAssembly.Module | Uint8Array): Snapshot {
  const dataModule =
    data instanceof WebAssembly.Module ? data : new WebAssembly.Module(data as Uint8Array<ArrayBuffer>);
  const fresh = new WebAssembly.Instance(dataModule, {}).exports;
  const memories: MemoryImage[] = [];
  const globals: GlobalImage[] = [];
  for (const [name, value] of Object.entries(fresh)) {
    if (value instanceof WebAssembly.Memory) {
      const bytes = new Uint8Array(value.buffer).slice();
      memories.push({ name, bytes, runs: pageRuns(bytes) });
    } else if (value instanceof WebAssembly.Global && isMutable(value)) {
      globals.push({ name, value: value.value });
    }
  }
  return { dataModule, memories, globals };
}

function isMutable(global: WebAssembly.Global): boolean {
  try {
    const value: unknown = global.value;
    global.value = value;
    return true;
  } catch {
    return false;
  }
}

/** The image split into runs of whole zero pages and of pages holding data. */
function pageRuns(bytes: Uint8Array): MemoryImage['runs'] {
  const runs: MemoryImage['runs'] = [];
  // A copy of the image is 4-byte aligned (a fresh ArrayBuffer), so words read it whole.
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  for (let start = 0; start < bytes.length; start += PAGE) {
    const end = Math.min(start + PAGE, bytes.length);
    let zero = true;
    for (let w = start >>> 2; w < end >>> 2; w++) {
      if (words[w] !== 0) {
        zero = false;
        break;
      }
    }
    for (let b = (end >>> 2) << 2; zero && b < end; b++) if (bytes[b] !== 0) zero = false;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.zero === zero) last.end = end;
    else runs.push({ start, end, zero });
  }
  return runs;
}

class InstancePool implements Pool {
  readonly #pair: SplitPairToRun;
  readonly #options: PoolOptions;
  readonly #size: number;
  readonly #blocker: { reason: keyof PoolDropped; why: string } | undefined;
  readonly #snapshot: Snapshot;
  readonly #idle: Pooled[] = [];
  readonly #waiting: Array<{ resolve: (p: Pooled) => void; reject: (e: unknown) => void }> = [];
  #alive = 0;
  #closed = false;
  readonly #stats: Omit<PoolStats, 'idle' | 'busy'> = {
    created: 0,
    reused: 0,
    runs: 0,
    dropped: { grew: 0, tables: 0, engineState: 0, interrupted: 0 },
  };
  readonly #time: { copy: number; globals: number; host: number; run: number } | undefined;

  constructor(
    pair: SplitPairToRun,
    options: PoolOptions,
    size: number,
    blocker: { reason: keyof PoolDropped; why: string } | undefined,
    snapshot: Snapshot,
  ) {
    this.#pair = pair;
    this.#options = options;
    this.#size = size;
    this.#blocker = blocker;
    this.#snapshot = snapshot;
    this.#time = options.profile === true ? { copy: 0, globals: 0, host: 0, run: 0 } : undefined;
  }

  get stats(): PoolStats {
    const s = this.#stats;
    return {
      ...s,
      dropped: { ...s.dropped },
      idle: this.#idle.length,
      busy: this.#alive - this.#idle.length,
      ...(this.#time === undefined ? {} : { time: { ...this.#time } }),
    };
  }

  get notReusable(): string | undefined {
    return this.#blocker?.why;
  }

  async fill(): Promise<void> {
    while (this.#alive < this.#size) {
      this.#alive++;
      try {
        this.#idle.push(await this.#create());
      } catch (error) {
        this.#alive--;
        throw error;
      }
    }
  }

  close(): void {
    this.#closed = true;
    this.#alive -= this.#idle.length;
    this.#idle.length = 0;
    for (const w of this.#waiting.splice(0)) w.reject(this.#closedError());
  }

  async run(options: PoolRunOptions = {}): Promise<RunResult> {
    const item = await this.#acquire();
    const time = this.#time;
    let t = time === undefined ? 0 : performance.now();
    const { wasi } = item;
    try {
      // As a new host: the last run's descriptors closed and the table rebuilt, in-memory
      // directories afresh from their trees, this run's directories, arguments, environment and
      // stdio (what a run does not give comes from #hostOptions, not from the last run).
      wasi.reset({
        args: [this.#pair.manifest.name, ...(options.args ?? [])],
        env: options.env ?? {},
        stdin: options.stdin ?? 'ignore',
        stdout: options.stdout ?? 'inherit',
        stderr: options.stderr ?? 'inherit',
        ...(this.#options.memoryDirs === undefined && options.preopens === undefined
          ? {}
          : { preopens: this.#preopens(options.preopens) }),
      });
    } catch (error) {
      // Bad run options: the instance never ran, so it goes back as it came.
      this.#release(item, false, false);
      throw error;
    }
    this.#stats.runs++;
    if (item.runs > 0) this.#stats.reused++;
    item.runs++;
    if (time !== undefined) {
      const now = performance.now();
      time.host += now - t;
      t = now;
    }
    let interrupted = true;
    try {
      // A host that differs from a new one fails the run and is dropped (as interrupted).
      if (this.#options.verify === true) this.#verifyHost(wasi, options);
      const exitCode = await runLinkedPair(this.#pair, item.linked, wasi, {
        ...(options.args === undefined ? {} : { args: options.args }),
        ...(options.env === undefined ? {} : { env: options.env }),
      });
      interrupted = false;
      return {
        exitCode,
        ...(options.stdout === 'buffer' ? { stdout: wasi.stdout } : {}),
        ...(options.stderr === 'buffer' ? { stderr: wasi.stderr } : {}),
      };
    } catch (error) {
      interrupted = !isTrap(error);
      throw error;
    } finally {
      if (time !== undefined) time.run += performance.now() - t;
      // Release the run's open files now, not at the next reset.
      wasi.close();
      this.#release(item, interrupted);
    }
  }

  #preview2(): { preview2?: readonly string[] } {
    const names = enginePreview2(this.#pair.engine);
    return names.length === 0 ? {} : { preview2: names };
  }

  #preopens(forRun: PoolRunOptions['preopens']): Record<string, string | FileSystem | PreopenSpec> {
    const { preopens, memoryDirs } = this.#options;
    if (memoryDirs === undefined && forRun === undefined) return preopens ?? {};
    const all: Record<string, string | FileSystem | PreopenSpec> = { ...preopens };
    for (const [guest, tree] of Object.entries(memoryDirs ?? {})) all[guest] = new MemoryFS(tree);
    return forRun === undefined ? all : Object.assign(all, forRun);
  }

  #closedError(): PoolError {
    return new PoolError('ERR_POOL_CLOSED', `the pool of ${this.#pair.where} is closed: create another one`);
  }

  async #acquire(): Promise<Pooled> {
    if (this.#closed) throw this.#closedError();
    const idle = this.#idle.pop();
    if (idle !== undefined) return idle;
    if (this.#alive < this.#size) {
      this.#alive++;
      try {
        return await this.#create();
      } catch (error) {
        this.#alive--;
        throw error;
      }
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Puts an instance back after its run (reset), or drops it and starts a fresh one for a waiting run. */
  #release(item: Pooled, interrupted: boolean, ran = true): void {
    const reason: keyof PoolDropped | undefined = !ran
      ? undefined
      : interrupted
        ? 'interrupted'
        : item.memories.some((m) => m.memory.buffer.byteLength !== m.image.bytes.length)
          ? 'grew'
          : this.#blocker?.reason;
    let kept: Pooled | undefined = item;
    let failure: unknown;
    if (reason !== undefined) {
      this.#stats.dropped[reason]++;
      kept = undefined;
    } else if (ran) {
      try {
        reset(item, this.#time);
        if (this.#options.verify === true) this.#verify(item);
      } catch (error) {
        kept = undefined;
        failure = error;
      }
    }
    const waiter = this.#closed ? undefined : this.#waiting.shift();
    if (kept !== undefined && waiter !== undefined) waiter.resolve(kept);
    else if (kept !== undefined && !this.#closed) this.#idle.push(kept);
    else if (waiter !== undefined) {
      // The dropped instance's place goes to a fresh one, for the run waiting for it.
      this.#create().then(waiter.resolve, (error: unknown) => {
        this.#alive--;
        waiter.reject(error);
      });
    } else this.#alive--;
    if (failure !== undefined) throw failure;
  }

  /** The WASI host options every run of this app starts from (each run resets the host over them). */
  #hostOptions(): WASIOptions {
    const { manifest } = this.#pair;
    return {
      ...this.#preview2(),
      args: [manifest.name],
      env: {},
      preopens: this.#preopens(undefined),
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'ignore',
      ...(manifest.hostState === null || manifest.hostState === undefined
        ? {}
        : { state: manifest.hostState }),
    };
  }

  /** A fresh instance, linked to a WASI host of its own. */
  async #create(): Promise<Pooled> {
    const wasi = new WASI(this.#hostOptions());
    const linked = await instantiateSplitPair(this.#pair, wasi.imports as WebAssembly.Imports, {
      ...(this.#options.engineCache === undefined ? {} : { engineCache: this.#options.engineCache }),
    });
    this.#stats.created++;
    const memories: Pooled['memories'] = [];
    const globals: Pooled['globals'] = [];
    for (const image of this.#snapshot.memories) {
      const memory = linked.appExports[image.name] as WebAssembly.Memory;
      memories.push({ memory, view: new Uint8Array(memory.buffer), image });
    }
    for (const image of this.#snapshot.globals) {
      globals.push({ global: linked.appExports[image.name] as WebAssembly.Global, image });
    }
    return { linked, wasi, memories, globals, runs: 0 };
  }

  /**
   * Compares a reset host's descriptor table with a new host's for the same run (`verify`); throws
   * at a difference. The host's own tests cover the rest of its state.
   */
  #verifyHost(wasi: WASI, options: PoolRunOptions): void {
    const fresh = new WASI({
      ...this.#hostOptions(),
      preopens: this.#preopens(options.preopens),
      stdin: options.stdin ?? 'ignore',
      stdout: options.stdout ?? 'inherit',
      stderr: options.stderr ?? 'inherit',
    });
    const got = JSON.stringify(wasi.saveState());
    const want = JSON.stringify(fresh.saveState());
    fresh.close();
    if (got !== want) {
      throw new PoolResetError(
        this.#pair.where,
        'the WASI host',
        undefined,
        `descriptors ${got}, fresh ${want}`,
      );
    }
  }

  /** Compares a reset instance with a fresh one of the snapshot; throws at the first difference. */
  #verify(item: Pooled): void {
    const fresh = new WebAssembly.Instance(this.#snapshot.dataModule, {}).exports;
    for (const { memory, image } of item.memories) {
      const want = new Uint8Array((fresh[image.name] as WebAssembly.Memory).buffer);
      const got = new Uint8Array(memory.buffer);
      if (got.length !== want.length) {
        throw new PoolResetError(
          this.#pair.where,
          `memory "${image.name}"`,
          undefined,
          `${got.length} bytes, fresh ${want.length}`,
        );
      }
      const at = firstDifference(got, want);
      if (at >= 0) {
        throw new PoolResetError(
          this.#pair.where,
          `memory "${image.name}"`,
          at,
          `${got[at]}, fresh ${want[at]}`,
        );
      }
    }
    for (const [name, value] of Object.entries(fresh)) {
      if (!(value instanceof WebAssembly.Global)) continue;
      const got = (item.linked.appExports[name] as WebAssembly.Global).value as unknown;
      if (!Object.is(got, value.value)) {
        throw new PoolResetError(
          this.#pair.where,
          `global "${name}"`,
          undefined,
          `${String(got)}, fresh ${String(value.value)}`,
        );
      }
    }
  }
}

/** A failure that leaves nothing a reset cannot rebuild: a trap, a stack overflow, a bad exit status. */
function isTrap(error: unknown): boolean {
  return (
    error instanceof WebAssembly.RuntimeError ||
    error instanceof RangeError ||
    isWasmRuntimeError(error, 'ERR_WASI_EXIT_STATUS')
  );
}

/** Every memory back to the snapshot's image, every mutable global to its value. */
function reset(item: Pooled, time: PoolStats['time']): void {
  const t0 = time === undefined ? 0 : performance.now();
  for (const { view, image } of item.memories) {
    const { bytes } = image;
    for (const run of image.runs) {
      if (run.zero) view.fill(0, run.start, run.end);
      else view.set(bytes.subarray(run.start, run.end), run.start);
    }
  }
  const t1 = time === undefined ? 0 : performance.now();
  for (const { global, image } of item.globals) global.value = image.value;
  if (time !== undefined) {
    time.copy += t1 - t0;
    time.globals += performance.now() - t1;
  }
}

/** The first index where two arrays of equal length differ, or -1. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const words = a.length >>> 2;
    const wa = new Uint32Array(a.buffer, a.byteOffset, words);
    const wb = new Uint32Array(b.buffer, b.byteOffset, words);
    let w = 0;
    while (w < words && wa[w] === wb[w]) w++;
    i = w * 4;
  }
  for (; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
