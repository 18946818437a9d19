import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Errno, FdFlags, FileType, OFlags, RIGHTS_DIR, Rights, Whence } from './constants.js';
import type { FileSystem } from './fs/file-system.js';
import { MemoryFS } from './fs/memory.js';
import { Guest } from './guest.test-util.js';
import { WASI } from './node.js';

const PRE = 3;
const DIR = { base: BigInt(RIGHTS_DIR) };
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

// Each backend starts from the same tree: a.txt, dir/b.txt, dir/sub/, and symlinks.
const backends: [string, () => string | FileSystem][] = [
  [
    'MemoryFS',
    () =>
      new MemoryFS({
        'a.txt': 'alpha',
        dir: { 'b.txt': 'bravo', sub: {} },
        'link-a': { symlink: 'a.txt' },
        'link-dir': { symlink: 'dir' },
        dangling: { symlink: 'nowhere' },
        loop1: { symlink: 'loop2' },
        loop2: { symlink: 'loop1' },
        'out-rel': { symlink: '../outside' },
        'out-abs': { symlink: '/etc/passwd' },
        up: { symlink: '..' },
        'dir-up': { symlink: 'dir/..' },
      }),
  ],
  [
    'NodeFS',
    () => {
      const root = mkdtempSync(join(tmpdir(), 'wasi-unit-'));
      cleanups.push(() => rmSync(root, { recursive: true, force: true }));
      const box = join(root, 'box');
      mkdirSync(join(box, 'dir', 'sub'), { recursive: true });
      writeFileSync(join(root, 'outside'), 'SECRET');
      writeFileSync(join(box, 'a.txt'), 'alpha');
      writeFileSync(join(box, 'dir', 'b.txt'), 'bravo');
      symlinkSync('a.txt', join(box, 'link-a'));
      symlinkSync('dir', join(box, 'link-dir'));
      symlinkSync('nowhere', join(box, 'dangling'));
      symlinkSync('loop2', join(box, 'loop1'));
      symlinkSync('loop1', join(box, 'loop2'));
      symlinkSync('../outside', join(box, 'out-rel'));
      symlinkSync('/etc/passwd', join(box, 'out-abs'));
      symlinkSync('..', join(box, 'up'));
      symlinkSync('dir/..', join(box, 'dir-up'));
      return box;
    },
  ],
];

describe.each(backends)('%s', (_name, make) => {
  const guest = (readOnly = false) =>
    new Guest(new WASI({ preopens: { '/sandbox': { dir: make(), readOnly } }, stdout: 'buffer' }));

  it('reports the preopen and its name', () => {
    const g = guest();
    const p = g.alloc(8);
    expect(g.call('fd_prestat_get', PRE, p)).toBe(0);
    expect(g.u32(p + 4)).toBe(8);
    const name = g.alloc(8);
    expect(g.call('fd_prestat_dir_name', PRE, name, 8)).toBe(0);
    expect(new TextDecoder().decode(g.u8.slice(name, name + 8))).toBe('/sandbox');
    expect(g.call('fd_prestat_dir_name', PRE, name, 3)).toBe(Errno.NAMETOOLONG);
    expect(g.call('fd_prestat_get', 1, p)).toBe(Errno.BADF);
    expect(g.call('fd_prestat_get', 4, p)).toBe(Errno.BADF);
  });

  it('reads, writes, seeks and tells', () => {
    const g = guest();
    const fd = g.openOk(PRE, 'a.txt');
    expect(g.read(fd, 3).text).toBe('alp');
    expect(g.seek(fd, 0n, Whence.CUR).position).toBe(3n);
    expect(g.read(fd, 100).text).toBe('ha');
    expect(g.read(fd, 100).text).toBe('');
    expect(g.seek(fd, -2n, Whence.END).position).toBe(3n);
    expect(g.write(fd, 'HA', '!')).toEqual({ errno: 0, n: 3 });
    expect(g.read(fd, 10, 0n).text).toBe('alpHA!');
    expect(g.seek(fd, -100n, Whence.SET).errno).toBe(Errno.INVAL);
    expect(g.seek(fd, 0n, 7).errno).toBe(Errno.INVAL);
    g.reset();
    const tell = g.alloc(8);
    expect(g.call('fd_tell', fd, tell)).toBe(0);
    expect(g.u64(tell)).toBe(6n);
  });

  it('reads and writes at offsets without moving the position', () => {
    const g = guest();
    const fd = g.openOk(PRE, 'new.bin', { oflags: OFlags.CREAT });
    g.reset();
    const [p, l] = g.bytes('xyz');
    const iov = g.alloc(8);
    g.dv.setUint32(iov, p, true);
    g.dv.setUint32(iov + 4, l, true);
    const out = g.alloc(4);
    expect(g.call('fd_pwrite', fd, iov, 1, 10n, out)).toBe(0);
    expect(g.u32(out)).toBe(3);
    expect(g.seek(fd, 0n, Whence.CUR).position).toBe(0n);
    expect(g.filestat(fd).size).toBe(13n);
    const r = g.read(fd, 20, 8n);
    expect([...r.bytes]).toEqual([0, 0, 120, 121, 122]);
    expect(g.read(fd, 4, 100n).bytes.length).toBe(0);
  });

  it('appends with FDFLAGS_APPEND whatever the position, and stops when the flag is cleared', () => {
    const g = guest();
    const fd = g.openOk(PRE, 'a.txt', { fdflags: FdFlags.APPEND });
    expect(g.fdstat(fd).flags).toBe(FdFlags.APPEND);
    g.seek(fd, 0n, Whence.SET);
    g.write(fd, '+1');
    expect(g.read(fd, 20, 0n).text).toBe('alpha+1');
    expect(g.call('fd_fdstat_set_flags', fd, 0)).toBe(0);
    g.seek(fd, 0n, Whence.SET);
    g.write(fd, 'A');
    expect(g.read(fd, 20, 0n).text).toBe('Alpha+1');
    expect(g.call('fd_fdstat_set_flags', fd, FdFlags.NONBLOCK)).toBe(0);
    expect(g.fdstat(fd).flags).toBe(FdFlags.NONBLOCK);
    expect(g.call('fd_fdstat_set_flags', fd, FdFlags.SYNC)).toBe(Errno.NOTSUP);
  });

  it('honours O_CREAT, O_EXCL, O_TRUNC and O_DIRECTORY', () => {
    const g = guest();
    expect(g.open(PRE, 'missing.txt').errno).toBe(Errno.NOENT);
    const fd = g.openOk(PRE, 'made.txt', { oflags: OFlags.CREAT | OFlags.EXCL });
    g.write(fd, 'data');
    expect(g.open(PRE, 'made.txt', { oflags: OFlags.CREAT | OFlags.EXCL }).errno).toBe(Errno.EXIST);
    const again = g.openOk(PRE, 'made.txt', { oflags: OFlags.CREAT });
    expect(g.filestat(again).size).toBe(4n);
    const trunc = g.openOk(PRE, 'made.txt', { oflags: OFlags.TRUNC });
    expect(g.filestat(trunc).size).toBe(0n);
    expect(g.open(PRE, 'a.txt', { oflags: OFlags.DIRECTORY }).errno).toBe(Errno.NOTDIR);
    const d = g.openOk(PRE, 'dir', { ...DIR, oflags: OFlags.DIRECTORY });
    expect(g.fdstat(d).filetype).toBe(FileType.DIRECTORY);
    expect(g.open(PRE, 'dir', { oflags: OFlags.TRUNC }).errno).toBe(Errno.ISDIR);
    expect(g.open(PRE, 'nodir/new', { oflags: OFlags.CREAT }).errno).toBe(Errno.NOENT);
    expect(g.open(PRE, 'fresh/', { oflags: OFlags.CREAT }).errno).toBe(Errno.ISDIR);
    const file = g.openOk(PRE, 'a.txt', { base: 0n });
    expect(g.open(file, 'x', { oflags: OFlags.CREAT }).errno).toBe(Errno.NOTDIR);
    // Opened relative to a directory descriptor, not the preopen.
    expect(g.read(g.openOk(d, 'b.txt'), 10).text).toBe('bravo');
  });

  it('handles trailing slashes, dots and absolute paths', () => {
    const g = guest();
    expect(g.open(PRE, 'a.txt/').errno).toBe(Errno.NOTDIR);
    expect(g.open(PRE, 'a.txt///').errno).toBe(Errno.NOTDIR);
    expect(g.open(PRE, 'dir/sub/', DIR).errno).toBe(0);
    expect(g.open(PRE, 'dir//./sub/../b.txt').errno).toBe(0);
    expect(g.open(PRE, 'dir/sub/..', { oflags: OFlags.DIRECTORY, base: 0n }).errno).toBe(0);
    expect(g.open(PRE, 'a.txt/..').errno).toBe(Errno.NOTDIR);
    expect(g.pathStat(PRE, 'dir/sub/..').filetype).toBe(FileType.DIRECTORY);
    expect(g.open(PRE, '/a.txt').errno).toBe(Errno.PERM);
    expect(g.open(PRE, '').errno).toBe(Errno.NOENT);
    expect(g.open(PRE, '.', DIR).errno).toBe(0);
    expect(g.pathCall('path_unlink_file', PRE, 'a.txt/')).toBe(Errno.NOTDIR);
    expect(g.pathCall('path_remove_directory', PRE, 'dir/sub/')).toBe(0);
    expect(g.pathCall('path_create_directory', PRE, 'made/')).toBe(0);
    expect(g.pathStat(PRE, 'made').filetype).toBe(FileType.DIRECTORY);
  });

  it('never lets .. climb above the directory descriptor', () => {
    const g = guest();
    expect(g.open(PRE, '..').errno).toBe(Errno.PERM);
    expect(g.open(PRE, 'dir/../../a.txt').errno).toBe(Errno.PERM);
    expect(g.open(PRE, '../box/a.txt').errno).toBe(Errno.PERM);
    const d = g.openOk(PRE, 'dir', DIR);
    expect(g.open(d, '../a.txt').errno).toBe(Errno.PERM);
    expect(g.pathCall('path_create_directory', PRE, '../escaped')).toBe(Errno.PERM);
  });

  it('follows symlinks inside the sandbox only, and reports loops', () => {
    const g = guest();
    expect(g.read(g.openOk(PRE, 'link-a', { follow: true }), 10).text).toBe('alpha');
    expect(g.read(g.openOk(PRE, 'link-dir/b.txt'), 10).text).toBe('bravo');
    // Not following the final symlink: ELOOP, or ENOTDIR when a directory was asked for.
    expect(g.open(PRE, 'link-a').errno).toBe(Errno.LOOP);
    expect(g.open(PRE, 'link-dir', { oflags: OFlags.DIRECTORY }).errno).toBe(Errno.NOTDIR);
    expect(g.open(PRE, 'link-dir', { ...DIR, oflags: OFlags.DIRECTORY, follow: true }).errno).toBe(0);
    expect(g.open(PRE, 'dangling', { follow: true }).errno).toBe(Errno.NOENT);
    expect(g.pathStat(PRE, 'dangling').filetype).toBe(FileType.SYMBOLIC_LINK);
    expect(g.pathStat(PRE, 'dangling', true).errno).toBe(Errno.NOENT);
    expect(g.open(PRE, 'loop1', { follow: true }).errno).toBe(Errno.LOOP);
    expect(g.open(PRE, 'loop1/x').errno).toBe(Errno.LOOP);
    expect(g.open(PRE, 'out-rel', { follow: true }).errno).toBe(Errno.PERM);
    expect(g.open(PRE, 'out-abs', { follow: true }).errno).toBe(Errno.PERM);
    expect(g.pathStat(PRE, 'out-rel', true).errno).toBe(Errno.PERM);
    // A symlink in the middle of a path is expanded by the host too, never by the OS.
    expect(g.open(PRE, 'up/outside').errno).toBe(Errno.PERM);
    expect(g.open(PRE, 'up/box/a.txt').errno).toBe(Errno.PERM);
    expect(g.pathCall('path_create_directory', PRE, 'up/escaped')).toBe(Errno.PERM);
    expect(g.read(g.openOk(PRE, 'dir-up/a.txt'), 10).text).toBe('alpha');
    expect(g.pathStat(PRE, 'dir-up', true)).toMatchObject({ errno: 0, filetype: FileType.DIRECTORY });
    expect(g.pathStat(PRE, 'dir-up', true).ino).toBe(g.filestat(PRE).ino);
    expect(g.pathStat(PRE, 'link-a', true)).toMatchObject({ filetype: FileType.REGULAR_FILE, size: 5n });
    g.reset();
    const [st, stl] = g.bytes('dir/sub/..');
    const [sn, snl] = g.bytes('sub-up');
    expect(g.call('path_symlink', st, stl, PRE, sn, snl)).toBe(0);
    expect(g.pathStat(PRE, 'sub-up', true)).toMatchObject({
      filetype: FileType.DIRECTORY,
      ino: g.pathStat(PRE, 'dir').ino,
    });
    const d = g.openOk(PRE, 'dir', DIR);
    g.reset();
    const [t, tl] = g.bytes('../a.txt');
    const [n, nl] = g.bytes('to-parent');
    expect(g.call('path_symlink', t, tl, d, n, nl)).toBe(0);
    // Relative to the preopen the link stays inside; relative to `dir` it climbs above the descriptor.
    expect(g.read(g.openOk(PRE, 'dir/to-parent', { follow: true }), 10).text).toBe('alpha');
    expect(g.open(d, 'to-parent', { follow: true }).errno).toBe(Errno.PERM);
    g.reset();
    const [p, l] = g.bytes('link-a');
    const buf = g.alloc(64);
    const used = g.alloc(4);
    expect(g.call('path_readlink', PRE, p, l, buf, 64, used)).toBe(0);
    expect(new TextDecoder().decode(g.u8.slice(buf, buf + g.u32(used)))).toBe('a.txt');
    expect(g.call('path_readlink', PRE, p, l, buf, 2, used)).toBe(0);
    expect(g.u32(used)).toBe(2);
  });

  it('creates symlinks and refuses absolute targets', () => {
    const g = guest();
    g.reset();
    const [t, tl] = g.bytes('dir/b.txt');
    const [n, nl] = g.bytes('new-link');
    expect(g.call('path_symlink', t, tl, PRE, n, nl)).toBe(0);
    expect(g.call('path_symlink', t, tl, PRE, n, nl)).toBe(Errno.EXIST);
    expect(g.read(g.openOk(PRE, 'new-link', { follow: true }), 10).text).toBe('bravo');
    g.reset();
    const [abs, al] = g.bytes('/etc/passwd');
    const [n2, nl2] = g.bytes('abs-link');
    expect(g.call('path_symlink', abs, al, PRE, n2, nl2)).toBe(Errno.PERM);
    const [t3, tl3] = g.bytes('x');
    const [n3, nl3] = g.bytes('target/');
    expect(g.call('path_symlink', t3, tl3, PRE, n3, nl3)).toBe(Errno.NOENT);
  });

  it('renames, links, unlinks and removes directories with POSIX errors', () => {
    const g = guest();
    g.reset();
    const rename = (from: string, to: string) => {
      g.reset();
      const [a, al] = g.bytes(from);
      const [b, bl] = g.bytes(to);
      return g.call('path_rename', PRE, a, al, PRE, b, bl);
    };
    expect(rename('a.txt', 'dir/moved.txt')).toBe(0);
    expect(g.open(PRE, 'a.txt').errno).toBe(Errno.NOENT);
    expect(rename('dir/moved.txt', 'dir/sub')).toBe(Errno.ISDIR);
    expect(rename('dir', 'dir/sub/inside')).toBe(Errno.INVAL);
    expect(rename('dir/moved.txt/', 'x')).toBe(Errno.NOTDIR);
    expect(rename('missing', 'x')).toBe(Errno.NOENT);
    g.reset();
    const [a, al] = g.bytes('dir/b.txt');
    const [b, bl] = g.bytes('hard.txt');
    expect(g.call('path_link', PRE, 0, a, al, PRE, b, bl)).toBe(0);
    expect(g.call('path_link', PRE, 0, a, al, PRE, b, bl)).toBe(Errno.EXIST);
    expect(g.pathStat(PRE, 'hard.txt').nlink).toBe(2n);
    expect(g.pathCall('path_remove_directory', PRE, 'dir')).toBe(Errno.NOTEMPTY);
    expect(g.pathCall('path_remove_directory', PRE, 'hard.txt')).toBe(Errno.NOTDIR);
    expect(g.pathCall('path_unlink_file', PRE, 'dir')).toBe(Errno.ISDIR);
    expect(g.pathCall('path_unlink_file', PRE, 'hard.txt')).toBe(0);
    expect(g.pathCall('path_unlink_file', PRE, 'hard.txt')).toBe(Errno.NOENT);
    expect(g.pathCall('path_unlink_file', PRE, 'dangling')).toBe(0);
    expect(g.pathCall('path_create_directory', PRE, 'dir')).toBe(Errno.EXIST);
  });

  it('keeps descriptors on directories and files that the guest renames', () => {
    const g = guest();
    const d = g.openOk(PRE, 'dir/sub', DIR);
    const f = g.openOk(PRE, 'dir/b.txt', { base: BigInt(Rights.FD_READ) });
    g.reset();
    const [a, al] = g.bytes('dir');
    const [b, bl] = g.bytes('moved');
    expect(g.call('path_rename', PRE, a, al, PRE, b, bl)).toBe(0);
    expect(g.pathCall('path_create_directory', d, 'inside')).toBe(0);
    expect(g.pathStat(PRE, 'moved/sub/inside').filetype).toBe(FileType.DIRECTORY);
    expect(g.read(f, 10).text).toBe('bravo');
    const state = g.wasi.saveState();
    expect(state.fds.find((s) => s.fd === f)).toMatchObject({ path: 'moved/b.txt' });
  });

  it('lists directories with . and .., cookies, and truncated last entries', () => {
    const g = guest();
    const d = g.openOk(PRE, 'dir', { ...DIR, oflags: OFlags.DIRECTORY });
    const full = g.readdir(d, 4096);
    expect(full.entries.map((e) => e.name).sort()).toEqual(['.', '..', 'b.txt', 'sub']);
    expect(full.entries[0]).toMatchObject({ name: '.', type: FileType.DIRECTORY, next: 1n });
    expect(full.entries[0]!.ino).toBe(g.filestat(d).ino);
    const b = full.entries.find((e) => e.name === 'b.txt')!;
    expect(b.type).toBe(FileType.REGULAR_FILE);
    expect(b.ino).toBe(g.pathStat(d, 'b.txt').ino);
    // A buffer that ends inside an entry is filled completely: bufused == buf_len means "more".
    const small = g.readdir(d, 30);
    expect(small.used).toBe(30);
    expect(small.entries.map((e) => e.name)).toEqual(['.']);
    expect(g.list(d, 30).sort()).toEqual(['.', '..', 'b.txt', 'sub']);
    expect(g.list(d, 40).sort()).toEqual(['.', '..', 'b.txt', 'sub']);
    expect(g.readdir(d, 4096, 99n)).toMatchObject({ errno: 0, used: 0 });
    const f = g.openOk(PRE, 'a.txt');
    expect(g.readdir(f, 100).errno).toBe(Errno.NOTDIR);
  });

  it('lists many entries across calls', () => {
    const g = guest();
    for (let i = 0; i < 120; i++) g.openOk(PRE, `dir/sub/file-${i}`, { oflags: OFlags.CREAT });
    const d = g.openOk(PRE, 'dir/sub', DIR);
    const names = g.list(d, 128);
    expect(names.length).toBe(122);
    expect(new Set(names).size).toBe(122);
  });

  it('refuses seeking and reading on directories', () => {
    const g = guest();
    const d = g.openOk(PRE, 'dir', {
      oflags: OFlags.DIRECTORY,
      base: BigInt(Rights.FD_SEEK | Rights.FD_READ),
    });
    expect(g.fdstat(d).base & BigInt(Rights.FD_SEEK)).toBe(0n);
    expect(g.seek(d, 0n, Whence.CUR).errno).toBe(Errno.BADF);
    expect(g.seek(PRE, 0n, Whence.SET).errno).toBe(Errno.BADF);
    expect(g.read(PRE, 10).errno).toBe(Errno.BADF);
    expect(g.write(PRE, 'x').errno).toBe(Errno.BADF);
  });

  it('enforces rights: dropping only; EBADF to read or write without the right, ENOTCAPABLE otherwise', () => {
    const g = guest();
    const fd = g.openOk(PRE, 'a.txt', { base: BigInt(Rights.FD_READ | Rights.FD_SEEK | Rights.FD_TELL) });
    const st = g.fdstat(fd);
    expect(st.base).toBe(BigInt(Rights.FD_READ | Rights.FD_SEEK | Rights.FD_TELL));
    expect(g.write(fd, 'x').errno).toBe(Errno.BADF);
    expect(g.filestat(fd).errno).toBe(Errno.NOTCAPABLE);
    expect(g.call('fd_fdstat_set_rights', fd, BigInt(Rights.FD_SEEK), 0n)).toBe(0);
    expect(g.read(fd, 1).errno).toBe(Errno.BADF);
    expect(g.call('fd_fdstat_set_rights', fd, BigInt(Rights.FD_SEEK | Rights.FD_READ), 0n)).toBe(
      Errno.NOTCAPABLE,
    );
    expect(g.call('fd_fdstat_set_rights', fd, 1n << 40n, 0n)).toBe(Errno.NOTCAPABLE);
    // A directory without PATH_FILESTAT_SET_SIZE cannot truncate, without PATH_CREATE_FILE cannot create.
    const dir = g.fdstat(PRE);
    const base = dir.base & ~BigInt(Rights.PATH_FILESTAT_SET_SIZE | Rights.PATH_CREATE_FILE);
    expect(g.call('fd_fdstat_set_rights', PRE, base, dir.inheriting & ~BigInt(Rights.FD_WRITE))).toBe(0);
    expect(g.open(PRE, 'a.txt', { oflags: OFlags.TRUNC }).errno).toBe(Errno.NOTCAPABLE);
    expect(g.open(PRE, 'z.txt', { oflags: OFlags.CREAT }).errno).toBe(Errno.NOTCAPABLE);
    // Inheriting rights bound what a newly opened file gets.
    const weak = g.openOk(PRE, 'a.txt');
    expect(g.fdstat(weak).base & BigInt(Rights.FD_WRITE)).toBe(0n);
    expect(g.write(weak, 'x').errno).toBe(Errno.BADF);
  });

  it('renumbers, including onto a preopen, and closes', () => {
    const g = guest();
    const fd = g.openOk(PRE, 'a.txt');
    expect(g.call('fd_renumber', fd, PRE)).toBe(0);
    expect(g.read(PRE, 10).text).toBe('alpha');
    expect(g.call('fd_prestat_get', PRE, g.alloc(8))).toBe(Errno.BADF);
    expect(g.call('fd_close', fd)).toBe(Errno.BADF);
    expect(g.call('fd_renumber', PRE, 77)).toBe(Errno.BADF);
    expect(g.call('fd_renumber', PRE, PRE)).toBe(0);
    expect(g.call('fd_close', PRE)).toBe(0);
    expect(g.fdstat(PRE).errno).toBe(Errno.BADF);
  });

  it('sets sizes and times', () => {
    const g = guest();
    const fd = g.openOk(PRE, 'a.txt');
    expect(g.call('fd_filestat_set_size', fd, 2n)).toBe(0);
    expect(g.read(fd, 10).text).toBe('al');
    expect(g.call('fd_allocate', fd, 0n, 10n)).toBe(0);
    expect(g.filestat(fd).size).toBe(10n);
    expect(g.call('fd_allocate', fd, 0n, 4n)).toBe(0);
    expect(g.filestat(fd).size).toBe(10n);
    const when = 1_600_000_000_000_000_000n;
    expect(g.call('fd_filestat_set_times', fd, 0n, when, 4)).toBe(0);
    expect(g.filestat(fd).mtim).toBe(when);
    expect(g.call('fd_filestat_set_times', fd, 0n, when, 4 | 8)).toBe(Errno.INVAL);
    g.reset();
    const [p, l] = g.bytes('dir/b.txt');
    expect(g.call('path_filestat_set_times', PRE, 0, p, l, 0n, when + 5000n, 4)).toBe(0);
    expect(g.pathStat(PRE, 'dir/b.txt').mtim).toBe(when + 5000n);
    // Exact nanoseconds read back, as the WASI test suite checks (Node itself keeps microseconds).
    const now = g.pathStat(PRE, 'a.txt').mtim;
    g.reset();
    const [q, ql] = g.bytes('a.txt');
    expect(g.call('path_filestat_set_times', PRE, 0, q, ql, 0n, now - 100n, 4)).toBe(0);
    expect(g.pathStat(PRE, 'a.txt').mtim).toBe(now - 100n);
    expect(g.filestat(fd).mtim).toBe(now - 100n);
    const before = g.filestat(fd);
    expect(g.call('fd_filestat_set_times', fd, 0n, before.mtim - 7n, 4)).toBe(0);
    expect(g.filestat(fd)).toMatchObject({ mtim: before.mtim - 7n, atim: before.atim });
  });

  it('read-only mounts refuse writes with EROFS but still read', () => {
    const g = guest(true);
    expect(g.read(g.openOk(PRE, 'a.txt', { base: BigInt(Rights.FD_READ) }), 10).text).toBe('alpha');
    expect(g.open(PRE, 'a.txt').errno).toBe(Errno.ROFS);
    expect(g.open(PRE, 'new', { oflags: OFlags.CREAT }).errno).toBe(Errno.ROFS);
    expect(g.open(PRE, 'a.txt', { oflags: OFlags.TRUNC, base: 0n }).errno).toBe(Errno.ROFS);
    expect(g.pathCall('path_create_directory', PRE, 'x')).toBe(Errno.ROFS);
    expect(g.pathCall('path_unlink_file', PRE, 'a.txt')).toBe(Errno.ROFS);
    expect(g.pathCall('path_remove_directory', PRE, 'dir/sub')).toBe(Errno.ROFS);
    expect(g.read(g.openOk(PRE, 'a.txt', { base: BigInt(Rights.FD_READ) }), 10).text).toBe('alpha');
  });

  it('turns invalid UTF-8 paths into EILSEQ and bad pointers into EFAULT', () => {
    const g = guest();
    g.reset();
    const [p, l] = g.bytes(new Uint8Array([0x61, 0xff, 0xfe]));
    const out = g.alloc(4);
    expect(g.call('path_open', PRE, 0, p, l, 0, 0n, 0n, 0, out)).toBe(Errno.ILSEQ);
    expect(g.call('path_open', PRE, 0, 0xfffffff0, 100, 0, 0n, 0n, 0, out)).toBe(Errno.FAULT);
    const [q, ql] = g.bytes('a.txt');
    expect(g.call('path_open', PRE, 0, q, ql, 0, 0n, 0n, 0, -8)).toBe(Errno.FAULT);
    const [z, zl] = g.bytes('a.txt\0');
    expect(g.call('path_open', PRE, 0, z, zl, 0, 0n, 0n, 0, out)).toBe(Errno.ILSEQ);
    expect(g.pathCall('path_create_directory', 99, 'x')).toBe(Errno.BADF);
    expect(g.pathCall('path_create_directory', 0, 'x')).toBe(Errno.NOTDIR);
  });
});

describe('NodeFS special files', () => {
  it('opens a FIFO without blocking the host', () => {
    const root = mkdtempSync(join(tmpdir(), 'wasi-fifo-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    execFileSync('mkfifo', [join(root, 'pipe')]);
    const g = new Guest(new WASI({ preopens: { '/': root } }));
    const fd = g.openOk(PRE, 'pipe', { base: BigInt(Rights.FD_READ) });
    expect(g.fdstat(fd).filetype).not.toBe(FileType.REGULAR_FILE);
    expect([0, Errno.AGAIN]).toContain(g.read(fd, 10).errno);
  });
});
