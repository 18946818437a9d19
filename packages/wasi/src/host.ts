import { argsEnvImports } from './host/args-env.js';
import { clocksRandomImports } from './host/clocks-random.js';
import { fillRandom } from './host/entropy.js';
import { fdImports } from './host/fd.js';
import { pathImports } from './host/paths.js';
import { pollImports } from './host/poll.js';
import { procImports } from './host/proc.js';
import { type Consumed, type Descriptor, type HostConfig, HostState } from './host/state.js';

export {
  type Consumed,
  Descriptor,
  type Deterministic,
  type HostConfig,
  HostState,
  type ListingEntry,
} from './host/state.js';

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
  /** The state the imports work on, for other import groups over the same guest (e.g. WASI 0.2's core ABI). */
  state: HostState;
  bindMemory(memory: WebAssembly.Memory): void;
  consumed: HostState['consumed'];
  /** Nanoseconds of the deterministic clock consumed so far. */
  clockOffset(): bigint;
  setClockOffset(value: bigint): void;
  /** Back to a new host's state, with the next run's arguments and environment (see `HostState.resetRun`). */
  resetRun(config: Pick<HostConfig, 'args' | 'env' | 'envNames'>, clock: bigint): void;
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
 * Build the `wasi_snapshot_preview1` import functions over a descriptor table. Each group of
 * functions (host/*.ts) is a set of closures over one `HostState`; memory views are cached there
 * and refreshed only when the memory's buffer changed (a grown memory detaches the old buffer,
 * which shows as a zero-length view).
 */
export function createHost(config: HostConfig): HostControl {
  const s = new HostState(config);
  // Object.assign, not an object spread: V8 (Node 20) spreads these ~45 closures in about 0.4 ms,
  // assigns them in about 1 µs, and every start makes a host.
  const imports: Preview1Imports = Object.assign(
    {},
    argsEnvImports(s),
    clocksRandomImports(s),
    fdImports(s),
    pathImports(s),
    pollImports(s),
    procImports(),
  );
  return {
    imports,
    state: s,
    bindMemory(m: WebAssembly.Memory): void {
      s.bindMemory(m);
    },
    consumed: s.consumed,
    clockOffset: () => s.clock.get(),
    setClockOffset(value: bigint): void {
      s.clock.set(value);
    },
    resetRun(config: Pick<HostConfig, 'args' | 'env' | 'envNames'>, clock: bigint): void {
      s.resetRun(config, clock);
    },
    lastHostError: () => s.hostError,
    peek(ptr: number, len: number): string | undefined {
      if (s.view.length === 0) s.refresh();
      ptr >>>= 0;
      len >>>= 0;
      if (ptr + len > s.u8.length) return undefined;
      return new TextDecoder().decode(s.u8.slice(ptr, ptr + len));
    },
    peekU32(ptr: number): number | undefined {
      if (s.view.length === 0) s.refresh();
      ptr >>>= 0;
      return ptr + 4 > s.u8.length ? undefined : s.dv.getUint32(ptr, true);
    },
    services: {
      now: (id: number) => s.clock.nowNs(id),
      sleep: (ns: bigint) => s.clock.sleepNs(ns),
      random(into: Uint8Array, offset: number, length: number): void {
        const { consumed, deterministic } = s;
        consumed.randomCalls++;
        consumed.randomBytes += length;
        if (deterministic !== undefined) {
          deterministic.prng.fill(into, offset, length);
          return;
        }
        fillRandom(into, offset, length);
      },
      consumed: s.consumed,
      fds: s.fds,
    },
  };
}
