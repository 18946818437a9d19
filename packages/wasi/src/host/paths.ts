import {
  Errno,
  FdFlags,
  FileType,
  LookupFlags,
  OFlags,
  RIGHTS_DIR,
  RIGHTS_FILE,
  Rights,
} from '../constants.js';
import { type FileHandle, type FileSystem, joinPath, type Stat } from '../fs/file-system.js';
import type { Preview1Imports } from '../host.js';
import { Descriptor, type HostState } from './state.js';

const encoder = new TextEncoder();
const SYMLINK_LIMIT = 40;
const WRITE_RIGHTS = Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE;

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

type PathImports = Pick<
  Preview1Imports,
  | 'path_create_directory'
  | 'path_filestat_get'
  | 'path_filestat_set_times'
  | 'path_link'
  | 'path_open'
  | 'path_readlink'
  | 'path_remove_directory'
  | 'path_rename'
  | 'path_symlink'
  | 'path_unlink_file'
>;

/** `path_*`: names resolved under a directory descriptor, sandboxed to its preopen. */
export function pathImports(s: HostState): PathImports {
  const { fds, clock } = s;

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
    const text = s.readString(ptr >>> 0, len >>> 0);
    if (typeof text === 'number') return text;
    return resolvePath(d, text, follow, wantStat);
  }

  return {
    path_create_directory(fd: number, ptr: number, len: number): number {
      try {
        if (s.view.length === 0) s.refresh();
        const r = resolveAt(fd, Rights.PATH_CREATE_DIRECTORY, ptr, len, false);
        if (typeof r === 'number') return r;
        if (r.isBase) return Errno.EXIST;
        const st = r.fs.filetype(r.path);
        if (st >= 0) return Errno.EXIST;
        if (st !== -Errno.NOENT) return -st;
        if (r.fs.readOnly) return Errno.ROFS;
        return r.fs.mkdir(r.path);
      } catch (error) {
        return s.fail(error);
      }
    },

    path_filestat_get(fd: number, flags: number, ptr: number, len: number, buf: number): number {
      try {
        if (s.view.length === 0) s.refresh();
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
        if (buf + 64 > s.u8.length) return Errno.FAULT;
        const st = r.stat ?? r.fs.lstat(r.path);
        if (typeof st === 'number') return st;
        if (r.mustBeDir && st.filetype !== FileType.DIRECTORY) return Errno.NOTDIR;
        s.writeStat(buf, st);
        return Errno.SUCCESS;
      } catch (error) {
        return s.fail(error);
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
        if (s.view.length === 0) s.refresh();
        const r = resolveAt(
          fd,
          Rights.PATH_FILESTAT_SET_TIMES,
          ptr,
          len,
          (flags & LookupFlags.SYMLINK_FOLLOW) !== 0,
        );
        if (typeof r === 'number') return r;
        const times = clock.timesFrom(atim, mtim, fst);
        if (typeof times === 'number') return times;
        const st = r.fs.filetype(r.path);
        if (st < 0) return -st;
        if (r.mustBeDir && st !== FileType.DIRECTORY) return Errno.NOTDIR;
        return r.fs.setTimes(r.path, times[0], times[1]);
      } catch (error) {
        return s.fail(error);
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
        if (s.view.length === 0) s.refresh();
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
        return s.fail(error);
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
        if (s.view.length === 0) s.refresh();
        const dir = fds[fd];
        if (dir === undefined) return Errno.BADF;
        resultPtr >>>= 0;
        if (resultPtr + 4 > s.u8.length) return Errno.FAULT;
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
            s.dv.setUint32(resultPtr, s.allocFd(d), true);
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
        s.dv.setUint32(resultPtr, s.allocFd(d), true);
        return Errno.SUCCESS;
      } catch (error) {
        return s.fail(error);
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
        if (s.view.length === 0) s.refresh();
        const r = resolveAt(fd, Rights.PATH_READLINK, ptr, len, false);
        if (typeof r === 'number') return r;
        buf >>>= 0;
        bufLen >>>= 0;
        usedPtr >>>= 0;
        if (buf + bufLen > s.u8.length || usedPtr + 4 > s.u8.length) return Errno.FAULT;
        if (r.isBase) return Errno.INVAL;
        const target = r.fs.readlink(r.path);
        if (typeof target === 'number') return target;
        const bytes = encoder.encode(target);
        const n = Math.min(bytes.length, bufLen);
        s.u8.set(bytes.subarray(0, n), buf);
        s.dv.setUint32(usedPtr, n, true);
        return Errno.SUCCESS;
      } catch (error) {
        return s.fail(error);
      }
    },

    path_remove_directory(fd: number, ptr: number, len: number): number {
      try {
        if (s.view.length === 0) s.refresh();
        const r = resolveAt(fd, Rights.PATH_REMOVE_DIRECTORY, ptr, len, false);
        if (typeof r === 'number') return r;
        if (r.isBase) return Errno.INVAL;
        const st = r.fs.filetype(r.path);
        if (st < 0) return -st;
        if (st !== FileType.DIRECTORY) return Errno.NOTDIR;
        if (r.fs.readOnly) return Errno.ROFS;
        return r.fs.rmdir(r.path);
      } catch (error) {
        return s.fail(error);
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
        if (s.view.length === 0) s.refresh();
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
        return s.fail(error);
      }
    },

    path_symlink(oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number): number {
      try {
        if (s.view.length === 0) s.refresh();
        const target = s.readString(oldPtr >>> 0, oldLen >>> 0);
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
        return s.fail(error);
      }
    },

    path_unlink_file(fd: number, ptr: number, len: number): number {
      try {
        if (s.view.length === 0) s.refresh();
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
        return s.fail(error);
      }
    },
  };
}
