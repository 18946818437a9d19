import { Errno } from '../constants.js';
import { ProcExit } from '../errors.js';
import type { FileHandle, FileSystem, Stat } from '../fs/file-system.js';
import type { Prng } from '../prng.js';
import type { Sink, Source } from '../stdio.js';
import { Clock } from './clock.js';

/** One open WASI file descriptor. */
export class Descriptor {
  // Declared with a number first: a field that starts undefined and then holds small integers
  // loses V8's small-integer representation, and fd_fdstat_get reads these four on every call.
  filetype = 0;
  rightsBase = 0;
  rightsInheriting = 0;
  flags = 0;
  sink: Sink | undefined = undefined;
  source: Source | undefined = undefined;
  /** 0, 1 or 2 for a standard stream, -1 otherwise. */
  stdio = -1;
  fs: FileSystem | undefined = undefined;
  /** Guest name of the preopen this descriptor was reached through. */
  mount = '';
  /** Mount-relative path of a directory or file. */
  path = '';
  handle: FileHandle | undefined = undefined;
  position = 0;
  /** Guest name when this descriptor is a preopen (reported by fd_prestat_get). */
  preopen: string | undefined = undefined;
  preopenBytes: Uint8Array | undefined = undefined;
  listing: ListingEntry[] | undefined = undefined;
  /** The file was opened with a write intent. */
  writable = false;

  constructor(filetype: number, rightsBase: number, rightsInheriting: number, flags: number) {
    this.filetype = filetype;
    this.rightsBase = rightsBase;
    this.rightsInheriting = rightsInheriting;
    this.flags = flags;
  }
}

/** One entry of a directory listing as fd_readdir returns it. */
export interface ListingEntry {
  name: Uint8Array;
  ino: bigint;
  filetype: number;
}

/** What the host tells the guest and how it measures time and randomness. */
export interface HostConfig {
  args: Uint8Array[];
  env: Uint8Array[];
  envNames: string[];
  fds: (Descriptor | undefined)[];
  deterministic: Deterministic | undefined;
}

/** Deterministic mode: where the clocks start, how far each read moves them, the generator. */
export interface Deterministic {
  startTime: bigint;
  step: bigint;
  prng: Prng;
}

/** Nondeterministic inputs the guest consumed. */
export interface Consumed {
  /** Bytes drawn from `random_get`. */
  randomBytes: number;
  /** Calls to `random_get`. */
  randomCalls: number;
  /** Reads of any clock (`clock_time_get`, plus relative timeouts in `poll_oneoff`). */
  clockReads: number;
  /** Names of the environment variables handed to the guest by `environ_get` (empty if never called). */
  envReads: string[];
  /** The guest read its arguments (`args_get`). */
  argsRead: boolean;
  /** Bytes the guest read from stdin. */
  stdinBytes: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
// Every call starts with `view.length === 0`: a grown memory detaches the old buffer, so the
// cached view reads as empty; a shared memory never detaches, so `view` stays empty for it and
// every call refreshes.
const EMPTY = new Uint8Array(0);
// Views of no memory, shared by every host that has none bound (a new or reset one): being empty,
// they are never written.
const NO_DV = new DataView(EMPTY.buffer);
const NO_U32 = new Uint32Array(0);

/**
 * The state every group of imports works on: the descriptor table, the guest's memory (as views
 * cached until the buffer changes), the clock, what the guest consumed. The preview1 functions
 * (and any other ABI a host adds over the same guest) are built over one `HostState`.
 */
export class HostState {
  readonly fds: (Descriptor | undefined)[];
  // Not readonly: `resetRun` gives them the next run's values (the import functions read them here
  // at every call, so an instance linked to those functions needs no relinking).
  args: readonly Uint8Array[] = [];
  env: readonly Uint8Array[] = [];
  envNames: readonly string[] = [];
  /** Total bytes of `args` and of `env` (each string with its NUL). */
  argsBytes = 0;
  envBytes = 0;
  readonly deterministic: Deterministic | undefined;
  readonly consumed: Consumed = {
    randomBytes: 0,
    randomCalls: 0,
    clockReads: 0,
    envReads: [],
    argsRead: false,
    stdinBytes: 0,
  };
  readonly clock: Clock;

  memory: WebAssembly.Memory | undefined = undefined;
  shared = false;
  u8 = EMPTY;
  dv = NO_DV;
  // Aligned 32-bit stores through a typed array are several times cheaper than DataView calls
  // inside the try blocks every import has, so the hot paths use this view when they can.
  u32 = NO_U32;
  /** `u8`, or empty when the views must be refreshed before use (see `EMPTY`). */
  view = EMPTY;
  /** The last host exception turned into EIO. */
  hostError: unknown = undefined;

  constructor(config: HostConfig) {
    this.fds = config.fds;
    this.setArgsEnv(config);
    this.deterministic = config.deterministic;
    this.clock = new Clock(config.deterministic, this.consumed);
  }

  private setArgsEnv(config: Pick<HostConfig, 'args' | 'env' | 'envNames'>): void {
    this.args = config.args;
    this.env = config.env;
    this.envNames = config.envNames;
    this.argsBytes = config.args.reduce((n, a) => n + a.length, 0);
    this.envBytes = config.env.reduce((n, a) => n + a.length, 0);
  }

  /**
   * Everything a run changed back to a new host's, with the next run's arguments and environment:
   * nothing consumed, no memory bound, no host error, the deterministic clock at `clock` (the
   * descriptor table and the generator are the caller's).
   */
  resetRun(config: Pick<HostConfig, 'args' | 'env' | 'envNames'>, clock: bigint): void {
    this.setArgsEnv(config);
    const c = this.consumed;
    c.randomBytes = 0;
    c.randomCalls = 0;
    c.clockReads = 0;
    c.envReads = [];
    c.argsRead = false;
    c.stdinBytes = 0;
    this.memory = undefined;
    this.shared = false;
    this.u8 = EMPTY;
    this.dv = NO_DV;
    this.u32 = NO_U32;
    this.view = EMPTY;
    this.hostError = undefined;
    // Only the deterministic clock has a state: the real one reads the host's time.
    if (this.deterministic !== undefined) this.clock.set(clock);
  }

  /** Use `memory` for every later call. */
  bindMemory(memory: WebAssembly.Memory): void {
    this.memory = memory;
    this.shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    this.refresh();
  }

  /** Rebuild the views over the memory's current buffer. */
  refresh(): void {
    const memory = this.memory;
    if (memory === undefined) return;
    const buffer = memory.buffer;
    this.u8 = new Uint8Array(buffer);
    this.dv = new DataView(buffer);
    this.u32 = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    this.view = this.shared ? EMPTY : this.u8;
  }

  /** The errno for an exception a call caught: `ProcExit` passes through, bounds errors are EFAULT. */
  fail(error: unknown): number {
    if (error instanceof ProcExit) throw error;
    if (error instanceof RangeError) return Errno.FAULT;
    this.hostError = error;
    return Errno.IO;
  }

  /** Store a 64-bit value given as its two 32-bit halves. */
  store64(ptr: number, lo: number, hi: number): number {
    if (ptr + 8 > this.u8.length) return Errno.FAULT;
    if ((ptr & 3) === 0) {
      this.u32[ptr >>> 2] = lo;
      this.u32[(ptr >>> 2) + 1] = hi;
    } else {
      this.dv.setUint32(ptr, lo, true);
      this.dv.setUint32(ptr + 4, hi, true);
    }
    return Errno.SUCCESS;
  }

  /** A UTF-8 string of guest memory, or an errno (out of bounds, invalid UTF-8, a NUL inside). */
  readString(ptr: number, len: number): string | number {
    const u8 = this.u8;
    if (ptr + len > u8.length) return Errno.FAULT;
    const bytes = this.shared ? u8.slice(ptr, ptr + len) : u8.subarray(ptr, ptr + len);
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      return Errno.ILSEQ;
    }
    if (text.includes('\0')) return Errno.ILSEQ;
    return text;
  }

  /** Write a `filestat` at `ptr` (bounds checked by the caller). */
  writeStat(ptr: number, st: Stat): void {
    const dv = this.dv;
    dv.setBigUint64(ptr, st.dev, true);
    dv.setBigUint64(ptr + 8, st.ino, true);
    dv.setUint32(ptr + 16, st.filetype, true);
    dv.setUint32(ptr + 20, 0, true);
    dv.setBigUint64(ptr + 24, st.nlink, true);
    dv.setBigUint64(ptr + 32, st.size, true);
    dv.setBigUint64(ptr + 40, st.atim, true);
    dv.setBigUint64(ptr + 48, st.mtim, true);
    dv.setBigUint64(ptr + 56, st.ctim, true);
  }

  /** Put `d` at the lowest free descriptor number and return it. */
  allocFd(d: Descriptor): number {
    const fds = this.fds;
    let fd = 0;
    while (fds[fd] !== undefined) fd++;
    fds[fd] = d;
    return fd;
  }
}
