import { Errno } from '../constants.js';

/** What `lstat`-style calls report: the fields of a WASI `filestat`. Times are nanoseconds. */
export interface Stat {
  dev: bigint;
  ino: bigint;
  filetype: number;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

/** One entry of a directory listing (without `.` and `..`, which the host adds). */
export interface DirEntry {
  name: string;
  filetype: number;
  ino: bigint;
}

/** How `FileSystem.open` should open a file. */
export interface OpenFlags {
  create: boolean;
  exclusive: boolean;
  truncate: boolean;
  /** Open for writing (the descriptor holds a write-ish right). */
  write: boolean;
  /** Never block in open or read (FDFLAGS_NONBLOCK, or a FIFO/device that could block forever). */
  nonblock?: boolean;
}

/**
 * An open regular file. Every method returns `Errno.NOTSUP` (or `-Errno.NOTSUP` for byte counts)
 * unless a backend overrides it. Byte counts are returned as non-negative numbers, failures as a
 * negated errno, so the hot paths allocate nothing.
 */
export class FileHandle {
  /**
   * Read up to `length` bytes at `position` into `into[offset..]`; bytes read or `-errno`. A
   * position of -1 reads from a stream without an offset (a FIFO or a device).
   */
  read(_into: Uint8Array, _offset: number, _length: number, _position: number): number {
    return -Errno.NOTSUP;
  }
  /** Write `from[offset..offset+length]` at `position` (-1: a stream); bytes written or `-errno`. */
  write(_from: Uint8Array, _offset: number, _length: number, _position: number): number {
    return -Errno.NOTSUP;
  }
  /** The file's metadata, or an errno. */
  stat(): Stat | number {
    return Errno.NOTSUP;
  }
  /** Truncate or extend to `size` bytes. */
  setSize(_size: number): number {
    return Errno.NOTSUP;
  }
  /** Set access/modification times (nanoseconds); `undefined` leaves a time unchanged. */
  setTimes(_atim: bigint | undefined, _mtim: bigint | undefined): number {
    return Errno.NOTSUP;
  }
  /** Flush data and metadata. */
  sync(): number {
    return Errno.SUCCESS;
  }
  /** Release the handle. */
  close(): void {}
}

/**
 * A file system behind a preopen. Paths are relative to the mount root, `/`-separated, already
 * normalized and free of symlinks in every component but possibly the last: the WASI host resolves
 * `.`, `..` and symlinks itself, component by component, so a backend never follows a link and a
 * guest never leaves its mount. The root is `''`. Every method returns `Errno.NOTSUP` unless a
 * backend overrides it.
 */
export class FileSystem {
  /** Mutations fail with `EROFS` and files cannot be opened for writing. */
  readOnly = false;

  /** Metadata of `path` without following a final symlink, or an errno. */
  lstat(_path: string): Stat | number {
    return Errno.NOTSUP;
  }
  /**
   * The file type at `path` (not following a final symlink), or a negated errno. Path resolution
   * calls this for every component; backends may answer it more cheaply than `lstat`.
   */
  filetype(path: string): number {
    const st = this.lstat(path);
    return typeof st === 'number' ? -st : st.filetype;
  }
  /** The target of the symlink at `path`, or an errno. */
  readlink(_path: string): string | number {
    return Errno.NOTSUP;
  }
  /** Open (and maybe create) the regular file at `path`. */
  open(_path: string, _flags: OpenFlags): FileHandle | number {
    return Errno.NOTSUP;
  }
  /** The entries of the directory at `path`. */
  readdir(_path: string): DirEntry[] | number {
    return Errno.NOTSUP;
  }
  /** Create a directory. */
  mkdir(_path: string): number {
    return Errno.NOTSUP;
  }
  /** Remove an empty directory. */
  rmdir(_path: string): number {
    return Errno.NOTSUP;
  }
  /** Remove a file or symlink. */
  unlink(_path: string): number {
    return Errno.NOTSUP;
  }
  /** Rename within this file system, replacing `to` as POSIX `rename` does. */
  rename(_from: string, _to: string): number {
    return Errno.NOTSUP;
  }
  /** Create a hard link `to` of the file at `from`. */
  link(_from: string, _to: string): number {
    return Errno.NOTSUP;
  }
  /** Create a symlink at `path` holding `target`. */
  symlink(_target: string, _path: string): number {
    return Errno.NOTSUP;
  }
  /** Set times of `path` (not following a final symlink); `undefined` leaves a time unchanged. */
  setTimes(_path: string, _atim: bigint | undefined, _mtim: bigint | undefined): number {
    return Errno.NOTSUP;
  }
  /** Truncate or extend the file at `path`. */
  setSize(_path: string, _size: number): number {
    return Errno.NOTSUP;
  }
}

/** Join a mount-relative directory path and a name. */
export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}
