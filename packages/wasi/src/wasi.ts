import { Errno, errnoName, FileType, RIGHTS_DIR, RIGHTS_FILE, RIGHTS_STDIO, Rights } from './constants.js';
import { ExitStatusError, ProcExit, WasiConfigError, WasiStateError } from './errors.js';
import { type DirEntry, type FileHandle, FileSystem, type OpenFlags, type Stat } from './fs/file-system.js';
import { type Consumed, createHost, Descriptor, type HostControl, type Preview1Imports } from './host.js';
import { createPreview2, type Preview2 } from './preview2/index.js';
import { Prng } from './prng.js';
import {
  BufferSink,
  type InputOption,
  makeSink,
  makeSource,
  type OutputOption,
  readAll,
  type Sink,
  type StdioPlatform,
  sourceChunks,
} from './stdio.js';

/** A preopen with options: the directory (host path under Node, or a file system) and its mode. */
export interface PreopenSpec {
  dir: string | FileSystem;
  /** Refuse writes: opening for writing and every mutation fail with `EROFS`. */
  readOnly?: boolean;
}

/** Deterministic mode settings (see `WASIOptions.deterministic`). */
export interface DeterministicOptions {
  /** Seed of the `random_get` generator. Default 0. */
  seed?: number | bigint;
  /** Realtime clock value (ns since the epoch) before the first read. Default 2024-01-01T00:00:00Z. */
  startTime?: bigint;
  /** Nanoseconds every clock read advances both clocks by. Default 1000 (1 µs). */
  clockStep?: bigint;
}

/** Options of `new WASI(options)`. */
export interface WASIOptions {
  /** The guest's argv; `args[0]` is the program name. Default `[]`. */
  args?: string[];
  /** The guest's whole environment: nothing else of the host's is visible. Default `{}`. */
  env?: Record<string, string>;
  /**
   * Guest path → directory. A string is a host directory (Node only); a `FileSystem` (e.g.
   * `MemoryFS`) works everywhere; `{ dir, readOnly: true }` mounts either read-only. Preopens get
   * descriptors 3, 4, … in the order given.
   */
  preopens?: Record<string, string | FileSystem | PreopenSpec>;
  stdin?: InputOption;
  stdout?: OutputOption;
  stderr?: OutputOption;
  /**
   * Fixed clocks (advancing by `clockStep` per read, and by the timeout when the guest sleeps)
   * and seeded randomness, for reproducible runs such as pre-initialization.
   */
  deterministic?: boolean | DeterministicOptions;
  /** Receives one strace-style line per call, e.g. `fd_write(1, 1024, 1, 2048) = SUCCESS`. */
  trace?: (line: string) => void;
  /** When false, `start` rethrows `ProcExit` instead of returning its code. Default true. */
  returnOnExit?: boolean;
  /** Host state from `saveState()` (e.g. stored with a snapshot): rebuild this descriptor table. */
  state?: HostState;
  /**
   * Also provide WASI 0.2 core-ABI functions (the CLI world: stdio streams, poll, clocks, random,
   * environment, exit; sockets, HTTP and preview2 files link but throw `WasiUnsupportedError` when
   * called) over the same state as preview1: the import module names to provide (for instance
   * `preview2ModuleNames(module)`), or `true` for every interface at every 0.2.x version (slower to
   * copy). Default: preview1 only.
   */
  preview2?: boolean | readonly string[];
}

/** One saved descriptor of `HostState`. */
export type SavedDescriptor =
  | {
      fd: number;
      kind: 'stdio';
      stdio: 0 | 1 | 2;
      filetype: number;
      rightsBase: number;
      rightsInheriting: number;
      flags: number;
    }
  | {
      fd: number;
      kind: 'dir';
      mount: string;
      path: string;
      preopen?: string;
      rightsBase: number;
      rightsInheriting: number;
      flags: number;
    }
  | {
      fd: number;
      kind: 'file';
      mount: string;
      path: string;
      position: number;
      writable: boolean;
      filetype: number;
      rightsBase: number;
      rightsInheriting: number;
      flags: number;
    };

/** The host side of a guest's state, as plain JSON: the descriptor table and deterministic counters. */
export interface HostState {
  version: 1;
  /** Guest names of every preopen configured when the state was saved. */
  mounts?: string[];
  fds: SavedDescriptor[];
  /** Deterministic mode: clock nanoseconds consumed and the generator state. */
  deterministic?: { clock: string; random: [number, number, number, number] };
}

/**
 * Options of `wasi.reset(options)`: what the next run gets. Each one not given takes its value from
 * the options the host was made with.
 */
export type WASIResetOptions = Pick<WASIOptions, 'args' | 'env' | 'preopens' | 'stdin' | 'stdout' | 'stderr'>;

/** Node- or browser-specific parts a platform entry point supplies. */
export interface HostPlatform extends StdioPlatform {
  hostDirectory(path: string, readOnly: boolean): FileSystem;
}

const encoder = new TextEncoder();

function toNanoseconds(name: string, value: bigint | number): bigint {
  if ((typeof value === 'bigint' || Number.isSafeInteger(value)) && value >= 0) return BigInt(value);
  throw new WasiConfigError(
    'ERR_WASI_BAD_CLOCK',
    `deterministic.${name} must be a non-negative integer of nanoseconds (a bigint), got ${String(value)}.`,
  );
}

function preopen(guest: string, fs: FileSystem): Descriptor {
  const d = new Descriptor(FileType.DIRECTORY, RIGHTS_DIR, RIGHTS_DIR | RIGHTS_FILE, 0);
  d.fs = fs;
  d.mount = guest;
  d.preopen = guest;
  d.preopenBytes = preopenName(guest);
  return d;
}

// Preopen names as fd_prestat_dir_name copies them out (never written): the same few names come
// back at every start and reset, and each TextEncoder call costs about half a microsecond.
const preopenNames = new Map<string, Uint8Array>();
function preopenName(guest: string): Uint8Array {
  let bytes = preopenNames.get(guest);
  if (bytes === undefined) {
    if (preopenNames.size >= 256) preopenNames.clear();
    bytes = encoder.encode(guest);
    preopenNames.set(guest, bytes);
  }
  return bytes;
}

/**
 * Each string in UTF-8 with a NUL after it, as args_get and environ_get hand them out, from one
 * encoding of them all (UTF-8 has no zero byte but NUL's, so the NULs split it exactly).
 */
function nulTerminated(items: readonly string[]): Uint8Array[] {
  if (items.length === 0) return [];
  if (items.some((item) => item.includes('\0'))) return items.map((item) => encoder.encode(`${item}\0`));
  const all = encoder.encode(`${items.join('\0')}\0`);
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < all.length; i++) {
    if (all[i] === 0) {
      out.push(all.subarray(start, i + 1));
      start = i + 1;
    }
  }
  return out;
}

const DEFAULT_START = 1_704_067_200_000_000_000n;

/**
 * A WASI preview1 host. Give `wasi.imports` to `WebAssembly.instantiate`, then `wasi.start(instance)`
 * (commands) or `wasi.initialize(instance)` (reactors). Guest mistakes become errno values; the only
 * exception that ever leaves an import is `ProcExit` (or `ExitStatusError` for a status above 125).
 */
export class WASI {
  /** Platform hooks; the Node entry point's subclass sets them. */
  protected static platform: HostPlatform | undefined = undefined;

  /**
   * The import object: `{ wasi_snapshot_preview1: { ...every preview1 function } }`, plus the
   * WASI 0.2 interfaces asked for with the `preview2` option, by import module name.
   */
  readonly imports: { wasi_snapshot_preview1: Preview1Imports } & Readonly<
    Record<string, WebAssembly.ModuleImports>
  >;

  private readonly host: HostControl;
  private readonly fds: (Descriptor | undefined)[];
  private mounts: Map<string, FileSystem>;
  private sinks: [Sink, Sink];
  private readonly returnOnExit: boolean;
  private readonly prng: Prng | undefined;
  private readonly preview2: Preview2 | undefined;
  /** This run's arguments and environment, as `args` and `env` give them (a reset changes them). */
  private argv: readonly string[];
  private environment: Readonly<Record<string, string>>;
  private started = false;
  /** The options the host was made with: what `reset` starts from. */
  private readonly options: WASIOptions;
  /** The deterministic clock and generator as a new host has them (`reset` puts them back). */
  private readonly clockStart: bigint = 0n;
  private readonly randomStart: [number, number, number, number] | undefined;

  constructor(options: WASIOptions) {
    // Plain-JS callers may write `new WASI()`.
    options ??= {};
    this.options = options;
    this.returnOnExit = options.returnOnExit ?? true;
    const armed = this.arm(options);
    this.fds = armed.fds;
    this.mounts = armed.mounts;
    this.sinks = armed.sinks;

    let deterministic: { startTime: bigint; step: bigint; prng: Prng } | undefined;
    if (options.deterministic) {
      const o = options.deterministic === true ? {} : options.deterministic;
      if (typeof o.seed === 'number' && !Number.isSafeInteger(o.seed)) {
        throw new WasiConfigError(
          'ERR_WASI_BAD_SEED',
          `deterministic.seed must be an integer (or a bigint), got ${o.seed}.`,
        );
      }
      this.prng = new Prng(o.seed ?? 0);
      deterministic = {
        startTime: toNanoseconds('startTime', o.startTime ?? DEFAULT_START),
        step: toNanoseconds('clockStep', o.clockStep ?? 1000n),
        prng: this.prng,
      };
    }
    const env = Object.entries(options.env ?? {});
    this.argv = Object.freeze([...(options.args ?? [])]);
    this.environment = Object.freeze(Object.fromEntries(env));
    this.host = createHost({
      args: nulTerminated(options.args ?? []),
      env: nulTerminated(env.map(([k, v]) => `${k}=${v}`)),
      envNames: env.map(([k]) => k),
      fds: this.fds,
      deterministic,
    });
    if (options.state?.deterministic !== undefined && this.prng !== undefined) {
      this.clockStart = BigInt(options.state.deterministic.clock);
      this.host.setClockOffset(this.clockStart);
      this.prng.state = options.state.deterministic.random;
    }
    this.randomStart = this.prng?.state;
    const imports =
      options.trace === undefined ? this.host.imports : traced(this.host.imports, this.host, options.trace);
    const p2 = options.preview2;
    this.preview2 =
      p2 === undefined || p2 === false
        ? undefined
        : createPreview2(this.host.services, options.args ?? [], env, p2);
    this.imports = { ...this.preview2?.imports, wasi_snapshot_preview1: imports };
  }

  /**
   * What `options` (over the construction options) make of stdio, preopens and the descriptor
   * table, built without changing this host, so that a failing reset leaves it as it was.
   */
  private arm(options: WASIOptions): {
    fds: (Descriptor | undefined)[];
    mounts: Map<string, FileSystem>;
    sinks: [Sink, Sink];
  } {
    const platform = (this.constructor as typeof WASI).platform;
    const source = makeSource(options.stdin, platform);
    const sinks: [Sink, Sink] = [
      makeSink(options.stdout, 1, platform),
      makeSink(options.stderr, 2, platform),
    ];
    const mounts = new Map<string, FileSystem>();
    for (const [guest, spec] of Object.entries(options.preopens ?? {})) {
      mounts.set(guest, toFileSystem(guest, spec, platform));
    }
    const fds: (Descriptor | undefined)[] = [];

    const stdio = (
      n: 0 | 1 | 2,
      filetype: number,
      rightsBase: number,
      rightsInheriting: number,
      flags: number,
    ) => {
      const d = new Descriptor(filetype, rightsBase, rightsInheriting, flags);
      d.stdio = n;
      if (n === 0) d.source = source;
      else d.sink = sinks[n - 1];
      return d;
    };
    const ttyType = (tty: boolean) => (tty ? FileType.CHARACTER_DEVICE : FileType.UNKNOWN);

    if (options.state === undefined) {
      fds.push(stdio(0, ttyType(source.tty), RIGHTS_STDIO & ~Rights.FD_WRITE, 0, 0));
      fds.push(stdio(1, ttyType(sinks[0].tty), RIGHTS_STDIO & ~Rights.FD_READ, 0, 0));
      fds.push(stdio(2, ttyType(sinks[1].tty), RIGHTS_STDIO & ~Rights.FD_READ, 0, 0));
      for (const [guest, fs] of mounts) fds.push(preopen(guest, fs));
    } else {
      restoreTable(options.state, mounts, fds, stdio);
      // Mounts that did not exist when the state was saved are new preopens, at the lowest free
      // descriptors (a libc that has not enumerated its preopens yet will find them there).
      const known = new Set(options.state.mounts ?? []);
      for (const s of options.state.fds) if (s.kind !== 'stdio') known.add(s.mount);
      for (const [guest, fs] of mounts) {
        if (known.has(guest)) continue;
        let fd = 3;
        while (fds[fd] !== undefined) fd++;
        fds[fd] = preopen(guest, fs);
      }
    }
    return { fds, mounts, sinks };
  }

  /**
   * Make this host as `new WASI({ ...constructionOptions, ...options })` would be, keeping its import
   * object and functions, so an instance linked to them can run again without relinking (a pool
   * of warm instances). Every descriptor the last run left is closed and the table rebuilt
   * (standard streams, preopens, the saved `state`'s descriptors, with their offsets, flags and
   * rights); arguments, environment and stdio are the new ones; the deterministic clock and
   * generator go back to where a new host starts; what the guest consumed, the bound memory, the
   * last host error and every WASI 0.2 resource handle are forgotten, and `start` may be called
   * again. File systems given in the options are the same objects, as they would be for a new
   * host: pass new ones (e.g. a new `MemoryFS` from its tree) in `preopens` to start afresh. When
   * the options are refused (a `WasiConfigError`, or a `WasiStateError` for a saved state that
   * no longer fits the files), the host is left as it was.
   */
  reset(options: WASIResetOptions = {}): void {
    const merged: WASIOptions = { ...this.options, ...options };
    const armed = this.arm(merged);
    this.close();
    const fds = this.fds;
    fds.length = 0;
    for (let fd = 0; fd < armed.fds.length; fd++) fds.push(armed.fds[fd]);
    this.mounts = armed.mounts;
    this.sinks = armed.sinks;
    const env = Object.entries(merged.env ?? {});
    const args = merged.args ?? [];
    this.argv = Object.freeze([...args]);
    this.environment = Object.freeze(Object.fromEntries(env));
    this.host.resetRun(
      {
        args: nulTerminated(args),
        env: nulTerminated(env.map(([k, v]) => `${k}=${v}`)),
        envNames: env.map(([k]) => k),
      },
      this.clockStart,
    );
    if (this.prng !== undefined && this.randomStart !== undefined) this.prng.state = this.randomStart;
    this.preview2?.reset(args, env);
    this.started = false;
  }

  /** The import object (same as `imports`), for code written against `node:wasi`. */
  getImportObject(): WASI['imports'] {
    return this.imports;
  }

  /**
   * Use `memory` for every later call (for callers who call exports themselves). Preview2
   * functions that return lists or strings also need the instance's `cabi_realloc` export.
   */
  bindMemory(memory: WebAssembly.Memory, realloc?: unknown): void {
    this.host.bindMemory(memory);
    this.preview2?.bind(memory, realloc);
  }

  /**
   * Run a command: bind `instance.exports.memory`, call `_start`, and return the exit code (0 when
   * `_start` returns; 0-125 from `proc_exit`). A trap propagates as the engine's
   * `WebAssembly.RuntimeError`; `proc_exit` with a status above 125 as `ExitStatusError`.
   */
  start(instance: WebAssembly.Instance): number {
    const start = instance.exports._start;
    if (typeof start !== 'function') {
      throw new WasiConfigError(
        'ERR_WASI_NO_START',
        'The instance has no `_start` export: it is not a WASI command. Use wasi.initialize() for reactors.',
      );
    }
    this.bind(instance);
    try {
      (start as () => void)();
      return 0;
    } catch (error) {
      if (error instanceof ProcExit && this.returnOnExit) return error.exitCode;
      throw error;
    }
  }

  /**
   * Close every descriptor and release the host resources behind them (open files of a host
   * directory hold OS file descriptors). Descriptors stay open after `start` returns, as with
   * node:wasi, so the instance's exports can still be called: call this when you are done.
   */
  close(): void {
    for (let fd = 0; fd < this.fds.length; fd++) {
      const d = this.fds[fd];
      this.fds[fd] = undefined;
      try {
        d?.handle?.close();
      } catch {
        // Closing is best effort: the descriptor is gone either way.
      }
    }
  }

  /** Initialize a reactor: bind `instance.exports.memory` and call `_initialize` if it is exported. */
  initialize(instance: WebAssembly.Instance): void {
    this.bind(instance);
    const init = instance.exports._initialize;
    if (typeof init === 'function') (init as () => void)();
  }

  private bind(instance: WebAssembly.Instance): void {
    if (this.started) {
      throw new WasiConfigError(
        'ERR_WASI_ALREADY_STARTED',
        'This WASI object already started an instance: create a new WASI object for each instance.',
      );
    }
    const memory = instance.exports.memory;
    if (!(memory instanceof WebAssembly.Memory)) {
      throw new WasiConfigError(
        'ERR_WASI_NO_MEMORY',
        'The instance does not export its memory as `memory`: WASI needs it to pass arguments.',
      );
    }
    this.started = true;
    this.host.bindMemory(memory);
    this.preview2?.bind(memory, instance.exports.cabi_realloc);
  }

  /** The guest's argv as configured, or as the last `reset` gave it (`args[0]` is the program name). */
  get args(): readonly string[] {
    return this.argv;
  }

  /** The guest's whole environment as configured, or as the last `reset` gave it. */
  get env(): Readonly<Record<string, string>> {
    return this.environment;
  }

  /**
   * Reads the guest's stdin (descriptor 0) to its end on the host's side, for an entry that takes
   * its input as parameters instead of reading it. A terminal is not read (nothing would end it but
   * the user's end-of-file): it gives no bytes. Waits while a stream has nothing yet. Throws
   * `WasiConfigError` (`ERR_WASI_STDIN_READ`) when reading fails.
   */
  async readStdin(): Promise<Uint8Array> {
    const source = this.fds[0]?.source;
    if (source === undefined || source.tty) return new Uint8Array(0);
    return readAll(sourceChunks(source));
  }

  /** Nondeterministic inputs the guest consumed so far. */
  get consumed(): Consumed {
    return this.host.consumed;
  }

  /** Everything written to stdout (`stdout: 'buffer'` only). */
  get stdout(): Uint8Array {
    return this.buffer(0).bytes();
  }
  /** Everything written to stderr (`stderr: 'buffer'` only). */
  get stderr(): Uint8Array {
    return this.buffer(1).bytes();
  }
  /** stdout decoded as UTF-8 (`stdout: 'buffer'` only). */
  stdoutText(): string {
    return new TextDecoder().decode(this.stdout);
  }
  /** stderr decoded as UTF-8 (`stderr: 'buffer'` only). */
  stderrText(): string {
    return new TextDecoder().decode(this.stderr);
  }

  private buffer(which: 0 | 1): BufferSink {
    const sink = this.sinks[which];
    if (!(sink instanceof BufferSink)) {
      const name = which === 0 ? 'stdout' : 'stderr';
      throw new WasiConfigError(
        'ERR_WASI_NOT_BUFFERED',
        `${name} is not buffered: pass { ${name}: 'buffer' } to read it.`,
      );
    }
    return sink;
  }

  /** The last unexpected host exception that a call reported to the guest as `EIO` (for debugging). */
  get lastHostError(): unknown {
    return this.host.lastHostError();
  }

  /**
   * The descriptor table (and deterministic counters) as JSON-serializable data, to store with a
   * snapshot and pass back as the `state` option. Throws `WasiStateError` when an open file can no
   * longer be found by its path (deleted or renamed while open).
   */
  saveState(): HostState {
    const fds: SavedDescriptor[] = [];
    this.fds.forEach((d, fd) => {
      if (d === undefined) return;
      const common = { rightsBase: d.rightsBase, rightsInheriting: d.rightsInheriting, flags: d.flags };
      if (d.stdio >= 0) {
        fds.push({ fd, kind: 'stdio', stdio: d.stdio as 0 | 1 | 2, filetype: d.filetype, ...common });
      } else if (d.handle === undefined) {
        fds.push({
          fd,
          kind: 'dir',
          mount: d.mount,
          path: d.path,
          ...(d.preopen === undefined ? {} : { preopen: d.preopen }),
          ...common,
        });
      } else {
        const now = d.fs?.lstat(d.path);
        const open = d.handle.stat();
        if (
          now === undefined ||
          typeof now === 'number' ||
          typeof open === 'number' ||
          now.ino !== open.ino
        ) {
          throw new WasiStateError(
            'ERR_WASI_STATE_FILE_MOVED',
            `Descriptor ${fd} is a file that was deleted or renamed after it was opened ("${d.mount}/${d.path}"): its state cannot be saved. Close it before the snapshot is taken.`,
          );
        }
        fds.push({
          fd,
          kind: 'file',
          mount: d.mount,
          path: d.path,
          position: d.position,
          writable: d.writable,
          filetype: d.filetype,
          ...common,
        });
      }
    });
    const state: HostState = { version: 1, mounts: [...this.mounts.keys()], fds };
    if (this.prng !== undefined) {
      state.deterministic = { clock: this.host.clockOffset().toString(), random: this.prng.state };
    }
    return state;
  }
}

/** Fills `fds` with the descriptors of saved host state, over the file systems of `mounts`. */
function restoreTable(
  state: HostState,
  mounts: Map<string, FileSystem>,
  fds: (Descriptor | undefined)[],
  stdio: (n: 0 | 1 | 2, filetype: number, base: number, inheriting: number, flags: number) => Descriptor,
): void {
  if (state?.version !== 1 || !Array.isArray(state.fds)) {
    throw new WasiStateError(
      'ERR_WASI_STATE_VERSION',
      'The `state` option is not host state saved by this version of @wasm-runtime/wasi (expected version 1).',
    );
  }
  for (const s of state.fds) {
    let d: Descriptor;
    if (s.kind === 'stdio') {
      d = stdio(s.stdio, s.filetype, s.rightsBase, s.rightsInheriting, s.flags);
    } else {
      const fs = mounts.get(s.mount);
      if (fs === undefined) {
        throw new WasiStateError(
          'ERR_WASI_STATE_MOUNT_MISSING',
          `The saved state has descriptor ${s.fd} on the preopen "${s.mount}", which is not in the preopens option: pass the same preopens as when the state was saved.`,
        );
      }
      const where = `"${s.mount}${s.path === '' ? '' : `/${s.path}`}"`;
      if (s.kind === 'dir') {
        const st = fs.lstat(s.path);
        if (typeof st === 'number' || st.filetype !== FileType.DIRECTORY) {
          throw new WasiStateError(
            'ERR_WASI_STATE_PATH_MISSING',
            `The saved state has directory descriptor ${s.fd} at ${where}, which is missing or not a directory now: restore the files the snapshot was taken with.`,
          );
        }
        d = new Descriptor(FileType.DIRECTORY, s.rightsBase, s.rightsInheriting, s.flags);
        if (s.preopen !== undefined) {
          d.preopen = s.preopen;
          d.preopenBytes = preopenName(s.preopen);
        }
      } else {
        const handle = fs.open(s.path, {
          create: false,
          exclusive: false,
          truncate: false,
          write: s.writable,
        });
        if (typeof handle === 'number') {
          throw new WasiStateError(
            'ERR_WASI_STATE_PATH_MISSING',
            `The saved state has file descriptor ${s.fd} at ${where}, which cannot be reopened (${errnoName(handle)}): restore the files the snapshot was taken with.`,
          );
        }
        d = new Descriptor(s.filetype, s.rightsBase, s.rightsInheriting, s.flags);
        d.handle = handle;
        d.position = s.position;
        d.writable = s.writable;
      }
      d.fs = fs;
      d.mount = s.mount;
      d.path = s.path;
    }
    fds[s.fd] = d;
  }
}

function toFileSystem(
  guest: string,
  spec: string | FileSystem | PreopenSpec,
  platform: HostPlatform | undefined,
): FileSystem {
  const { dir, readOnly } =
    typeof spec === 'string' || spec instanceof FileSystem ? { dir: spec, readOnly: false } : spec;
  if (typeof dir === 'string') {
    if (platform === undefined) {
      throw new WasiConfigError(
        'ERR_WASI_HOST_DIR_UNSUPPORTED',
        `Preopen "${guest}" names a host directory ("${dir}"), which needs Node.js: in a browser pass a MemoryFS.`,
      );
    }
    return platform.hostDirectory(dir, readOnly ?? false);
  }
  if (!(dir instanceof FileSystem)) {
    throw new WasiConfigError(
      'ERR_WASI_BAD_PREOPEN',
      `Preopen "${guest}" is neither a directory path nor a FileSystem (such as MemoryFS).`,
    );
  }
  return readOnly === true && !dir.readOnly ? new ReadOnlyFS(dir) : dir;
}

/** A read-only view of another file system. */
class ReadOnlyFS extends FileSystem {
  constructor(private readonly inner: FileSystem) {
    super();
    this.readOnly = true;
  }
  override lstat(path: string): Stat | number {
    return this.inner.lstat(path);
  }
  override filetype(path: string): number {
    return this.inner.filetype(path);
  }
  override readlink(path: string): string | number {
    return this.inner.readlink(path);
  }
  override readdir(path: string): DirEntry[] | number {
    return this.inner.readdir(path);
  }
  override open(path: string, flags: OpenFlags): FileHandle | number {
    if (flags.write || flags.truncate || flags.create) return Errno.ROFS;
    return this.inner.open(path, flags);
  }
  override mkdir(): number {
    return Errno.ROFS;
  }
  override rmdir(): number {
    return Errno.ROFS;
  }
  override unlink(): number {
    return Errno.ROFS;
  }
  override rename(): number {
    return Errno.ROFS;
  }
  override link(): number {
    return Errno.ROFS;
  }
  override symlink(): number {
    return Errno.ROFS;
  }
  override setTimes(): number {
    return Errno.ROFS;
  }
  override setSize(): number {
    return Errno.ROFS;
  }
}

/** Which arguments are (pointer, length) strings, per traced function. */
const TRACE_STRINGS: Record<string, number[]> = {
  path_create_directory: [1],
  path_filestat_get: [2],
  path_filestat_set_times: [2],
  path_link: [2, 5],
  path_open: [2],
  path_readlink: [1],
  path_remove_directory: [1],
  path_rename: [1, 4],
  path_symlink: [0, 3],
  path_unlink_file: [1],
};
/** Which argument points at a u32 result worth showing, and what it is. */
const TRACE_RESULTS: Record<string, [number, string]> = {
  path_open: [8, 'fd'],
  fd_read: [3, 'bytes'],
  fd_write: [3, 'bytes'],
  fd_pread: [4, 'bytes'],
  fd_pwrite: [4, 'bytes'],
};

function traced(imports: Preview1Imports, host: HostControl, trace: (line: string) => void): Preview1Imports {
  const emit = (line: string): void => {
    try {
      trace(line);
    } catch {
      // A failing tracer must not change what the guest sees.
    }
  };
  const out: Record<string, (...args: never[]) => unknown> = {};
  for (const [name, fn] of Object.entries(imports)) {
    const call = fn as (...args: unknown[]) => unknown;
    const strings = TRACE_STRINGS[name] ?? [];
    const result = TRACE_RESULTS[name];
    out[name] = (...args: unknown[]) => {
      const shown: string[] = [];
      for (let i = 0; i < args.length; i++) {
        if (strings.includes(i)) {
          const text = host.peek(args[i] as number, args[i + 1] as number);
          shown.push(text === undefined ? `<bad ${args[i]}>` : JSON.stringify(text));
          i++;
        } else {
          const value = args[i];
          shown.push(typeof value === 'bigint' ? `${value}n` : String(value));
        }
      }
      try {
        const r = call(...args);
        let tail = '';
        if (r === 0 && result !== undefined)
          tail = ` (${result[1]} ${host.peekU32(args[result[0]] as number)})`;
        emit(`${name}(${shown.join(', ')}) = ${typeof r === 'number' ? errnoName(r) : 'void'}${tail}`);
        return r;
      } catch (error) {
        if (error instanceof ProcExit) emit(`${name}(${shown.join(', ')}) -> exit ${error.exitCode}`);
        else if (error instanceof ExitStatusError)
          emit(`${name}(${shown.join(', ')}) -> invalid exit status`);
        throw error;
      }
    };
  }
  return out as unknown as Preview1Imports;
}
