import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnsafeArchiveEntryError } from './errors.js';
import { extract } from './extract.js';
import { type TarInput, writeTar } from './tar.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'wasm-runtime-extract-'));
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function archive(entries: TarInput[], gzip = true): Promise<string> {
  const path = join(work, gzip ? 'a.tar.gz' : 'a.tar');
  const tar = writeTar(entries);
  await writeFile(path, gzip ? gzipSync(tar) : tar);
  return path;
}

describe('extract', () => {
  it('unpacks a .tar.gz with strip, modes, mtimes and in-tree links', async () => {
    const file = await archive([
      { path: 'lua-5.4.4/', type: 'directory' },
      { path: 'lua-5.4.4/src/lua.c', data: 'code', mtime: 1_650_000_000 },
      { path: 'lua-5.4.4/configure', data: '#!/bin/sh\n', mode: 0o755 },
      { path: 'lua-5.4.4/src/alias.c', type: 'symlink', linkTarget: 'lua.c' },
      { path: 'lua-5.4.4/copy.c', type: 'hardlink', linkTarget: 'lua-5.4.4/src/lua.c' },
    ]);
    const out = await extract(file, join(work, 'out'), { strip: 1 });
    expect(out).toBe(join(work, 'out'));
    expect((await readdir(out)).sort()).toEqual(['configure', 'copy.c', 'src']);
    expect(await readFile(join(out, 'src', 'alias.c'), 'utf8')).toBe('code');
    expect(await readlink(join(out, 'src', 'alias.c'))).toBe('lua.c');
    expect(await readFile(join(out, 'copy.c'), 'utf8')).toBe('code');
    expect((await stat(join(out, 'configure'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(out, 'src', 'lua.c'))).mtimeMs).toBe(1_650_000_000_000);
    expect((await readdir(work)).sort()).toEqual(['a.tar.gz', 'out']);
  });

  it('unpacks a plain .tar and refuses an existing destination unless asked to replace it', async () => {
    const file = await archive([{ path: 'x.txt', data: 'new' }], false);
    const dest = join(work, 'dest');
    await mkdir(dest);
    await writeFile(join(dest, 'old.txt'), 'old');
    await expect(extract(file, dest)).rejects.toThrow(/already exists/);
    await extract(file, dest, { replace: true });
    expect(await readdir(dest)).toEqual(['x.txt']);
  });

  const attacks: [string, TarInput[], RegExp][] = [
    [
      'a ".." path',
      [
        { path: 'ok.txt', data: '1' },
        { path: 'src/../../evil.txt', data: 'x' },
      ],
      /contains "\.\."/,
    ],
    ['an absolute path', [{ path: '/tmp/evil.txt', data: 'x' }], /absolute path/],
    [
      'a symlink to an absolute path',
      [{ path: 'link', type: 'symlink', linkTarget: '/etc' }],
      /symlink to the absolute path \/etc/,
    ],
    [
      'a symlink climbing out',
      [{ path: 'a/link', type: 'symlink', linkTarget: '../../outside' }],
      /symlink pointing outside/,
    ],
    [
      'a write through an in-archive symlink',
      [
        { path: 'dir', type: 'symlink', linkTarget: '.' },
        { path: 'dir/file', data: 'x' },
      ],
      /written through a symlink/,
    ],
    [
      'a chain of symlinks that escapes only when resolved',
      [
        { path: 'd/', type: 'directory' },
        { path: 'd/up', type: 'symlink', linkTarget: '..' },
        { path: 'escape', type: 'symlink', linkTarget: 'd/up/..' },
      ],
      /"escape" is a symlink that resolves outside/,
    ],
    [
      'a hard link to a path outside',
      [{ path: 'h', type: 'hardlink', linkTarget: '../etc/passwd' }],
      /contains "\.\."/,
    ],
  ];

  for (const [name, entries, reason] of attacks) {
    it(`refuses ${name}, leaving nothing behind`, async () => {
      const file = await archive(entries);
      const error = await extract(file, join(work, 'out')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsafeArchiveEntryError);
      expect(error).toMatchObject({ code: 'ERR_ARCHIVE_UNSAFE_ENTRY' });
      expect((error as Error).message).toMatch(reason);
      expect(await readdir(work)).toEqual(['a.tar.gz']);
      await expect(lstat(join(work, '..', 'evil.txt'))).rejects.toThrow();
    });
  }
});
