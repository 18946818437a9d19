import { Errno, FileType } from '../constants.js';
import { WasiConfigError } from '../errors.js';
import { type DirEntry, FileHandle, FileSystem, type OpenFlags, type Stat } from './file-system.js';

/** A tree to build a `MemoryFS` from: file contents (text or bytes) or nested directories. */
export interface MemoryTree {
  [name: string]: string | Uint8Array | MemoryTree | { symlink: string };
}

/** Options of a `MemoryFS`. */
export interface MemoryFSOptions {
  /** Refuse every mutation with `EROFS`. */
  readOnly?: boolean;
  /** Clock for timestamps of files created or modified at run time (nanoseconds). Default: real time. */
  now?: () => bigint;
  /** Timestamp of the nodes built from the tree or archive. Default `0n`, so builds are reproducible. */
  time?: bigint;
}

interface NodeBase {
  ino: bigint;
  nlink: number;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}
interface FileNode extends NodeBase {
  kind: 'file';
  data: Uint8Array;
  size: number;
}
interface DirNode extends NodeBase {
  kind: 'dir';
  entries: Map<string, Node>;
  parent: DirNode | undefined;
}
interface LinkNode extends NodeBase {
  kind: 'link';
  target: string;
}
type Node = FileNode | DirNode | LinkNode;

const encoder = new TextEncoder();
let nextDev = 1n;
const CACHE_LIMIT = 8192;

function realNow(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * An in-memory file system: files, directories and symlinks held in JavaScript objects. Works in
 * browsers and Node; build it empty, from a tree object (`new MemoryFS({ 'a.txt': 'hi', src: {} })`)
 * or from a tar archive (`MemoryFS.fromTar(bytes)`).
 */
export class MemoryFS extends FileSystem {
  private readonly root: DirNode;
  /** Path → node for lookups that succeeded; cleared by every change to the tree's shape. */
  private readonly cache = new Map<string, Node>();
  private readonly dev = nextDev++;
  private nextIno = 1n;
  private readonly now: () => bigint;
  private readonly time: bigint;
  /** What open files need from their file system, without widening its public surface. */
  private readonly files: FileContext = {
    readOnly: () => this.readOnly,
    now: () => this.now(),
    stat: (node) => this.statOf(node),
  };

  constructor(tree: MemoryTree = {}, options: MemoryFSOptions = {}) {
    super();
    this.now = options.now ?? realNow;
    this.time = options.time ?? 0n;
    this.root = this.newDir(undefined, this.time);
    this.addTree(this.root, tree, '');
    this.readOnly = options.readOnly ?? false;
  }

  /**
   * Build a file system from a tar archive (ustar, with GNU long names and pax `path`/`linkpath`
   * records). Regular files, directories, symlinks and hard links are kept; other entry types are skipped.
   */
  static fromTar(archive: Uint8Array, options: MemoryFSOptions = {}): MemoryFS {
    const fs = new MemoryFS({}, { ...options, readOnly: false });
    const decoder = new TextDecoder();
    const field = (at: number, len: number): string => {
      let end = at;
      while (end < at + len && archive[end] !== 0) end++;
      return decoder.decode(archive.subarray(at, end));
    };
    const octal = (at: number, len: number): number => {
      const text = field(at, len).trim();
      return text === '' ? 0 : Number.parseInt(text, 8);
    };
    let offset = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    while (offset + 512 <= archive.length) {
      if (archive.subarray(offset, offset + 512).every((b) => b === 0)) break;
      const size = octal(offset + 124, 12);
      const type = String.fromCharCode(archive[offset + 156] ?? 0);
      const magic = field(offset + 257, 6);
      let name = field(offset, 100);
      const prefix = magic.startsWith('ustar') ? field(offset + 345, 155) : '';
      if (prefix !== '') name = `${prefix}/${name}`;
      let link = field(offset + 157, 100);
      const bodyStart = offset + 512;
      if (bodyStart + size > archive.length) {
        throw new WasiConfigError(
          'ERR_WASI_TAR_TRUNCATED',
          `The tar archive is truncated: entry "${name}" needs ${size} bytes at offset ${bodyStart}, the archive has ${archive.length}. Pass the complete archive.`,
        );
      }
      const body = archive.subarray(bodyStart, bodyStart + size);
      offset = bodyStart + Math.ceil(size / 512) * 512;
      if (type === 'L') {
        longName = decoder.decode(body).replace(/\0+$/, '');
        continue;
      }
      if (type === 'K') {
        longLink = decoder.decode(body).replace(/\0+$/, '');
        continue;
      }
      if (type === 'x') {
        for (const record of decoder.decode(body).split('\n')) {
          const match = /^\d+ ([^=]+)=(.*)$/.exec(record);
          if (match?.[1] === 'path') longName = match[2];
          if (match?.[1] === 'linkpath') longLink = match[2];
        }
        continue;
      }
      if (type === 'g') continue;
      if (longName !== undefined) name = longName;
      if (longLink !== undefined) link = longLink;
      longName = undefined;
      longLink = undefined;
      const parts = name.split('/').filter((part) => part !== '' && part !== '.');
      if (parts.length === 0 || parts.includes('..')) continue;
      const leaf = parts.pop()!;
      const dir = fs.mkdirs(parts);
      const mtim = BigInt(octal(bodyStart - 512 + 136, 12)) * 1_000_000_000n;
      if (type === '5') {
        fs.mkdirs([...parts, leaf]);
      } else if (type === '2') {
        dir.entries.set(leaf, fs.newLink(link, mtim));
      } else if (type === '1') {
        const target = fs.lookup(link.split('/').filter((p) => p !== '' && p !== '.'));
        if (target?.kind === 'file') {
          target.nlink++;
          dir.entries.set(leaf, target);
        }
      } else if (type === '0' || type === '\0' || type === '7') {
        dir.entries.set(leaf, fs.newFile(body.slice(), mtim));
      }
    }
    fs.cache.clear();
    fs.readOnly = options.readOnly ?? false;
    return fs;
  }

  private newDir(parent: DirNode | undefined, time: bigint): DirNode {
    return {
      kind: 'dir',
      entries: new Map(),
      parent,
      ino: this.nextIno++,
      nlink: 2,
      atim: time,
      mtim: time,
      ctim: time,
    };
  }
  private newFile(data: Uint8Array, time: bigint): FileNode {
    return {
      kind: 'file',
      data,
      size: data.length,
      ino: this.nextIno++,
      nlink: 1,
      atim: time,
      mtim: time,
      ctim: time,
    };
  }
  private newLink(target: string, time: bigint): LinkNode {
    return { kind: 'link', target, ino: this.nextIno++, nlink: 1, atim: time, mtim: time, ctim: time };
  }

  private addTree(dir: DirNode, tree: MemoryTree, where: string): void {
    for (const [name, value] of Object.entries(tree)) {
      if (name === '' || name === '.' || name === '..' || name.includes('/')) {
        throw new WasiConfigError(
          'ERR_WASI_MEMFS_BAD_NAME',
          `MemoryFS tree entry "${where}${name}" is not a valid file name: use nested objects for directories.`,
        );
      }
      if (typeof value === 'string') dir.entries.set(name, this.newFile(encoder.encode(value), this.time));
      else if (value instanceof Uint8Array) dir.entries.set(name, this.newFile(value.slice(), this.time));
      else if (typeof (value as { symlink?: unknown }).symlink === 'string') {
        dir.entries.set(name, this.newLink((value as { symlink: string }).symlink, this.time));
      } else {
        const sub = this.newDir(dir, this.time);
        dir.entries.set(name, sub);
        this.addTree(sub, value as MemoryTree, `${where}${name}/`);
      }
    }
  }

  private mkdirs(parts: string[]): DirNode {
    let dir = this.root;
    for (const part of parts) {
      const next = dir.entries.get(part);
      if (next?.kind === 'dir') dir = next;
      else {
        const created = this.newDir(dir, this.time);
        dir.entries.set(part, created);
        dir = created;
      }
    }
    return dir;
  }

  private lookup(parts: string[]): Node | undefined {
    let node: Node = this.root;
    for (const part of parts) {
      if (node.kind !== 'dir') return undefined;
      const next: Node | undefined = node.entries.get(part);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  /** Resolve a mount path to its node, or an errno. */
  private find(path: string): Node | number {
    if (path === '') return this.root;
    const hit = this.cache.get(path);
    if (hit !== undefined) return hit;
    let node: Node = this.root;
    for (const part of path.split('/')) {
      if (node.kind !== 'dir') return Errno.NOTDIR;
      const next = node.entries.get(part);
      if (next === undefined) return Errno.NOENT;
      node = next;
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(path, node);
    return node;
  }

  /** The parent directory of `path` and the last name, or an errno. */
  private parentOf(path: string): [DirNode, string] | number {
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? this.root : this.find(path.slice(0, slash));
    if (typeof parent === 'number') return parent;
    if (parent.kind !== 'dir') return Errno.NOTDIR;
    return [parent, path.slice(slash + 1)];
  }

  private statOf(node: Node): Stat {
    return {
      dev: this.dev,
      ino: node.ino,
      filetype:
        node.kind === 'file'
          ? FileType.REGULAR_FILE
          : node.kind === 'dir'
            ? FileType.DIRECTORY
            : FileType.SYMBOLIC_LINK,
      nlink: BigInt(node.nlink),
      size: BigInt(
        node.kind === 'file' ? node.size : node.kind === 'link' ? encoder.encode(node.target).length : 4096,
      ),
      atim: node.atim,
      mtim: node.mtim,
      ctim: node.ctim,
    };
  }

  override lstat(path: string): Stat | number {
    const node = this.find(path);
    return typeof node === 'number' ? node : this.statOf(node);
  }

  override filetype(path: string): number {
    const node = this.find(path);
    if (typeof node === 'number') return -node;
    return node.kind === 'file'
      ? FileType.REGULAR_FILE
      : node.kind === 'dir'
        ? FileType.DIRECTORY
        : FileType.SYMBOLIC_LINK;
  }

  override readlink(path: string): string | number {
    const node = this.find(path);
    if (typeof node === 'number') return node;
    return node.kind === 'link' ? node.target : Errno.INVAL;
  }

  override open(path: string, flags: OpenFlags): FileHandle | number {
    if (this.readOnly && (flags.write || flags.truncate)) return Errno.ROFS;
    let node = this.find(path);
    if (node === Errno.NOENT && flags.create) {
      if (this.readOnly) return Errno.ROFS;
      const parent = this.parentOf(path);
      if (typeof parent === 'number') return parent;
      node = this.newFile(new Uint8Array(0), this.now());
      parent[0].entries.set(parent[1], node);
      this.cache.clear();
      parent[0].mtim = parent[0].ctim = node.mtim;
    } else if (typeof node !== 'number' && flags.create && flags.exclusive) {
      return Errno.EXIST;
    }
    if (typeof node === 'number') return node;
    if (node.kind === 'dir') return Errno.ISDIR;
    if (node.kind === 'link') return Errno.LOOP;
    if (flags.truncate && node.size !== 0) {
      node.size = 0;
      node.mtim = node.ctim = this.now();
    }
    return new MemoryFileHandle(this.files, node);
  }

  override readdir(path: string): DirEntry[] | number {
    const node = this.find(path);
    if (typeof node === 'number') return node;
    if (node.kind !== 'dir') return Errno.NOTDIR;
    const out: DirEntry[] = [];
    for (const [name, child] of node.entries) {
      out.push({ name, ino: child.ino, filetype: this.statOf(child).filetype });
    }
    return out;
  }

  override mkdir(path: string): number {
    if (this.readOnly) return Errno.ROFS;
    const parent = this.parentOf(path);
    if (typeof parent === 'number') return parent;
    if (parent[0].entries.has(parent[1])) return Errno.EXIST;
    const dir = this.newDir(parent[0], this.now());
    parent[0].entries.set(parent[1], dir);
    this.cache.clear();
    parent[0].nlink++;
    parent[0].mtim = parent[0].ctim = dir.mtim;
    return Errno.SUCCESS;
  }

  override rmdir(path: string): number {
    if (this.readOnly) return Errno.ROFS;
    if (path === '') return Errno.BUSY;
    const parent = this.parentOf(path);
    if (typeof parent === 'number') return parent;
    const node = parent[0].entries.get(parent[1]);
    if (node === undefined) return Errno.NOENT;
    if (node.kind !== 'dir') return Errno.NOTDIR;
    if (node.entries.size > 0) return Errno.NOTEMPTY;
    parent[0].entries.delete(parent[1]);
    this.cache.clear();
    parent[0].nlink--;
    parent[0].mtim = parent[0].ctim = this.now();
    return Errno.SUCCESS;
  }

  override unlink(path: string): number {
    if (this.readOnly) return Errno.ROFS;
    const parent = this.parentOf(path);
    if (typeof parent === 'number') return parent;
    const node = parent[0].entries.get(parent[1]);
    if (node === undefined) return Errno.NOENT;
    if (node.kind === 'dir') return Errno.ISDIR;
    parent[0].entries.delete(parent[1]);
    this.cache.clear();
    node.nlink--;
    parent[0].mtim = parent[0].ctim = this.now();
    return Errno.SUCCESS;
  }

  override rename(from: string, to: string): number {
    if (this.readOnly) return Errno.ROFS;
    const src = this.parentOf(from);
    if (typeof src === 'number') return src;
    const dst = this.parentOf(to);
    if (typeof dst === 'number') return dst;
    const node = src[0].entries.get(src[1]);
    if (node === undefined) return Errno.NOENT;
    if (from === to) return Errno.SUCCESS;
    if (node.kind === 'dir') {
      for (let d: DirNode | undefined = dst[0]; d !== undefined; d = d.parent)
        if (d === node) return Errno.INVAL;
    }
    const existing = dst[0].entries.get(dst[1]);
    if (existing !== undefined) {
      if (existing === node) return Errno.SUCCESS;
      if (node.kind === 'dir' && existing.kind !== 'dir') return Errno.NOTDIR;
      if (node.kind !== 'dir' && existing.kind === 'dir') return Errno.ISDIR;
      if (existing.kind === 'dir' && existing.entries.size > 0) return Errno.NOTEMPTY;
      existing.nlink--;
      if (existing.kind === 'dir') dst[0].nlink--;
    }
    src[0].entries.delete(src[1]);
    this.cache.clear();
    dst[0].entries.set(dst[1], node);
    this.cache.clear();
    if (node.kind === 'dir') {
      src[0].nlink--;
      dst[0].nlink++;
      node.parent = dst[0];
    }
    const now = this.now();
    src[0].mtim = src[0].ctim = dst[0].mtim = dst[0].ctim = node.ctim = now;
    return Errno.SUCCESS;
  }

  override link(from: string, to: string): number {
    if (this.readOnly) return Errno.ROFS;
    const node = this.find(from);
    if (typeof node === 'number') return node;
    if (node.kind === 'dir') return Errno.PERM;
    const dst = this.parentOf(to);
    if (typeof dst === 'number') return dst;
    if (dst[0].entries.has(dst[1])) return Errno.EXIST;
    dst[0].entries.set(dst[1], node);
    this.cache.clear();
    node.nlink++;
    node.ctim = dst[0].mtim = dst[0].ctim = this.now();
    return Errno.SUCCESS;
  }

  override symlink(target: string, path: string): number {
    if (this.readOnly) return Errno.ROFS;
    const dst = this.parentOf(path);
    if (typeof dst === 'number') return dst;
    if (dst[0].entries.has(dst[1])) return Errno.EXIST;
    dst[0].entries.set(dst[1], this.newLink(target, this.now()));
    this.cache.clear();
    return Errno.SUCCESS;
  }

  override setTimes(path: string, atim: bigint | undefined, mtim: bigint | undefined): number {
    if (this.readOnly) return Errno.ROFS;
    const node = this.find(path);
    if (typeof node === 'number') return node;
    return setNodeTimes(node, atim, mtim, this.now());
  }

  override setSize(path: string, size: number): number {
    if (this.readOnly) return Errno.ROFS;
    const node = this.find(path);
    if (typeof node === 'number') return node;
    if (node.kind !== 'file') return Errno.ISDIR;
    return resize(node, size, this.now());
  }
}

function setNodeTimes(
  node: NodeBase,
  atim: bigint | undefined,
  mtim: bigint | undefined,
  now: bigint,
): number {
  if (atim !== undefined) node.atim = atim;
  if (mtim !== undefined) node.mtim = mtim;
  node.ctim = now;
  return Errno.SUCCESS;
}

const MAX_FILE = 2 ** 32;

function resize(node: FileNode, size: number, now: bigint): number {
  if (size > MAX_FILE) return Errno.FBIG;
  if (size > node.data.length) {
    const grown = new Uint8Array(Math.max(size, Math.min(MAX_FILE, node.data.length * 2)));
    grown.set(node.data.subarray(0, node.size));
    node.data = grown;
  } else if (size > node.size) {
    node.data.fill(0, node.size, size);
  }
  node.size = size;
  node.mtim = node.ctim = now;
  return Errno.SUCCESS;
}

interface FileContext {
  readOnly(): boolean;
  now(): bigint;
  stat(node: Node): Stat;
}

class MemoryFileHandle extends FileHandle {
  constructor(
    private readonly fs: FileContext,
    private readonly node: FileNode,
  ) {
    super();
  }
  override read(into: Uint8Array, offset: number, length: number, position: number): number {
    const node = this.node;
    if (position >= node.size) return 0;
    const n = Math.min(length, node.size - position);
    into.set(node.data.subarray(position, position + n), offset);
    return n;
  }
  override write(from: Uint8Array, offset: number, length: number, position: number): number {
    if (this.fs.readOnly()) return -Errno.ROFS;
    const node = this.node;
    const end = position + length;
    if (end > MAX_FILE) return -Errno.FBIG;
    if (end > node.data.length) {
      const grown = new Uint8Array(Math.max(end, Math.min(MAX_FILE, node.data.length * 2), 64));
      grown.set(node.data.subarray(0, node.size));
      node.data = grown;
    }
    if (position > node.size) node.data.fill(0, node.size, position);
    if (length < 16) for (let i = 0; i < length; i++) node.data[position + i] = from[offset + i]!;
    else node.data.set(from.subarray(offset, offset + length), position);
    if (end > node.size) node.size = end;
    node.mtim = node.ctim = this.fs.now();
    return length;
  }
  override stat(): Stat {
    return this.fs.stat(this.node);
  }
  override setSize(size: number): number {
    if (this.fs.readOnly()) return Errno.ROFS;
    return resize(this.node, size, this.fs.now());
  }
  override setTimes(atim: bigint | undefined, mtim: bigint | undefined): number {
    if (this.fs.readOnly()) return Errno.ROFS;
    return setNodeTimes(this.node, atim, mtim, this.fs.now());
  }
}
