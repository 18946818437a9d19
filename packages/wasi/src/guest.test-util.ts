// A fake guest for unit tests: a memory bound to the host and helpers that lay out arguments
// the way a wasm program would, then call the import functions directly.
import { Errno, RIGHTS_ALL } from './constants.js';
import { MemoryFS, type MemoryTree } from './fs/memory.js';
import type { WASI } from './wasi.js';

type Fn = (...args: unknown[]) => number;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ALL = BigInt(RIGHTS_ALL);

export class Guest {
  readonly memory = new WebAssembly.Memory({ initial: 2, maximum: 64 });
  readonly fn: Record<string, Fn>;
  private heap = 1024;

  constructor(readonly wasi: WASI) {
    wasi.bindMemory(this.memory);
    this.fn = wasi.imports.wasi_snapshot_preview1 as unknown as Record<string, Fn>;
  }
  get dv(): DataView {
    return new DataView(this.memory.buffer);
  }
  get u8(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }
  reset(): void {
    this.heap = 1024;
  }
  alloc(n: number): number {
    const p = (this.heap + 7) & ~7;
    this.heap = p + n;
    return p;
  }
  bytes(data: Uint8Array | string): [number, number] {
    const b = typeof data === 'string' ? encoder.encode(data) : data;
    const p = this.alloc(b.length);
    this.u8.set(b, p);
    return [p, b.length];
  }
  u32(p: number): number {
    return this.dv.getUint32(p, true);
  }
  u64(p: number): bigint {
    return this.dv.getBigUint64(p, true);
  }
  call(name: string, ...args: unknown[]): number {
    const f = this.fn[name];
    if (f === undefined) throw new Error(`no import ${name}`);
    return f(...args);
  }

  open(
    dirfd: number,
    path: string,
    opts: { oflags?: number; base?: bigint; inheriting?: bigint; fdflags?: number; follow?: boolean } = {},
  ): { errno: number; fd: number } {
    this.reset();
    const [p, l] = this.bytes(path);
    const out = this.alloc(4);
    const errno = this.call(
      'path_open',
      dirfd,
      opts.follow ? 1 : 0,
      p,
      l,
      opts.oflags ?? 0,
      opts.base ?? ALL,
      opts.inheriting ?? ALL,
      opts.fdflags ?? 0,
      out,
    );
    return { errno, fd: errno === 0 ? this.u32(out) : -1 };
  }
  openOk(dirfd: number, path: string, opts: Parameters<Guest['open']>[2] = {}): number {
    const r = this.open(dirfd, path, opts);
    if (r.errno !== 0) throw new Error(`path_open ${path}: errno ${r.errno}`);
    return r.fd;
  }
  write(fd: number, ...chunks: (string | Uint8Array)[]): { errno: number; n: number } {
    this.reset();
    const iovs = this.alloc(8 * chunks.length);
    chunks.forEach((c, i) => {
      const [p, l] = this.bytes(c);
      this.dv.setUint32(iovs + i * 8, p, true);
      this.dv.setUint32(iovs + i * 8 + 4, l, true);
    });
    const out = this.alloc(4);
    const errno = this.call('fd_write', fd, iovs, chunks.length, out);
    return { errno, n: errno === 0 ? this.u32(out) : 0 };
  }
  read(fd: number, n: number, at?: bigint): { errno: number; text: string; bytes: Uint8Array } {
    this.reset();
    const iov = this.alloc(8);
    const buf = this.alloc(n);
    this.dv.setUint32(iov, buf, true);
    this.dv.setUint32(iov + 4, n, true);
    const out = this.alloc(4);
    const errno =
      at === undefined ? this.call('fd_read', fd, iov, 1, out) : this.call('fd_pread', fd, iov, 1, at, out);
    const bytes = errno === 0 ? this.u8.slice(buf, buf + this.u32(out)) : new Uint8Array(0);
    return { errno, text: decoder.decode(bytes), bytes };
  }
  pathCall(name: string, dirfd: number, path: string, ...rest: unknown[]): number {
    this.reset();
    const [p, l] = this.bytes(path);
    return this.call(name, dirfd, p, l, ...rest);
  }
  fdstat(fd: number): { errno: number; filetype: number; flags: number; base: bigint; inheriting: bigint } {
    this.reset();
    const p = this.alloc(24);
    const errno = this.call('fd_fdstat_get', fd, p);
    return {
      errno,
      filetype: this.u8[p]!,
      flags: this.dv.getUint16(p + 2, true),
      base: this.u64(p + 8),
      inheriting: this.u64(p + 16),
    };
  }
  filestat(fd: number): {
    errno: number;
    filetype: number;
    size: bigint;
    ino: bigint;
    atim: bigint;
    mtim: bigint;
    nlink: bigint;
  } {
    this.reset();
    const p = this.alloc(64);
    const errno = this.call('fd_filestat_get', fd, p);
    return this.stat(errno, p);
  }
  pathStat(dirfd: number, path: string, follow = false): ReturnType<Guest['filestat']> {
    this.reset();
    const [pp, l] = this.bytes(path);
    const p = this.alloc(64);
    const errno = this.call('path_filestat_get', dirfd, follow ? 1 : 0, pp, l, p);
    return this.stat(errno, p);
  }
  private stat(errno: number, p: number): ReturnType<Guest['filestat']> {
    return {
      errno,
      ino: this.u64(p + 8),
      filetype: this.u8[p + 16]!,
      nlink: this.u64(p + 24),
      size: this.u64(p + 32),
      atim: this.u64(p + 40),
      mtim: this.u64(p + 48),
    };
  }
  seek(fd: number, offset: bigint, whence: number): { errno: number; position: bigint } {
    this.reset();
    const p = this.alloc(8);
    const errno = this.call('fd_seek', fd, offset, whence, p);
    return { errno, position: errno === 0 ? this.u64(p) : -1n };
  }
  readdir(
    fd: number,
    bufLen: number,
    cookie = 0n,
  ): { errno: number; used: number; entries: { name: string; next: bigint; type: number; ino: bigint }[] } {
    this.reset();
    const buf = this.alloc(bufLen);
    const out = this.alloc(4);
    const errno = this.call('fd_readdir', fd, buf, bufLen, cookie, out);
    const used = errno === 0 ? this.u32(out) : 0;
    const entries = [];
    let at = 0;
    while (at + 24 <= used) {
      const len = this.u32(buf + at + 16);
      if (at + 24 + len > used) break;
      entries.push({
        next: this.u64(buf + at),
        ino: this.u64(buf + at + 8),
        type: this.u8[buf + at + 20]!,
        name: decoder.decode(this.u8.slice(buf + at + 24, buf + at + 24 + len)),
      });
      at += 24 + len;
    }
    return { errno, used, entries };
  }
  /** All entries, reading with `bufLen`-sized buffers and following cookies. */
  list(fd: number, bufLen = 256): string[] {
    const names: string[] = [];
    let cookie = 0n;
    for (;;) {
      const r = this.readdir(fd, bufLen, cookie);
      if (r.errno !== Errno.SUCCESS) throw new Error(`fd_readdir errno ${r.errno}`);
      for (const e of r.entries) names.push(e.name);
      if (r.used < bufLen) return names;
      const last = r.entries.at(-1);
      if (last === undefined) throw new Error('buffer too small for one entry');
      cookie = last.next;
    }
  }
}

/** A `MemoryFS` that counts how many of the files it opened were closed (`closed`). */
export class CountingFS extends MemoryFS {
  closed = 0;
  constructor(tree: MemoryTree) {
    super(tree);
  }
  override open(path: string, flags: Parameters<MemoryFS['open']>[1]) {
    const handle = super.open(path, flags);
    if (typeof handle !== 'number') {
      const close = handle.close.bind(handle);
      handle.close = () => {
        this.closed++;
        close();
      };
    }
    return handle;
  }
}
