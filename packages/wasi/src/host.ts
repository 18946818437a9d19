import {
  ClockId,
  Errno,
  EventType,
  FdFlags,
  FileType,
  FstFlags,
  LookupFlags,
  OFlags,
  RIGHTS_DIR,
  RIGHTS_FILE,
  Rights,
  Whence,
} from './constants.js';
import { ProcExit } from './errors.js';
import { type FileHandle, type FileSystem, joinPath, type Stat } from './fs/file-system.js';
import type { Prng } from './prng.js';
import type { Sink, Source } from './stdio.js';

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

interface ListingEntry {
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
  deterministic: { startTime: bigint; step: bigint; prng: Prng } | undefined;
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

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const SYMLINK_LIMIT = 40;
const WRITE_RIGHTS = Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE;
const TWO32 = 4294967296;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

interface Resolved {
  fs: FileSystem;
  mount: string;
  path: string;
  /** The path named the directory descriptor itself (`.`, `a/..`). */
  isBase: boolean;
  /** The path ended in `/` or `/.` after its last name: it must name a directory. */
  mustBeDir: boolean;
  /** Metadata of the final component when resolution already read it (`wantStat`). */
  stat: Stat | undefined;
  /** File type (or negated errno) of the final component when resolution already looked it up. */
  type: number | undefined;
}

/**
 * The `wasi_snapshot_preview1` functions, as wasm calls them: i32 as numbers, i64 as bigints, the
 * result an errno (`proc_exit` never returns).
 */
export type Preview1Imports = {
  args_get(argv: number, argvBuf: number): number;
  args_sizes_get(argcPtr: number, argvBufSizePtr: number): number;
  environ_get(environ: number, environBuf: number): number;
  environ_sizes_get(countPtr: number, bufSizePtr: number): number;
  clock_res_get(id: number, resultPtr: number): number;
  clock_time_get(id: number, precision: bigint, resultPtr: number): number;
  fd_advise(fd: number, offset: bigint, len: bigint, advice: number): number;
  fd_allocate(fd: number, offset: bigint, len: bigint): number;
  fd_close(fd: number): number;
  fd_datasync(fd: number): number;
  fd_fdstat_get(fd: number, resultPtr: number): number;
  fd_fdstat_set_flags(fd: number, flags: number): number;
  fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint): number;
  fd_filestat_get(fd: number, resultPtr: number): number;
  fd_filestat_set_size(fd: number, size: bigint): number;
  fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, fstflags: number): number;
  fd_pread(fd: number, iovs: number, iovsLen: number, offset: bigint, nreadPtr: number): number;
  fd_prestat_get(fd: number, resultPtr: number): number;
  fd_prestat_dir_name(fd: number, path: number, pathLen: number): number;
  fd_pwrite(fd: number, iovs: number, iovsLen: number, offset: bigint, nwrittenPtr: number): number;
  fd_read(fd: number, iovs: number, iovsLen: number, nreadPtr: number): number;
  fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, bufUsedPtr: number): number;
  fd_renumber(fd: number, to: number): number;
  fd_seek(fd: number, offset: bigint, whence: number, resultPtr: number): number;
  fd_sync(fd: number): number;
  fd_tell(fd: number, resultPtr: number): number;
  fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number;
  path_create_directory(fd: number, path: number, pathLen: number): number;
  path_filestat_get(fd: number, flags: number, path: number, pathLen: number, resultPtr: number): number;
  path_filestat_set_times(
    fd: number,
    flags: number,
    path: number,
    pathLen: number,
    atim: bigint,
    mtim: bigint,
    fstflags: number,
  ): number;
  path_link(
    oldFd: number,
    oldFlags: number,
    oldPath: number,
    oldPathLen: number,
    newFd: number,
    newPath: number,
    newPathLen: number,
  ): number;
  path_open(
    fd: number,
    dirflags: number,
    path: number,
    pathLen: number,
    oflags: number,
    rightsBase: bigint,
    rightsInheriting: bigint,
    fdflags: number,
    resultPtr: number,
  ): number;
  path_readlink(
    fd: number,
    path: number,
    pathLen: number,
    buf: number,
    bufLen: number,
    bufUsedPtr: number,
  ): number;
  path_remove_directory(fd: number, path: number, pathLen: number): number;
  path_rename(
    fd: number,
    oldPath: number,
    oldPathLen: number,
    newFd: number,
    newPath: number,
    newPathLen: number,
  ): number;
  path_symlink(oldPath: number, oldPathLen: number, fd: number, newPath: number, newPathLen: number): number;
  path_unlink_file(fd: number, path: number, pathLen: number): number;
  poll_oneoff(subscriptions: number, events: number, nsubscriptions: number, neventsPtr: number): number;
  proc_exit(code: number): undefined;
  proc_raise(signal: number): number;
  sched_yield(): number;
  random_get(buf: number, bufLen: number): number;
  sock_accept(fd: number, flags: number, resultPtr: number): number;
  sock_recv(
    fd: number,
    riData: number,
    riDataLen: number,
    riFlags: number,
    roDataLenPtr: number,
    roFlagsPtr: number,
  ): number;
  sock_send(fd: number, siData: number, siDataLen: number, siFlags: number, soDataLenPtr: number): number;
  sock_shutdown(fd: number, how: number): number;
};

/** The memory-binding and table-inspection side of a host, for the `WASI` class. */
export interface HostControl {
  imports: Preview1Imports;
  bindMemory(memory: WebAssembly.Memory): void;
  consumed: Consumed;
  /** Nanoseconds of the deterministic clock consumed so far. */
  clockOffset(): bigint;
  setClockOffset(value: bigint): void;
  /** The last host exception turned into EIO, for debugging. */
  lastHostError(): unknown;
  /** Guest memory as text (lossy), for tracing; undefined when out of bounds. */
  peek(ptr: number, len: number): string | undefined;
  /** A u32 of guest memory, for tracing; undefined when out of bounds. */
  peekU32(ptr: number): number | undefined;
  /** The clocks, sleep and randomness behind preview1, for the preview2 functions to share. */
  services: HostServices;
}

/** What the preview2 functions share with preview1: one clock, one generator, one set of counters. */
export interface HostServices {
  /** Nanoseconds of a clock (`ClockId`): deterministic or real, counted as a clock read. */
  now(id: number): bigint;
  /** Sleeps (or, deterministic, advances the clocks) for `ns` nanoseconds. */
  sleep(ns: bigint): void;
  /** Fills `length` bytes of `into` at `offset` with random bytes, counted as one random read. */
  random(into: Uint8Array, offset: number, length: number): void;
  consumed: Consumed;
  fds: (Descriptor | undefined)[];
}

/**
 * Build the `wasi_snapshot_preview1` import functions over a descriptor table. Every function is
 * a plain closure; memory views are cached and refreshed only when the memory's buffer changed
 * (a grown memory detaches the old buffer, which shows as a zero-length view).
 */
export function createHost(config: HostConfig): HostControl {
  const { fds, args, env, deterministic } = config;
  let memory: WebAssembly.Memory | undefined;
  let shared = false;
  let u8 = new Uint8Array(0);
  let dv = new DataView(u8.buffer);
  // Aligned 32-bit stores through a typed array are several times cheaper than DataView calls
  // inside the try blocks every import has, so the hot paths use this view when they can.
  let u32 = new Uint32Array(0);
  // Every call starts with `view.length === 0`: a grown memory detaches the old buffer, so the
  // cached view reads as empty; a shared memory never detaches, so `view` stays empty for it and
  // every call refreshes.
  const EMPTY = new Uint8Array(0);
  let view = EMPTY;
  let hostError: unknown;
  let clockOffset = 0n;
  // `performance` is an accessor on Node's global object: reading it costs about as much as the
  // rest of a clock_time_get call, so it is read once. `timeOrigin` never changes.
  const perf = performance;
  const timeOrigin = perf.timeOrigin;

  const argsBytes = args.reduce((n, a) => n + a.length, 0);
  const envBytes = env.reduce((n, a) => n + a.length, 0);
  const consumed: Consumed = {
    randomBytes: 0,
    randomCalls: 0,
    clockReads: 0,
    envReads: [],
    argsRead: false,
    stdinBytes: 0,
  };

  function refresh(): void {
    if (memory === undefined) return;
    const buffer = memory.buffer;
    u8 = new Uint8Array(buffer);
    dv = new DataView(buffer);
    u32 = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    view = shared ? EMPTY : u8;
  }

  function fail(error: unknown): number {
    if (error instanceof ProcExit) throw error;
    if (error instanceof RangeError) return Errno.FAULT;
    hostError = error;
    return Errno.IO;
  }

  // --- time ---------------------------------------------------------------------------------

  // The deterministic clock's offset is `clockOffset + pending`: clock_time_get's fast path adds
  // its steps to the number `pending` and reads the 64-bit words of both clocks at `clockOffset`
  // precomputed below, so it does no BigInt arithmetic (which allocates). Everything else folds
  // `pending` in first. The fast path is used only with a step below 2^32.
  let pending = 0;
  const fastStep =
    deterministic !== undefined && deterministic.step <= 0xffffffffn ? Number(deterministic.step) : -1;
  let monoLo = 0;
  let monoHi = 0;
  let realLo = 0;
  let realHi = 0;
  function foldClock(): void {
    if (pending !== 0) clockOffset += BigInt(pending);
    pending = 0;
    const mono = BigInt.asUintN(64, clockOffset);
    monoLo = Number(mono & 0xffffffffn);
    monoHi = Number(mono >> 32n);
    const real = BigInt.asUintN(64, (deterministic?.startTime ?? 0n) + clockOffset);
    realLo = Number(real & 0xffffffffn);
    realHi = Number(real >> 32n);
  }
  foldClock();

  function nowNs(id: number): bigint {
    consumed.clockReads++;
    if (deterministic !== undefined) {
      foldClock();
      clockOffset += deterministic.step;
      foldClock();
      return id === ClockId.REALTIME ? deterministic.startTime + clockOffset : clockOffset;
    }
    if (id === ClockId.REALTIME) {
      const ms = timeOrigin + perf.now();
      const whole = Math.floor(ms);
      return BigInt(whole) * 1_000_000n + BigInt(Math.floor((ms - whole) * 1e6));
    }
    return BigInt(Math.floor(perf.now() * 1e6));
  }

  // Created on first sleep: SharedArrayBuffer is missing in browsers without cross-origin isolation.
  let sleepCell: Int32Array | undefined;

  function sleepNs(ns: bigint): void {
    if (ns <= 0n) return;
    if (deterministic !== undefined) {
      foldClock();
      clockOffset += ns;
      foldClock();
      return;
    }
    // Atomics.wait may wake a little early by the monotonic clock the guest reads, so wait until
    // that clock has really advanced by the timeout.
    const end = perf.now() + Number(ns) / 1e6;
    for (let left = end - perf.now(); left > 0; left = end - perf.now()) {
      try {
        sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
        Atomics.wait(sleepCell, 0, 0, left);
      } catch {
        // No SharedArrayBuffer, or Atomics.wait refused on a browser's main thread: spin instead.
        while (perf.now() < end) {
          /* spin */
        }
      }
    }
  }

  // --- memory helpers -----------------------------------------------------------------------

  function store64(ptr: number, lo: number, hi: number): number {
    if (ptr + 8 > u8.length) return Errno.FAULT;
    if ((ptr & 3) === 0) {
      u32[ptr >>> 2] = lo;
      u32[(ptr >>> 2) + 1] = hi;
    } else {
      dv.setUint32(ptr, lo, true);
      dv.setUint32(ptr + 4, hi, true);
    }
    return Errno.SUCCESS;
  }

  function readString(ptr: number, len: number): string | number {
    if (ptr + len > u8.length) return Errno.FAULT;
    const bytes = shared ? u8.slice(ptr, ptr + len) : u8.subarray(ptr, ptr + len);
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      return Errno.ILSEQ;
    }
    if (text.includes('\0')) return Errno.ILSEQ;
    return text;
  }

  function writeStat(ptr: number, st: Stat): void {
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

  function stdioStat(d: Descriptor): Stat {
    return { dev: 0n, ino: 0n, filetype: d.filetype, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
  }

  function allocFd(d: Descriptor): number {
    let fd = 0;
    while (fds[fd] !== undefined) fd++;
    fds[fd] = d;
    return fd;
  }

  // --- paths --------------------------------------------------------------------------------

  /**
   * Resolve `text` against a directory descriptor, component by component, expanding symlinks
   * inside the sandbox. `..` may not climb above the descriptor, and absolute paths (including
   * absolute symlink targets) are refused with EPERM, as Wasmtime does.
   */
  function resolvePath(d: Descriptor, text: string, follow: boolean, wantStat = false): Resolved | number {
    const fs = d.fs!;
    if (text === '') return Errno.NOENT;
    if (text.charCodeAt(0) === 47) return Errno.PERM;
    let queue = text.split('/');
    let last = lastName(queue);
    // Mount-relative paths of the components accepted so far: prefixes[k] is the path of the
    // k+1 first components, so `..` is a pop and no path is ever rebuilt by joining.
    const prefixes: string[] = [];
    let links = 0;
    let mustBeDir = false;
    let stat: Stat | undefined;
    let finalType: number | undefined;
    for (let i = 0; i < queue.length; i++) {
      const c = queue[i]!;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        if (prefixes.length === 0) return Errno.PERM;
        prefixes.pop();
        // `a/b/..` names a directory, whatever `b` was.
        mustBeDir = true;
        continue;
      }
      const isLast = i === last;
      const dirSuffix = isLast && i + 1 < queue.length;
      const full = joinPath(prefixes.length === 0 ? d.path : prefixes[prefixes.length - 1]!, c);
      if (!isLast || follow || dirSuffix) {
        // A caller that wants the final component's metadata gets it from this same lookup.
        let type: number;
        if (isLast && wantStat) {
          const st = fs.lstat(full);
          type = typeof st === 'number' ? -st : st.filetype;
          stat = typeof st === 'number' ? undefined : st;
        } else {
          type = fs.filetype(full);
        }
        if (isLast) finalType = type;
        if (type < 0) {
          if (!isLast) return -type;
        } else if (type === FileType.SYMBOLIC_LINK) {
          if (++links > SYMLINK_LIMIT) return Errno.LOOP;
          const target = fs.readlink(full);
          if (typeof target === 'number') return target;
          if (target === '') return Errno.NOENT;
          if (target.charCodeAt(0) === 47) return Errno.PERM;
          queue = [...target.split('/'), ...queue.slice(i + 1)];
          last = lastName(queue);
          stat = undefined;
          finalType = undefined;
          i = -1;
          continue;
        } else if (!isLast && type !== FileType.DIRECTORY) {
          return Errno.NOTDIR;
        }
      }
      prefixes.push(full);
      mustBeDir = dirSuffix;
      if (isLast) break;
    }
    const isBase = prefixes.length === 0;
    return {
      fs,
      mount: d.mount,
      path: isBase ? d.path : prefixes[prefixes.length - 1]!,
      isBase,
      mustBeDir: isBase ? true : mustBeDir,
      stat: isBase ? undefined : stat,
      type: isBase ? undefined : finalType,
    };
  }

  /** Index of the last component that names something (not empty, `.` or `..`), or -1. */
  function lastName(queue: string[]): number {
    for (let i = queue.length - 1; i >= 0; i--) {
      const c = queue[i];
      if (c !== '' && c !== '.') return c === '..' ? -1 : i;
    }
    return -1;
  }

  /** Look up a directory descriptor with `right`, read the path from memory and resolve it. */
  function resolveAt(
    fd: number,
    right: number,
    ptr: number,
    len: number,
    follow: boolean,
    wantStat = false,
  ): Resolved | number {
    const d = fds[fd];
    if (d === undefined) return Errno.BADF;
    if (d.fs === undefined || d.handle !== undefined) return Errno.NOTDIR;
    if ((d.rightsBase & right) === 0) return Errno.NOTCAPABLE;
    const text = readString(ptr >>> 0, len >>> 0);
    if (typeof text === 'number') return text;
    return resolvePath(d, text, follow, wantStat);
  }

  function timesFrom(
    atim: bigint,
    mtim: bigint,
    fst: number,
  ): [bigint | undefined, bigint | undefined] | number {
    if (
      (fst & ~15) !== 0 ||
      ((fst & FstFlags.ATIM) !== 0 && (fst & FstFlags.ATIM_NOW) !== 0) ||
      ((fst & FstFlags.MTIM) !== 0 && (fst & FstFlags.MTIM_NOW) !== 0)
    ) {
      return Errno.INVAL;
    }
    const now = (fst & (FstFlags.ATIM_NOW | FstFlags.MTIM_NOW)) !== 0 ? nowNs(ClockId.REALTIME) : 0n;
    const a = (fst & FstFlags.ATIM) !== 0 ? atim : (fst & FstFlags.ATIM_NOW) !== 0 ? now : undefined;
    const m = (fst & FstFlags.MTIM) !== 0 ? mtim : (fst & FstFlags.MTIM_NOW) !== 0 ? now : undefined;
    return [a, m];
  }

  // --- reading and writing ------------------------------------------------------------------

  function writeTo(d: Descriptor, from: Uint8Array, offset: number, length: number): number {
    const sink = d.sink;
    if (sink !== undefined) return sink.write(from, offset, length);
    const handle = d.handle;
    if (handle === undefined) return -Errno.BADF;
    let position = d.filetype === FileType.REGULAR_FILE ? d.position : -1;
    if ((d.flags & FdFlags.APPEND) !== 0 && position >= 0) {
      const st = handle.stat();
      if (typeof st === 'number') return -st;
      position = Number(st.size);
    }
    const n = handle.write(from, offset, length, position);
    if (n > 0 && position >= 0) d.position = position + n;
    return n;
  }

  function readFrom(d: Descriptor, into: Uint8Array, offset: number, length: number): number {
    const source = d.source;
    if (source !== undefined) {
      const n = source.read(into, offset, length);
      if (n > 0) consumed.stdinBytes += n;
      return n;
    }
    const handle = d.handle;
    if (handle === undefined) return d.fs !== undefined ? -Errno.ISDIR : -Errno.BADF;
    // FIFOs and devices have no offset: -1 asks the backend for a plain read.
    const n = handle.read(into, offset, length, d.filetype === FileType.REGULAR_FILE ? d.position : -1);
    if (n > 0) d.position += n;
    return n;
  }

  /** fd_sync and fd_datasync: both flush through the handle's `sync()`, each checking its own right. */
  function sync(fd: number, right: number): number {
    try {
      const d = fds[fd];
      if (d === undefined) return Errno.BADF;
      if ((d.rightsBase & right) === 0) return Errno.NOTCAPABLE;
      return d.handle === undefined ? Errno.SUCCESS : d.handle.sync();
    } catch (error) {
      return fail(error);
    }
  }

  function gather(
    fd: number,
    iovs: number,
    iovsLen: number,
    resultPtr: number,
    right: number,
    op: (d: Descriptor, mem: Uint8Array, offset: number, length: number, at: number) => number,
    at: number,
  ): number {
    const d = fds[fd];
    if (d === undefined) return Errno.BADF;
    // Like Wasmtime (and POSIX for a descriptor not open for it): reading or writing without
    // FD_READ / FD_WRITE is EBADF, which the WASI test suite checks; other rights give ENOTCAPABLE.
    if ((d.rightsBase & right) === 0) return Errno.BADF;
    iovs >>>= 0;
    iovsLen >>>= 0;
    resultPtr >>>= 0;
    if (iovs + iovsLen * 8 > u8.length || resultPtr + 4 > u8.length) return Errno.FAULT;
    let total = 0;
    for (let i = 0; i < iovsLen; i++) {
      const ptr = dv.getUint32(iovs + i * 8, true);
      const len = dv.getUint32(iovs + i * 8 + 4, true);
      if (ptr + len > u8.length) return Errno.FAULT;
      if (len === 0) continue;
      const n = op(d, u8, ptr, len, at < 0 ? -1 : at + total);
      if (view.length === 0) refresh();
      if (n < 0) {
        if (total > 0) break;
        return -n;
      }
      total += n;
      if (n < len) break;
    }
    dv.setUint32(resultPtr, total, true);
    return Errno.SUCCESS;
  }

  const opWrite = (d: Descriptor, mem: Uint8Array, offset: number, length: number): number =>
    writeTo(d, mem, offset, length);
  const opRead = (d: Descriptor, mem: Uint8Array, offset: number, length: number): number =>
    readFrom(d, mem, offset, length);
  const opPread = (d: Descriptor, mem: Uint8Array, offset: number, length: number, at: number): number =>
    d.handle!.read(mem, offset, length, at);
  const opPwrite = (d: Descriptor, mem: Uint8Array, offset: number, length: number, at: number): number =>
    d.handle!.write(mem, offset, length, at);

  function positional(fd: number, offset: bigint): number {
    const d = fds[fd];
    if (d === undefined) return -Errno.BADF;
    if (d.handle === undefined) return d.fs !== undefined ? -Errno.ISDIR : -Errno.SPIPE;
    if (offset > MAX_SAFE) return -Errno.INVAL;
    return Number(offset);
  }

  // --- readdir ------------------------------------------------------------------------------

  function listing(d: Descriptor): ListingEntry[] | number {
    const fs = d.fs!;
    const self = fs.lstat(d.path);
    if (typeof self === 'number') return self;
    let parentIno = self.ino;
    if (d.path !== '') {
      const slash = d.path.lastIndexOf('/');
      const parent = fs.lstat(slash < 0 ? '' : d.path.slice(0, slash));
      if (typeof parent !== 'number') parentIno = parent.ino;
    }
    const entries = fs.readdir(d.path);
    if (typeof entries === 'number') return entries;
    const out: ListingEntry[] = [
      { name: encoder.encode('.'), ino: self.ino, filetype: FileType.DIRECTORY },
      { name: encoder.encode('..'), ino: parentIno, filetype: FileType.DIRECTORY },
    ];
    for (const e of entries) out.push({ name: encoder.encode(e.name), ino: e.ino, filetype: e.filetype });
    return out;
  }

  function clockChecked(id: number, ptr: number): number {
    try {
      if (view.length === 0) refresh();
      ptr >>>= 0;
      if (deterministic !== undefined) {
        if (id < 0 || id > 3) return Errno.INVAL;
        dv.setBigUint64(ptr, nowNs(id), true);
        return Errno.SUCCESS;
      }
      if (id === ClockId.REALTIME) {
        consumed.clockReads++;
        const ms = timeOrigin + perf.now();
        const whole = Math.floor(ms);
        const hiMs = Math.floor(whole / TWO32);
        const lo = (whole - hiMs * TWO32) * 1e6 + Math.floor((ms - whole) * 1e6);
        const carry = Math.floor(lo / TWO32);
        return store64(ptr, lo >>> 0, hiMs * 1e6 + carry);
      }
      if (id > 0 && id < 4) {
        consumed.clockReads++;
        const ns = Math.floor(perf.now() * 1e6);
        return store64(ptr, ns >>> 0, Math.floor(ns / TWO32));
      }
      return Errno.INVAL;
    } catch (error) {
      return fail(error);
    }
  }

  function fdstatChecked(fd: number, ptr: number): number {
    try {
      if (view.length === 0) refresh();
      const d = fds[fd];
      if (d === undefined) return Errno.BADF;
      ptr >>>= 0;
      if (ptr + 24 > u8.length) return Errno.FAULT;
      if ((ptr & 3) === 0) {
        const i = ptr >>> 2;
        u32[i] = d.filetype | (d.flags << 16);
        // Bytes 4..7 are padding in `fdstat`: left as they are.
        u32[i + 2] = d.rightsBase;
        u32[i + 3] = 0;
        u32[i + 4] = d.rightsInheriting;
        u32[i + 5] = 0;
        return Errno.SUCCESS;
      }
      dv.setUint32(ptr, d.filetype, true);
      dv.setUint16(ptr + 2, d.flags, true);
      dv.setUint32(ptr + 8, d.rightsBase, true);
      dv.setUint32(ptr + 12, 0, true);
      dv.setUint32(ptr + 16, d.rightsInheriting, true);
      dv.setUint32(ptr + 20, 0, true);
      return Errno.SUCCESS;
    } catch (error) {
      return fail(error);
    }
  }

  /**
   * args_get and environ_get: the pointer array at `ptrs`, the NUL-terminated strings from `buf`
   * on. `record` notes what the guest read, once the pointers are known to be in bounds.
   */
  function storeList(
    list: readonly Uint8Array[],
    total: number,
    ptrs: number,
    buf: number,
    record: () => void,
  ): number {
    try {
      if (view.length === 0) refresh();
      ptrs >>>= 0;
      buf >>>= 0;
      if (ptrs + list.length * 4 > u8.length || buf + total > u8.length) return Errno.FAULT;
      record();
      for (let i = 0; i < list.length; i++) {
        const item = list[i]!;
        dv.setUint32(ptrs + i * 4, buf, true);
        u8.set(item, buf);
        buf += item.length;
      }
      return Errno.SUCCESS;
    } catch (error) {
      return fail(error);
    }
  }
  const recordArgs = (): void => {
    consumed.argsRead = true;
  };
  const recordEnv = (): void => {
    consumed.envReads = config.envNames.slice();
  };

  /** The checked path of args_sizes_get and environ_sizes_get: unaligned pointers or a stale view. */
  function storeSizes(countPtr: number, sizePtr: number, count: number, bytes: number): number {
    try {
      if (view.length === 0) refresh();
      countPtr >>>= 0;
      sizePtr >>>= 0;
      if (((countPtr | sizePtr) & 3) === 0 && countPtr < u8.length && sizePtr < u8.length) {
        u32[countPtr >>> 2] = count;
        u32[sizePtr >>> 2] = bytes;
        return Errno.SUCCESS;
      }
      dv.setUint32(countPtr, count, true);
      dv.setUint32(sizePtr, bytes, true);
      return Errno.SUCCESS;
    } catch (error) {
      return fail(error);
    }
  }

  const direntScratch = new Uint8Array(24);
  const direntView = new DataView(direntScratch.buffer);

  // --- the imports --------------------------------------------------------------------------

  const imports: Preview1Imports = {
    args_get(argv: number, buf: number): number {
      return storeList(args, argsBytes, argv, buf, recordArgs);
    },

    args_sizes_get(countPtr: number, sizePtr: number): number {
      // The aligned case outside any try and without the freshness check (see fd_fdstat_get).
      if (((countPtr | sizePtr) & 3) === 0 && countPtr >>> 2 < u32.length && sizePtr >>> 2 < u32.length) {
        u32[countPtr >>> 2] = args.length;
        u32[sizePtr >>> 2] = argsBytes;
        return Errno.SUCCESS;
      }
      return storeSizes(countPtr, sizePtr, args.length, argsBytes);
    },

    environ_get(environ: number, buf: number): number {
      return storeList(env, envBytes, environ, buf, recordEnv);
    },

    environ_sizes_get(countPtr: number, sizePtr: number): number {
      // The aligned case outside any try and without the freshness check (see fd_fdstat_get).
      if (((countPtr | sizePtr) & 3) === 0 && countPtr >>> 2 < u32.length && sizePtr >>> 2 < u32.length) {
        u32[countPtr >>> 2] = env.length;
        u32[sizePtr >>> 2] = envBytes;
        return Errno.SUCCESS;
      }
      return storeSizes(countPtr, sizePtr, env.length, envBytes);
    },

    clock_res_get(id: number, ptr: number): number {
      try {
        if (view.length === 0) refresh();
        if (id < 0 || id > 3) return Errno.INVAL;
        dv.setBigUint64(ptr >>> 0, deterministic !== undefined ? deterministic.step : 1000n, true);
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    clock_time_get(id: number, _precision: bigint, ptr: number): number {
      // The monotonic clocks' common case, outside any try and without the freshness check (see
      // fd_fdstat_get); anything else takes the checked path.
      const i = ptr >>> 2;
      if ((ptr & 3) === 0 && i + 2 <= u32.length) {
        if (deterministic === undefined) {
          if (id > 0 && id < 4) {
            consumed.clockReads++;
            const ns = Math.floor(perf.now() * 1e6);
            u32[i] = ns >>> 0;
            u32[i + 1] = Math.floor(ns / TWO32);
            return Errno.SUCCESS;
          }
        } else if (fastStep >= 0 && id >>> 0 < 4) {
          consumed.clockReads++;
          if (pending > 2 ** 52) foldClock();
          pending += fastStep;
          const pendingHi = Math.floor(pending / TWO32);
          let lo = pending - pendingHi * TWO32;
          let hi = pendingHi;
          if (id === ClockId.REALTIME) {
            lo += realLo;
            hi += realHi;
          } else {
            lo += monoLo;
            hi += monoHi;
          }
          if (lo >= TWO32) {
            lo -= TWO32;
            hi++;
          }
          // Stores into a Uint32Array wrap modulo 2^32, as the 64-bit value wraps modulo 2^64.
          u32[i] = lo;
          u32[i + 1] = hi;
          return Errno.SUCCESS;
        }
      }
      return clockChecked(id, ptr);
    },

    fd_advise(fd: number, _offset: bigint, _len: bigint, advice: number): number {
      try {
        const d = fds[fd];
        if (d === undefined) return Errno.BADF;
        if (advice < 0 || advice > 5) return Errno.INVAL;
        if ((d.rightsBase & Rights.FD_ADVISE) === 0) return Errno.NOTCAPABLE;
        if (d.handle === undefined) return d.fs !== undefined ? Errno.BADF : Errno.SPIPE;
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    fd_allocate(fd: number, offset: bigint, len: bigint): number {
      try {
        const d = fds[fd];
        if (d === undefined) return Errno.BADF;
        if ((d.rightsBase & Rights.FD_ALLOCATE) === 0) return Errno.NOTCAPABLE;
        if (d.handle === undefined) return d.fs !== undefined ? Errno.BADF : Errno.SPIPE;
        const end = offset + len;
        if (end > MAX_SAFE) return Errno.FBIG;
        const st = d.handle.stat();
        if (typeof st === 'number') return st;
        if (end > st.size) return d.handle.setSize(Number(end));
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    fd_close(fd: number): number {
      try {
        const d = fds[fd];
        if (d === undefined) return Errno.BADF;
        fds[fd] = undefined;
        d.handle?.close();
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    fd_datasync(fd: number): number {
      return sync(fd, Rights.FD_DATASYNC);
    },

    fd_fdstat_get(fd: number, ptr: number): number {
      // The common case runs outside any try (nothing in it can throw) and without the freshness
      // check: a grown memory's detached buffer leaves `u32` empty and a grown shared memory leaves
      // it too short, so both fail the bounds test and take the checked path, which refreshes.
      const d = fds[fd];
      const i = ptr >>> 2;
      if (d !== undefined && (ptr & 3) === 0 && i + 6 <= u32.length) {
        u32[i] = d.filetype | (d.flags << 16);
        // Bytes 4..7 are padding in `fdstat`: left as they are.
        u32[i + 2] = d.rightsBase;
        u32[i + 3] = 0;
        u32[i + 4] = d.rightsInheriting;
        u32[i + 5] = 0;
        return Errno.SUCCESS;
      }
      return fdstatChecked(fd, ptr);
    },

    fd_fdstat_set_flags(fd: number, flags: number): number {
      try {
        const d = fds[fd];
        if (d === undefined) return Errno.BADF;
        if ((d.rightsBase & Rights.FD_FDSTAT_SET_FLAGS) === 0) return Errno.NOTCAPABLE;
        if ((flags & ~31) !== 0) return Errno.INVAL;
        if ((flags & (FdFlags.DSYNC | FdFlags.RSYNC | FdFlags.SYNC)) !== 0) return Errno.NOTSUP;
        d.flags = flags;
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint): number {
      try {
        const d = fds[fd];
        if (d === undefined) return Errno.BADF;
        if (base >> 30n !== 0n || inheriting >> 30n !== 0n) return Errno.NOTCAPABLE;
        const b = Number(base);
        const i = Number(inheriting);
        if ((b & ~d.rightsBase) !== 0 || (i & ~d.rightsInheriting) !== 0) return Errno.NOTCAPABLE;
        d.rightsBase = b;
        d.rightsInheriting = i;
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    fd_filestat_get(fd: number, ptr: number): number {
      try {
        if (view.length === 0) refresh();
        const d = fds[fd];
        if (d === undefined) return Errno.BADF;
        if ((d.rightsBase & Rights.FD_FILESTAT_GET) === 0) return Errno.NOTCAPABLE;
        ptr >>>= 0;
        if (ptr + 64 > u8.length) return Errno.FAULT;
        const st =
          d.handle !== undefined ? d.handle.stat() : d.fs !== undefined ? d.fs.lstat(d.path) : stdioStat(d);
        if (typeof st === 'number') return st;
        writeStat(ptr, st);
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    fd_filestat_set_size(fd: number, size: bigint): number {
      try {
        const d = fds[fd];
        if (d === undefined) return Errno.BADF;
        if ((d.rightsBase & Rights.FD_FILESTAT_SET_SIZE) === 0) return Errno.NOTCAPABLE;
        if (d.handle === undefined) return d.fs !== undefined ? Errno.ISDIR : Errno.INVAL;
        if (size > MAX_SAFE) return Errno.FBIG;
        return d.handle.setSize(Number(size));
      } catch (error) {
        return fail(error);
      }
    },

    fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, fst: number): number {
      try {
        const d = fds[fd];
        if (d === undefined) return Errno.BADF;
        if ((d.rightsBase & Rights.FD_FILESTAT_SET_TIMES) === 0) return Errno.NOTCAPABLE;
        const times = timesFrom(atim, mtim, fst);
        if (typeof times === 'number') return times;
        if (d.handle !== undefined) return d.handle.setTimes(times[0], times[1]);
        if (d.fs !== undefined) return d.fs.setTimes(d.path, times[0], times[1]);
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    fd_pread(fd: number, iovs: number, iovsLen: number, offset: bigint, nreadPtr: number): number {
      try {
        if (view.length === 0) refresh();
        const at = positional(fd, offset);
        if (at < 0) return -at;
        return gather(fd, iovs, iovsLen, nreadPtr, Rights.FD_READ, opPread, at);
      } catch (error) {
        return fail(error);
      }
    },

    fd_pwrite(fd: number, iovs: number, iovsLen: number, offset: bigint, nwrittenPtr: number): number {
      try {
        if (view.length === 0) refresh();
        const at = positional(fd, offset);
        if (at < 0) return -at;
        return gather(fd, iovs, iovsLen, nwrittenPtr, Rights.FD_WRITE, opPwrite, at);
      } catch (error) {
        return fail(error);
      }
    },

    fd_prestat_get(fd: number, ptr: number): number {
      try {
        if (view.length === 0) refresh();
        const d = fds[fd];
        if (d === undefined || d.preopenBytes === undefined) return Errno.BADF;
        ptr >>>= 0;
        if (ptr + 8 > u8.length) return Errno.FAULT;
        dv.setUint32(ptr, 0, true);
        dv.setUint32(ptr + 4, d.preopenBytes.length, true);
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    fd_prestat_dir_name(fd: number, ptr: number, len: number): number {
      try {
        if (view.length === 0) refresh();
        const d = fds[fd];
        if (d === undefined || d.preopenBytes === undefined) return Errno.BADF;
        ptr >>>= 0;
        len >>>= 0;
        const name = d.preopenBytes;
        if (len < name.length) return Errno.NAMETOOLONG;
        if (ptr + name.length > u8.length) return Errno.FAULT;
        u8.set(name, ptr);
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    fd_read(fd: number, iovs: number, iovsLen: number, nreadPtr: number): number {
      try {
        if (view.length === 0) refresh();
        const d = fds[fd];
        if (d !== undefined && d.source !== undefined && iovsLen === 1 && ((iovs | nreadPtr) & 3) === 0) {
          if ((d.rightsBase & Rights.FD_READ) === 0) return Errno.BADF;
          iovs >>>= 0;
          nreadPtr >>>= 0;
          if (iovs + 8 > u8.length || nreadPtr + 4 > u8.length) return Errno.FAULT;
          const p = u32[iovs >>> 2]!;
          const l = u32[(iovs >>> 2) + 1]!;
          if (p + l > u8.length) return Errno.FAULT;
          const n = l === 0 ? 0 : readFrom(d, u8, p, l);
          if (n < 0) return -n;
          // A host callback may have grown the memory (by calling into the guest): rebind.
          if (view.length === 0) refresh();
          u32[nreadPtr >>> 2] = n;
          return Errno.SUCCESS;
        }
        return gather(fd, iovs, iovsLen, nreadPtr, Rights.FD_READ, opRead, -1);
      } catch (error) {
        return fail(error);
      }
    },

    fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, usedPtr: number): number {
      try {
        if (view.length === 0) refresh();
        const d = fds[fd];
        if (d === undefined) return Errno.BADF;
        if (d.fs === undefined || d.handle !== undefined) return Errno.NOTDIR;
        if ((d.rightsBase & Rights.FD_READDIR) === 0) return Errno.NOTCAPABLE;
        buf >>>= 0;
        bufLen >>>= 0;
        usedPtr >>>= 0;
        if (buf + bufLen > u8.length || usedPtr + 4 > u8.length) return Errno.FAULT;
        if (cookie === 0n || d.listing === undefined) {
          const list = listing(d);
          if (typeof list === 'number') return list;
          d.listing = list;
        }
        const list = d.listing;
        let used = 0;
        for (let i = cookie > BigInt(list.length) ? list.length : Number(cookie); i < list.length; i++) {
          if (used >= bufLen) break;
          const e = list[i]!;
          direntView.setBigUint64(0, BigInt(i + 1), true);
          direntView.setBigUint64(8, e.ino, true);
          direntView.setUint32(16, e.name.length, true);
          direntView.setUint32(20, e.filetype, true);
          const head = Math.min(24, bufLen - used);
          u8.set(head === 24 ? direntScratch : direntScratch.subarray(0, head), buf + used);
          used += head;
          const name = Math.min(e.name.length, bufLen - used);
          if (name > 0) u8.set(name === e.name.length ? e.name : e.name.subarray(0, name), buf + used);
          used += name;
        }
        dv.setUint32(usedPtr, used, true);
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    fd_renumber(from: number, to: number): number {
      try {
        const d = fds[from];
        const target = fds[to];
        if (d === undefined || target === undefined) return Errno.BADF;
        if (from === to) return Errno.SUCCESS;
        target.handle?.close();
        fds[to] = d;
        fds[from] = undefined;
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    fd_seek(fd: number, offset: bigint, whence: number, resultPtr: number): number {
      try {
        if (view.length === 0) refresh();
        const d = fds[fd];
        if (d === undefined) return Errno.BADF;
        // Standard streams are pipes or terminals: not seekable, whatever the rights say.
        if (d.stdio >= 0) return Errno.SPIPE;
        const tellOnly = whence === Whence.CUR && offset === 0n;
        if ((d.rightsBase & (tellOnly ? Rights.FD_TELL | Rights.FD_SEEK : Rights.FD_SEEK)) === 0) {
          return d.fs !== undefined && d.handle === undefined ? Errno.BADF : Errno.NOTCAPABLE;
        }
        const handle = d.handle;
        if (handle === undefined) return d.fs !== undefined ? Errno.BADF : Errno.SPIPE;
        resultPtr >>>= 0;
        if (resultPtr + 8 > u8.length) return Errno.FAULT;
        let base: bigint;
        if (whence === Whence.SET) base = 0n;
        else if (whence === Whence.CUR) base = BigInt(d.position);
        else if (whence === Whence.END) {
          const st = handle.stat();
          if (typeof st === 'number') return st;
          base = st.size;
        } else return Errno.INVAL;
        const next = base + offset;
        if (next < 0n) return Errno.INVAL;
        if (next > MAX_SAFE) return Errno.OVERFLOW;
        d.position = Number(next);
        dv.setBigUint64(resultPtr, next, true);
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    fd_sync(fd: number): number {
      return sync(fd, Rights.FD_SYNC);
    },

    fd_tell(fd: number, resultPtr: number): number {
      try {
        if (view.length === 0) refresh();
        const d = fds[fd];
        if (d === undefined) return Errno.BADF;
        if (d.stdio >= 0) return Errno.SPIPE;
        if ((d.rightsBase & (Rights.FD_TELL | Rights.FD_SEEK)) === 0) {
          return d.fs !== undefined && d.handle === undefined ? Errno.BADF : Errno.NOTCAPABLE;
        }
        if (d.handle === undefined) return d.fs !== undefined ? Errno.BADF : Errno.SPIPE;
        resultPtr >>>= 0;
        if (resultPtr + 8 > u8.length) return Errno.FAULT;
        dv.setBigUint64(resultPtr, BigInt(d.position), true);
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number {
      try {
        if (view.length === 0) refresh();
        const d = fds[fd];
        if (d !== undefined && d.sink !== undefined && iovsLen === 1 && ((iovs | nwrittenPtr) & 3) === 0) {
          if ((d.rightsBase & Rights.FD_WRITE) === 0) return Errno.BADF;
          iovs >>>= 0;
          nwrittenPtr >>>= 0;
          if (iovs + 8 > u8.length || nwrittenPtr + 4 > u8.length) return Errno.FAULT;
          const p = u32[iovs >>> 2]!;
          const l = u32[(iovs >>> 2) + 1]!;
          if (p + l > u8.length) return Errno.FAULT;
          const n = l === 0 ? 0 : d.sink.write(u8, p, l);
          if (n < 0) return -n;
          // A host callback may have grown the memory (by calling into the guest): rebind.
          if (view.length === 0) refresh();
          u32[nwrittenPtr >>> 2] = n;
          return Errno.SUCCESS;
        }
        return gather(fd, iovs, iovsLen, nwrittenPtr, Rights.FD_WRITE, opWrite, -1);
      } catch (error) {
        return fail(error);
      }
    },

    path_create_directory(fd: number, ptr: number, len: number): number {
      try {
        if (view.length === 0) refresh();
        const r = resolveAt(fd, Rights.PATH_CREATE_DIRECTORY, ptr, len, false);
        if (typeof r === 'number') return r;
        if (r.isBase) return Errno.EXIST;
        const st = r.fs.filetype(r.path);
        if (st >= 0) return Errno.EXIST;
        if (st !== -Errno.NOENT) return -st;
        if (r.fs.readOnly) return Errno.ROFS;
        return r.fs.mkdir(r.path);
      } catch (error) {
        return fail(error);
      }
    },

    path_filestat_get(fd: number, flags: number, ptr: number, len: number, buf: number): number {
      try {
        if (view.length === 0) refresh();
        const r = resolveAt(
          fd,
          Rights.PATH_FILESTAT_GET,
          ptr,
          len,
          (flags & LookupFlags.SYMLINK_FOLLOW) !== 0,
          true,
        );
        if (typeof r === 'number') return r;
        buf >>>= 0;
        if (buf + 64 > u8.length) return Errno.FAULT;
        const st = r.stat ?? r.fs.lstat(r.path);
        if (typeof st === 'number') return st;
        if (r.mustBeDir && st.filetype !== FileType.DIRECTORY) return Errno.NOTDIR;
        writeStat(buf, st);
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    path_filestat_set_times(
      fd: number,
      flags: number,
      ptr: number,
      len: number,
      atim: bigint,
      mtim: bigint,
      fst: number,
    ): number {
      try {
        if (view.length === 0) refresh();
        const r = resolveAt(
          fd,
          Rights.PATH_FILESTAT_SET_TIMES,
          ptr,
          len,
          (flags & LookupFlags.SYMLINK_FOLLOW) !== 0,
        );
        if (typeof r === 'number') return r;
        const times = timesFrom(atim, mtim, fst);
        if (typeof times === 'number') return times;
        const st = r.fs.filetype(r.path);
        if (st < 0) return -st;
        if (r.mustBeDir && st !== FileType.DIRECTORY) return Errno.NOTDIR;
        return r.fs.setTimes(r.path, times[0], times[1]);
      } catch (error) {
        return fail(error);
      }
    },

    path_link(
      oldFd: number,
      oldFlags: number,
      oldPtr: number,
      oldLen: number,
      newFd: number,
      newPtr: number,
      newLen: number,
    ): number {
      try {
        if (view.length === 0) refresh();
        const from = resolveAt(
          oldFd,
          Rights.PATH_LINK_SOURCE,
          oldPtr,
          oldLen,
          (oldFlags & LookupFlags.SYMLINK_FOLLOW) !== 0,
        );
        if (typeof from === 'number') return from;
        const to = resolveAt(newFd, Rights.PATH_LINK_TARGET, newPtr, newLen, false);
        if (typeof to === 'number') return to;
        const st = from.fs.filetype(from.path);
        if (st < 0) return -st;
        if (st === FileType.DIRECTORY) return Errno.PERM;
        if (from.mustBeDir) return Errno.NOTDIR;
        const existing = to.fs.filetype(to.path);
        if (existing >= 0 || to.isBase) return Errno.EXIST;
        if (to.mustBeDir) return Errno.NOENT;
        if (from.fs !== to.fs) return Errno.XDEV;
        if (to.fs.readOnly) return Errno.ROFS;
        return to.fs.link(from.path, to.path);
      } catch (error) {
        return fail(error);
      }
    },

    path_open(
      fd: number,
      dirflags: number,
      ptr: number,
      len: number,
      oflags: number,
      base: bigint,
      inheriting: bigint,
      fdflags: number,
      resultPtr: number,
    ): number {
      try {
        if (view.length === 0) refresh();
        const dir = fds[fd];
        if (dir === undefined) return Errno.BADF;
        resultPtr >>>= 0;
        if (resultPtr + 4 > u8.length) return Errno.FAULT;
        if (dir.fs === undefined || dir.handle !== undefined) return Errno.NOTDIR;
        if ((oflags & OFlags.CREAT) !== 0 && (dir.rightsBase & Rights.PATH_CREATE_FILE) === 0) {
          return Errno.NOTCAPABLE;
        }
        if ((oflags & OFlags.TRUNC) !== 0 && (dir.rightsBase & Rights.PATH_FILESTAT_SET_SIZE) === 0) {
          return Errno.NOTCAPABLE;
        }
        const r = resolveAt(fd, Rights.PATH_OPEN, ptr, len, (dirflags & LookupFlags.SYMLINK_FOLLOW) !== 0);
        if (typeof r === 'number') return r;
        const wantBase = Number(BigInt.asUintN(30, base)) & dir.rightsInheriting;
        const wantInheriting = Number(BigInt.asUintN(30, inheriting)) & dir.rightsInheriting;
        const write = (wantBase & WRITE_RIGHTS) !== 0 || (fdflags & FdFlags.APPEND) !== 0;
        const truncate = (oflags & OFlags.TRUNC) !== 0;
        const st = r.type ?? r.fs.filetype(r.path);
        let handle: FileHandle | number;
        if (st < 0) {
          if (st !== -Errno.NOENT) return -st;
          if ((oflags & OFlags.CREAT) === 0) return Errno.NOENT;
          if ((oflags & OFlags.DIRECTORY) !== 0) return Errno.INVAL;
          if (r.mustBeDir) return Errno.ISDIR;
          if (r.fs.readOnly) return Errno.ROFS;
          handle = r.fs.open(r.path, {
            create: true,
            exclusive: (oflags & OFlags.EXCL) !== 0,
            truncate,
            write,
            nonblock: (fdflags & FdFlags.NONBLOCK) !== 0,
          });
        } else {
          if ((oflags & OFlags.CREAT) !== 0 && (oflags & OFlags.EXCL) !== 0) return Errno.EXIST;
          if (st === FileType.SYMBOLIC_LINK) {
            return (oflags & OFlags.DIRECTORY) !== 0 || r.mustBeDir ? Errno.NOTDIR : Errno.LOOP;
          }
          if (st === FileType.DIRECTORY) {
            if (truncate || write) return Errno.ISDIR;
            const d = new Descriptor(FileType.DIRECTORY, wantBase & RIGHTS_DIR, wantInheriting, fdflags);
            d.fs = r.fs;
            d.mount = r.mount;
            d.path = r.path;
            dv.setUint32(resultPtr, allocFd(d), true);
            return Errno.SUCCESS;
          }
          if ((oflags & OFlags.DIRECTORY) !== 0 || r.mustBeDir) return Errno.NOTDIR;
          if (r.fs.readOnly && (write || truncate)) return Errno.ROFS;
          handle = r.fs.open(r.path, {
            create: false,
            exclusive: false,
            truncate,
            write,
            nonblock: (fdflags & FdFlags.NONBLOCK) !== 0 || st !== FileType.REGULAR_FILE,
          });
        }
        if (typeof handle === 'number') return handle;
        const d = new Descriptor(FileType.REGULAR_FILE, wantBase & RIGHTS_FILE, wantInheriting, fdflags);
        d.fs = r.fs;
        d.mount = r.mount;
        d.path = r.path;
        d.handle = handle;
        d.writable = write || truncate;
        if (st >= 0 && st !== FileType.REGULAR_FILE) d.filetype = st;
        dv.setUint32(resultPtr, allocFd(d), true);
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    path_readlink(
      fd: number,
      ptr: number,
      len: number,
      buf: number,
      bufLen: number,
      usedPtr: number,
    ): number {
      try {
        if (view.length === 0) refresh();
        const r = resolveAt(fd, Rights.PATH_READLINK, ptr, len, false);
        if (typeof r === 'number') return r;
        buf >>>= 0;
        bufLen >>>= 0;
        usedPtr >>>= 0;
        if (buf + bufLen > u8.length || usedPtr + 4 > u8.length) return Errno.FAULT;
        if (r.isBase) return Errno.INVAL;
        const target = r.fs.readlink(r.path);
        if (typeof target === 'number') return target;
        const bytes = encoder.encode(target);
        const n = Math.min(bytes.length, bufLen);
        u8.set(bytes.subarray(0, n), buf);
        dv.setUint32(usedPtr, n, true);
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    path_remove_directory(fd: number, ptr: number, len: number): number {
      try {
        if (view.length === 0) refresh();
        const r = resolveAt(fd, Rights.PATH_REMOVE_DIRECTORY, ptr, len, false);
        if (typeof r === 'number') return r;
        if (r.isBase) return Errno.INVAL;
        const st = r.fs.filetype(r.path);
        if (st < 0) return -st;
        if (st !== FileType.DIRECTORY) return Errno.NOTDIR;
        if (r.fs.readOnly) return Errno.ROFS;
        return r.fs.rmdir(r.path);
      } catch (error) {
        return fail(error);
      }
    },

    path_rename(
      fd: number,
      oldPtr: number,
      oldLen: number,
      newFd: number,
      newPtr: number,
      newLen: number,
    ): number {
      try {
        if (view.length === 0) refresh();
        const from = resolveAt(fd, Rights.PATH_RENAME_SOURCE, oldPtr, oldLen, false);
        if (typeof from === 'number') return from;
        const to = resolveAt(newFd, Rights.PATH_RENAME_TARGET, newPtr, newLen, false);
        if (typeof to === 'number') return to;
        if (from.isBase || to.isBase) return Errno.BUSY;
        const st = from.fs.filetype(from.path);
        if (st < 0) return -st;
        const isDir = st === FileType.DIRECTORY;
        if (!isDir && (from.mustBeDir || to.mustBeDir)) return Errno.NOTDIR;
        if (from.fs !== to.fs) return Errno.XDEV;
        if (to.fs.readOnly) return Errno.ROFS;
        const errno = to.fs.rename(from.path, to.path);
        if (errno === Errno.SUCCESS) {
          // Descriptors are kept by path: move the ones at or under the renamed path along, as an
          // OS descriptor would follow its directory (and so saveState finds renamed open files).
          const prefix = `${from.path}/`;
          for (const d of fds) {
            if (d === undefined || d.fs !== to.fs || d.preopen !== undefined) continue;
            if (d.path === from.path) d.path = to.path;
            else if (d.path.startsWith(prefix)) d.path = to.path + d.path.slice(from.path.length);
          }
        }
        return errno;
      } catch (error) {
        return fail(error);
      }
    },

    path_symlink(oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number): number {
      try {
        if (view.length === 0) refresh();
        const target = readString(oldPtr >>> 0, oldLen >>> 0);
        if (typeof target === 'number') return target;
        const r = resolveAt(fd, Rights.PATH_SYMLINK, newPtr, newLen, false);
        if (typeof r === 'number') return r;
        if (r.isBase) return Errno.EXIST;
        const st = r.fs.filetype(r.path);
        if (st >= 0) return Errno.EXIST;
        if (st !== -Errno.NOENT) return -st;
        if (r.mustBeDir) return Errno.NOENT;
        if (target.charCodeAt(0) === 47) return Errno.PERM;
        if (r.fs.readOnly) return Errno.ROFS;
        return r.fs.symlink(target, r.path);
      } catch (error) {
        return fail(error);
      }
    },

    path_unlink_file(fd: number, ptr: number, len: number): number {
      try {
        if (view.length === 0) refresh();
        const r = resolveAt(fd, Rights.PATH_UNLINK_FILE, ptr, len, false);
        if (typeof r === 'number') return r;
        if (r.isBase) return Errno.ISDIR;
        const st = r.fs.filetype(r.path);
        if (st < 0) return -st;
        if (st === FileType.DIRECTORY) return Errno.ISDIR;
        if (r.mustBeDir) return Errno.NOTDIR;
        if (r.fs.readOnly) return Errno.ROFS;
        return r.fs.unlink(r.path);
      } catch (error) {
        return fail(error);
      }
    },

    poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): number {
      try {
        if (view.length === 0) refresh();
        inPtr >>>= 0;
        outPtr >>>= 0;
        nsubs >>>= 0;
        neventsPtr >>>= 0;
        if (nsubs === 0) return Errno.INVAL;
        if (inPtr + nsubs * 48 > u8.length || outPtr + nsubs * 32 > u8.length || neventsPtr + 4 > u8.length) {
          return Errno.FAULT;
        }
        let events = 0;
        const emit = (
          userdata: bigint,
          error: number,
          type: number,
          nbytes: bigint,
          hangup: boolean,
        ): void => {
          const p = outPtr + events * 32;
          dv.setBigUint64(p, userdata, true);
          dv.setUint16(p + 8, error, true);
          dv.setUint8(p + 10, type);
          dv.setUint8(p + 11, 0);
          dv.setUint32(p + 12, 0, true);
          dv.setBigUint64(p + 16, nbytes, true);
          dv.setUint16(p + 24, hangup ? 1 : 0, true);
          dv.setUint16(p + 26, 0, true);
          dv.setUint32(p + 28, 0, true);
          events++;
        };
        const clocks: { userdata: bigint; wait: bigint }[] = [];
        const waiting: { userdata: bigint; type: number }[] = [];
        for (let i = 0; i < nsubs; i++) {
          const p = inPtr + i * 48;
          const userdata = dv.getBigUint64(p, true);
          const tag = u8[p + 8]!;
          if (tag === EventType.CLOCK) {
            const id = dv.getUint32(p + 16, true);
            const timeout = dv.getBigUint64(p + 24, true);
            const flags = dv.getUint16(p + 40, true);
            if (id > 3) {
              emit(userdata, Errno.INVAL, tag, 0n, false);
              continue;
            }
            const wait = (flags & 1) !== 0 ? timeout - nowNs(id) : timeout;
            clocks.push({ userdata, wait: wait < 0n ? 0n : wait });
          } else if (tag === EventType.FD_READ || tag === EventType.FD_WRITE) {
            const d = fds[dv.getUint32(p + 16, true)];
            if (d === undefined) {
              emit(userdata, Errno.BADF, tag, 0n, false);
              continue;
            }
            if (
              (d.rightsBase & Rights.POLL_FD_READWRITE) === 0 &&
              d.handle === undefined &&
              d.fs !== undefined
            ) {
              emit(userdata, Errno.NOTCAPABLE, tag, 0n, false);
              continue;
            }
            if (tag === EventType.FD_READ) {
              if (d.source !== undefined) {
                const n = d.source.available();
                if (n === 0) {
                  waiting.push({ userdata, type: tag });
                  continue;
                }
                emit(userdata, 0, tag, BigInt(n < 0 ? 0 : n), false);
              } else if (d.handle !== undefined) {
                const st = d.handle.stat();
                const size = typeof st === 'number' ? 0n : st.size;
                const left = size - BigInt(d.position);
                emit(userdata, 0, tag, left > 0n ? left : 0n, false);
              } else {
                emit(userdata, d.fs !== undefined ? Errno.ISDIR : Errno.BADF, tag, 0n, false);
              }
            } else if (d.sink !== undefined || d.handle !== undefined) {
              emit(userdata, 0, tag, 0n, false);
            } else {
              emit(userdata, d.fs !== undefined ? Errno.ISDIR : Errno.BADF, tag, 0n, false);
            }
          } else {
            return Errno.INVAL;
          }
        }
        if (events === 0 && clocks.length > 0) {
          let min = clocks[0]!.wait;
          for (const c of clocks) if (c.wait < min) min = c.wait;
          sleepNs(min);
          for (const c of clocks) if (c.wait === min) emit(c.userdata, 0, EventType.CLOCK, 0n, false);
        } else if (events === 0) {
          // Nothing can become ready while the guest waits synchronously: report the input ends.
          for (const w of waiting) emit(w.userdata, 0, w.type, 0n, true);
        } else {
          // Descriptors are ready; clocks that have already expired are ready too.
          for (const c of clocks) if (c.wait === 0n) emit(c.userdata, 0, EventType.CLOCK, 0n, false);
        }
        dv.setUint32(neventsPtr, events, true);
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    proc_exit(code: number): undefined {
      throw new ProcExit(code >>> 0);
    },

    proc_raise(_signal: number): number {
      return Errno.NOSYS;
    },

    sched_yield(): number {
      return Errno.SUCCESS;
    },

    random_get(buf: number, len: number): number {
      try {
        if (view.length === 0) refresh();
        buf >>>= 0;
        len >>>= 0;
        if (buf + len > u8.length) return Errno.FAULT;
        consumed.randomCalls++;
        consumed.randomBytes += len;
        if (deterministic !== undefined) {
          deterministic.prng.fill(u8, buf, len);
          return Errno.SUCCESS;
        }
        for (let at = 0; at < len; at += 65536) {
          const n = Math.min(65536, len - at);
          if (shared) {
            const tmp = new Uint8Array(n);
            crypto.getRandomValues(tmp);
            u8.set(tmp, buf + at);
          } else {
            crypto.getRandomValues(u8.subarray(buf + at, buf + at + n));
          }
        }
        return Errno.SUCCESS;
      } catch (error) {
        return fail(error);
      }
    },

    sock_accept(fd: number, _flags: number, _resultPtr: number): number {
      return fds[fd] === undefined ? Errno.BADF : Errno.NOTSOCK;
    },
    sock_recv(
      fd: number,
      _riData: number,
      _riLen: number,
      _riFlags: number,
      _roLen: number,
      _roFlags: number,
    ): number {
      return fds[fd] === undefined ? Errno.BADF : Errno.NOTSOCK;
    },
    sock_send(fd: number, _siData: number, _siLen: number, _siFlags: number, _soLen: number): number {
      return fds[fd] === undefined ? Errno.BADF : Errno.NOTSOCK;
    },
    sock_shutdown(fd: number, _how: number): number {
      return fds[fd] === undefined ? Errno.BADF : Errno.NOTSOCK;
    },
  };

  return {
    imports,
    bindMemory(m: WebAssembly.Memory): void {
      memory = m;
      shared = typeof SharedArrayBuffer !== 'undefined' && m.buffer instanceof SharedArrayBuffer;
      refresh();
    },
    consumed,
    clockOffset(): bigint {
      foldClock();
      return clockOffset;
    },
    setClockOffset(value: bigint): void {
      pending = 0;
      clockOffset = value;
      foldClock();
    },
    lastHostError: () => hostError,
    peek(ptr: number, len: number): string | undefined {
      if (view.length === 0) refresh();
      ptr >>>= 0;
      len >>>= 0;
      if (ptr + len > u8.length) return undefined;
      return new TextDecoder().decode(u8.slice(ptr, ptr + len));
    },
    peekU32(ptr: number): number | undefined {
      if (view.length === 0) refresh();
      ptr >>>= 0;
      return ptr + 4 > u8.length ? undefined : dv.getUint32(ptr, true);
    },
    services: {
      now: nowNs,
      sleep: sleepNs,
      random(into: Uint8Array, offset: number, length: number): void {
        consumed.randomCalls++;
        consumed.randomBytes += length;
        if (deterministic !== undefined) {
          deterministic.prng.fill(into, offset, length);
          return;
        }
        for (let at = 0; at < length; at += 65536)
          crypto.getRandomValues(into.subarray(offset + at, offset + Math.min(length, at + 65536)));
      },
      consumed,
      fds,
    },
  };
}
