import * as nodeFs from 'node:fs';
import * as nodePath from 'node:path';
import { Errno, FileType } from '../constants.js';
import { WasiConfigError } from '../errors.js';
import { type DirEntry, FileHandle, FileSystem, type OpenFlags, type Stat } from './file-system.js';

const C = nodeFs.constants;
const WINDOWS = process.platform === 'win32';

/**
 * Node error codes that are spelled differently from the WASI errno names (`E` + name), or that
 * WASI folds into another errno.
 */
const NODE_ALIASES: Readonly<Record<string, number>> = {
  E2BIG: Errno.TOOBIG,
  EWOULDBLOCK: Errno.AGAIN,
  EOPNOTSUPP: Errno.NOTSUP,
  EDEADLOCK: Errno.DEADLK,
};

// Every WASI errno by its POSIX name: `ENOSPC` → NOSPC, `EDQUOT` → DQUOT, ... so no host error that
// WASI can name falls through to EIO. NOTCAPABLE has no host counterpart.
const FROM_NODE = new Map<string, number>(
  Object.entries(Errno)
    .filter(([name]) => name !== 'SUCCESS' && name !== 'TOOBIG' && name !== 'NOTCAPABLE')
    .map(([name, value]): [string, number] => [`E${name}`, value]),
);
for (const [code, value] of Object.entries(NODE_ALIASES)) FROM_NODE.set(code, value);

/** The WASI errno for a Node.js system error (by its `code`); EIO for anything WASI cannot name. */
export function errnoFromNode(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === 'string' ? FROM_NODE.get(code) : undefined) ?? Errno.IO;
}

function filetypeOf(stat: nodeFs.Stats | nodeFs.BigIntStats | nodeFs.Dirent): number {
  if (stat.isFile()) return FileType.REGULAR_FILE;
  if (stat.isDirectory()) return FileType.DIRECTORY;
  if (stat.isSymbolicLink()) return FileType.SYMBOLIC_LINK;
  if (stat.isCharacterDevice()) return FileType.CHARACTER_DEVICE;
  if (stat.isBlockDevice()) return FileType.BLOCK_DEVICE;
  if (stat.isSocket()) return FileType.SOCKET_STREAM;
  return FileType.UNKNOWN;
}

/**
 * Node sets file times from a double of seconds, which keeps about a microsecond. A guest that sets
 * a time and reads it back expects the exact nanoseconds, so the backend remembers what it set and
 * reports it while the file system still holds the rounded value (a later change by anyone wins).
 */
type TimeOverlay = Map<bigint, { atim?: bigint; mtim?: bigint }>;

const near = (a: bigint, b: bigint): boolean => (a > b ? a - b : b - a) < 2000n;

function toStat(s: nodeFs.BigIntStats, overlay: TimeOverlay): Stat {
  const set = overlay.get(s.ino);
  return {
    dev: s.dev,
    ino: s.ino,
    filetype: filetypeOf(s),
    nlink: s.nlink,
    size: s.size,
    atim: set?.atim !== undefined && near(set.atim, s.atimeNs) ? set.atim : s.atimeNs,
    mtim: set?.mtim !== undefined && near(set.mtim, s.mtimeNs) ? set.mtim : s.mtimeNs,
    ctim: s.ctimeNs,
  };
}

function remember(
  overlay: TimeOverlay,
  ino: bigint,
  atim: bigint | undefined,
  mtim: bigint | undefined,
): void {
  const entry = overlay.get(ino) ?? {};
  if (atim !== undefined) entry.atim = atim;
  if (mtim !== undefined) entry.mtim = mtim;
  overlay.set(ino, entry);
}

const toSeconds = (ns: bigint): number => Number(ns / 1000n) / 1e6;

/** Options of a `NodeFS`. */
export interface NodeFSOptions {
  /** Refuse every mutation with `EROFS` and open files for reading only. */
  readOnly?: boolean;
}

/**
 * A real host directory, through Node's synchronous `fs` API, confined to its root: the WASI host
 * resolves every path component itself (lstat + readlink, never letting the OS follow a link), and
 * final components are opened with `O_NOFOLLOW`, so neither `..`, absolute paths nor symlinks lead
 * outside. (A concurrent host process swapping a directory for a symlink between the check and the
 * use is not defended against: give untrusted guests a directory nobody else writes.)
 */
export class NodeFS extends FileSystem {
  /** The absolute host path of the mount root. */
  readonly root: string;
  private readonly overlay: TimeOverlay = new Map();

  constructor(root: string, options: NodeFSOptions = {}) {
    super();
    this.root = nodePath.resolve(root);
    this.readOnly = options.readOnly ?? false;
    let stat: nodeFs.Stats;
    try {
      stat = nodeFs.statSync(this.root);
    } catch (cause) {
      throw new WasiConfigError(
        'ERR_WASI_PREOPEN_MISSING',
        `The preopened host directory "${this.root}" does not exist or cannot be read: create it or fix the preopens option.`,
        { cause },
      );
    }
    if (!stat.isDirectory()) {
      throw new WasiConfigError(
        'ERR_WASI_PREOPEN_NOT_DIR',
        `The preopened host path "${this.root}" is not a directory: preopens map guest paths to directories.`,
      );
    }
  }

  private host(path: string): string {
    // On Windows `\` and `:` are separators (or drive/stream syntax) the guest's `/`-based path
    // resolution never saw: a name holding them could step outside, so it names nothing.
    if (WINDOWS && /[\\:]/.test(path)) throw Object.assign(new Error(path), { code: 'ENOENT' });
    return path === '' ? this.root : `${this.root}/${path}`;
  }

  override lstat(path: string): Stat | number {
    try {
      const s = nodeFs.lstatSync(this.host(path), { bigint: true, throwIfNoEntry: false });
      return s === undefined ? Errno.NOENT : toStat(s, this.overlay);
    } catch (error) {
      return errnoFromNode(error);
    }
  }

  override filetype(path: string): number {
    try {
      const s = nodeFs.lstatSync(this.host(path), { throwIfNoEntry: false });
      return s === undefined ? -Errno.NOENT : filetypeOf(s);
    } catch (error) {
      return -errnoFromNode(error);
    }
  }

  override readlink(path: string): string | number {
    try {
      return nodeFs.readlinkSync(this.host(path), 'utf8');
    } catch (error) {
      return errnoFromNode(error);
    }
  }

  override open(path: string, flags: OpenFlags): FileHandle | number {
    if (this.readOnly) {
      if (flags.write || flags.truncate) return Errno.ROFS;
      if (flags.create) {
        if (typeof this.lstat(path) === 'number') return Errno.ROFS;
        if (flags.exclusive) return Errno.EXIST;
      }
    }
    let mode = (flags.write || flags.truncate ? C.O_RDWR : C.O_RDONLY) | C.O_NOFOLLOW;
    if (flags.create && !this.readOnly) mode |= C.O_CREAT;
    if (flags.exclusive && !this.readOnly) mode |= C.O_EXCL;
    if (flags.truncate) mode |= C.O_TRUNC;
    if (flags.nonblock && C.O_NONBLOCK !== undefined) mode |= C.O_NONBLOCK;
    try {
      const fd = nodeFs.openSync(this.host(path), mode, 0o666);
      return new NodeFileHandle(fd, this.overlay);
    } catch (error) {
      return errnoFromNode(error);
    }
  }

  override readdir(path: string): DirEntry[] | number {
    try {
      const dir = this.host(path);
      const out: DirEntry[] = [];
      for (const entry of nodeFs.readdirSync(dir, { withFileTypes: true })) {
        const s = nodeFs.lstatSync(`${dir}/${entry.name}`, { bigint: true, throwIfNoEntry: false });
        if (s === undefined) continue;
        out.push({ name: entry.name, filetype: filetypeOf(s), ino: s.ino });
      }
      return out;
    } catch (error) {
      return errnoFromNode(error);
    }
  }

  private mutate(op: () => void): number {
    if (this.readOnly) return Errno.ROFS;
    try {
      op();
      return Errno.SUCCESS;
    } catch (error) {
      return errnoFromNode(error);
    }
  }

  override mkdir(path: string): number {
    return this.mutate(() => nodeFs.mkdirSync(this.host(path)));
  }
  override rmdir(path: string): number {
    if (path === '') return this.readOnly ? Errno.ROFS : Errno.BUSY;
    return this.mutate(() => nodeFs.rmdirSync(this.host(path)));
  }
  override unlink(path: string): number {
    return this.mutate(() => nodeFs.unlinkSync(this.host(path)));
  }
  override rename(from: string, to: string): number {
    return this.mutate(() => nodeFs.renameSync(this.host(from), this.host(to)));
  }
  override link(from: string, to: string): number {
    return this.mutate(() => nodeFs.linkSync(this.host(from), this.host(to)));
  }
  override symlink(target: string, path: string): number {
    return this.mutate(() => nodeFs.symlinkSync(target, this.host(path)));
  }
  override setTimes(path: string, atim: bigint | undefined, mtim: bigint | undefined): number {
    return this.mutate(() => {
      const host = this.host(path);
      const s = toStat(nodeFs.lstatSync(host, { bigint: true }), this.overlay);
      nodeFs.lutimesSync(host, toSeconds(atim ?? s.atim), toSeconds(mtim ?? s.mtim));
      remember(this.overlay, s.ino, atim ?? s.atim, mtim ?? s.mtim);
    });
  }
  override setSize(path: string, size: number): number {
    return this.mutate(() => nodeFs.truncateSync(this.host(path), size));
  }
}

class NodeFileHandle extends FileHandle {
  constructor(
    private fd: number,
    private readonly overlay: TimeOverlay,
  ) {
    super();
  }
  override read(into: Uint8Array, offset: number, length: number, position: number): number {
    try {
      return nodeFs.readSync(this.fd, into, offset, length, position < 0 ? null : position);
    } catch (error) {
      return -errnoFromNode(error);
    }
  }
  override write(from: Uint8Array, offset: number, length: number, position: number): number {
    try {
      return nodeFs.writeSync(this.fd, from, offset, length, position < 0 ? null : position);
    } catch (error) {
      return -errnoFromNode(error);
    }
  }
  override stat(): Stat | number {
    try {
      return toStat(nodeFs.fstatSync(this.fd, { bigint: true }), this.overlay);
    } catch (error) {
      return errnoFromNode(error);
    }
  }
  override setSize(size: number): number {
    try {
      nodeFs.ftruncateSync(this.fd, size);
      return Errno.SUCCESS;
    } catch (error) {
      return errnoFromNode(error);
    }
  }
  override setTimes(atim: bigint | undefined, mtim: bigint | undefined): number {
    try {
      const s = toStat(nodeFs.fstatSync(this.fd, { bigint: true }), this.overlay);
      nodeFs.futimesSync(this.fd, toSeconds(atim ?? s.atim), toSeconds(mtim ?? s.mtim));
      remember(this.overlay, s.ino, atim ?? s.atim, mtim ?? s.mtim);
      return Errno.SUCCESS;
    } catch (error) {
      return errnoFromNode(error);
    }
  }
  override sync(): number {
    try {
      nodeFs.fsyncSync(this.fd);
      return Errno.SUCCESS;
    } catch (error) {
      return errnoFromNode(error);
    }
  }
  override close(): void {
    if (this.fd < 0) return;
    try {
      nodeFs.closeSync(this.fd);
    } catch {
      // Closing can only fail on an already-invalid fd; nothing useful to report to the guest.
    }
    this.fd = -1;
  }
}
