import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Errno, FileType } from '../constants.js';
import { MemoryFS } from './memory.js';

const decoder = new TextDecoder();
function readAllOf(fs: MemoryFS, path: string): string {
  const h = fs.open(path, { create: false, exclusive: false, truncate: false, write: false });
  if (typeof h === 'number') throw new Error(`open ${path}: ${h}`);
  const buf = new Uint8Array(4096);
  const n = h.read(buf, 0, buf.length, 0);
  return decoder.decode(buf.subarray(0, n));
}

describe('MemoryFS from a tree', () => {
  it('builds files, directories and symlinks with stable metadata', () => {
    const fs = new MemoryFS({
      'a.txt': 'hi',
      bin: new Uint8Array([1, 2, 3]),
      d: { e: {} },
      l: { symlink: 'a.txt' },
    });
    expect(readAllOf(fs, 'a.txt')).toBe('hi');
    expect(fs.lstat('bin')).toMatchObject({ size: 3n, filetype: FileType.REGULAR_FILE, mtim: 0n });
    expect(fs.lstat('d/e')).toMatchObject({ filetype: FileType.DIRECTORY });
    expect(fs.readlink('l')).toBe('a.txt');
    expect(fs.readlink('a.txt')).toBe(Errno.INVAL);
    expect(fs.lstat('d/missing')).toBe(Errno.NOENT);
    expect(fs.lstat('a.txt/x')).toBe(Errno.NOTDIR);
    expect(() => new MemoryFS({ 'a/b': 'x' })).toThrow(/not a valid file name/);
  });

  it('can be shared and is read-only on request', () => {
    const fs = new MemoryFS({ 'a.txt': 'hi' }, { readOnly: true });
    expect(fs.mkdir('x')).toBe(Errno.ROFS);
    expect(fs.open('a.txt', { create: false, exclusive: false, truncate: false, write: true })).toBe(
      Errno.ROFS,
    );
    expect(readAllOf(fs, 'a.txt')).toBe('hi');
  });

  it('stamps new files with the given clock', () => {
    const fs = new MemoryFS({}, { now: () => 42n });
    fs.mkdir('d');
    expect(fs.lstat('d')).toMatchObject({ mtim: 42n });
  });
});

describe('MemoryFS from a tar archive', () => {
  const root = mkdtempSync(join(tmpdir(), 'wasi-tar-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const long = `${'deep/'.repeat(25)}file-with-a-long-name.txt`;
  mkdirSync(join(root, 'src', ...long.split('/').slice(0, -1)), { recursive: true });
  writeFileSync(join(root, 'src', 'hello.txt'), 'hello from tar\n');
  writeFileSync(join(root, 'src', long), 'long');
  mkdirSync(join(root, 'src', 'empty'));
  symlinkSync('hello.txt', join(root, 'src', 'link'));

  for (const format of ['ustar', 'gnu', 'pax']) {
    it(`reads ${format} archives made by tar(1)`, () => {
      const archive = join(root, `${format}.tar`);
      const members =
        format === 'ustar' ? ['hello.txt', 'empty', 'link'] : ['hello.txt', 'empty', 'link', 'deep'];
      execFileSync('tar', [`--format=${format}`, '-cf', archive, '-C', join(root, 'src'), ...members]);
      const fs = MemoryFS.fromTar(new Uint8Array(readFileSync(archive)));
      expect(readAllOf(fs, 'hello.txt')).toBe('hello from tar\n');
      expect(fs.lstat('empty')).toMatchObject({ filetype: FileType.DIRECTORY });
      expect(fs.readlink('link')).toBe('hello.txt');
      expect(Number((fs.lstat('hello.txt') as { mtim: bigint }).mtim)).toBeGreaterThan(0);
      if (format !== 'ustar') expect(readAllOf(fs, long)).toBe('long');
    });
  }

  it('refuses a truncated archive with a typed error', () => {
    const archive = join(root, 'cut.tar');
    execFileSync('tar', ['-cf', archive, '-C', join(root, 'src'), 'hello.txt']);
    const bytes = new Uint8Array(readFileSync(archive)).subarray(0, 520);
    expect(() => MemoryFS.fromTar(bytes)).toThrow(/truncated/);
  });
});
