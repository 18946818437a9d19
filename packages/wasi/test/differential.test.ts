// Each C fixture runs under our host and under node:wasi with the same arguments, environment,
// stdin and a fresh copy of the same directory; what a user observes (stdout, stderr, exit code,
// files written) must be the same. Where node:wasi is known to be wrong, the test asserts our
// (Wasmtime-like) behaviour instead and its name says why.

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryFS } from '@wasm-runtime/wasi';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture } from './build-fixtures.js';
import { runNodeWasi, runOurs, snapshotFileSystem, snapshotTree, tempDir } from './harness.js';
import { withNodeWasiSleepFixed } from './support/node-wasi.mjs';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
async function freshDir(): Promise<string> {
  const dir = await tempDir();
  cleanups.push(dir.remove);
  return dir.path;
}

/** What files.c leaves behind. */
const FILES_LEFT = [
  'file final.txt "created, written, kept\\n"',
  'dir  sub/',
  'file sub/keep.txt "kept\\n"',
  'link sym -> final.txt',
];

describe('same observable behaviour as node:wasi', () => {
  it('hello: stdout, stderr and exit code', async () => {
    const spec = { wasm: fixture('hello'), args: ['hello'] };
    const ours = await runOurs(spec);
    expect(ours).toEqual({ stdout: 'hello, world\n', stderr: 'a line on stderr\n', exitCode: 0 });
    expect(ours).toEqual(await runNodeWasi(spec));
  });

  it('args and environ: spaces, UTF-8, = in values, empty values', async () => {
    const spec = {
      wasm: fixture('args'),
      args: ['args', 'two words', 'ünïcødé ✓', '', '--flag=x'],
      env: { HOME: '/home/guest', EQ: 'a=b=c', EMPTY: '', UTF: 'é' },
    };
    const ours = await runOurs(spec);
    expect(ours.stdout).toContain('argv[2]=ünïcødé ✓\n');
    expect(ours.stdout).toContain('env EQ=a=b=c\n');
    expect(ours.stdout).toContain('envc=4\n');
    expect(ours).toEqual(await runNodeWasi(spec));
  });

  it.each([
    [0, 'exit'],
    [1, 'return'],
    [3, 'exit'],
    [42, '_Exit'],
    [125, 'return'],
  ])('exit code %i by %s, with stdio flushed first', async (code, mode) => {
    const spec = { wasm: fixture('exit'), args: ['exit', String(code), mode] };
    const ours = await runOurs(spec);
    expect(ours).toEqual({ stdout: `leaving with ${code} by ${mode}\n`, stderr: '', exitCode: code });
    expect(ours).toEqual(await runNodeWasi(spec));
  });

  it('exit code 255: node:wasi exits with it, ours fails the run as Wasmtime does (statuses are 0-125)', async () => {
    const spec = { wasm: fixture('exit'), args: ['exit', '255', 'return'] };
    expect((await runNodeWasi(spec)).exitCode).toBe(255);
    await expect(runOurs(spec)).rejects.toMatchObject({ code: 'ERR_WASI_EXIT_STATUS', status: 255 });
  });

  it.each([
    ['empty', ''],
    ['two lines', 'abc\ndef\n'],
    ['binary-safe UTF-8', 'ß∂ƒ©\u0001\u007f\n'],
    ['larger than one read (100 kB)', 'x'.repeat(100_000)],
  ])('stdin echo: %s', async (_name, stdin) => {
    const spec = { wasm: fixture('echo'), args: ['echo'], stdin };
    const ours = await runOurs(spec);
    expect(ours.stdout).toBe(stdin);
    expect(ours.stderr).toBe(`echoed ${Buffer.byteLength(stdin)} bytes\n`);
    expect(ours).toEqual(await runNodeWasi(spec));
  });

  it('clocks: monotonic, realtime, resolution, a 10 ms sleep', async () => {
    const spec = { wasm: fixture('clock'), args: ['clock'] };
    const ours = await runOurs(spec);
    expect(ours.stdout).toMatch(/^0 failures$/m);
    expect(ours).toEqual(withNodeWasiSleepFixed(await runNodeWasi(spec)));
  });

  it('randomness: getentropy and arc4random', async () => {
    const spec = { wasm: fixture('random'), args: ['random'] };
    const ours = await runOurs(spec);
    expect(ours.stdout).toMatch(/^0 failures$/m);
    expect(ours).toEqual(await runNodeWasi(spec));
  });

  it('file I/O on a real directory: same output and the same files written', async () => {
    const [a, b] = [await freshDir(), await freshDir()];
    const ours = await runOurs({
      wasm: fixture('files'),
      args: ['files', '/sandbox'],
      preopens: { '/sandbox': a },
    });
    const theirs = await runNodeWasi({
      wasm: fixture('files'),
      args: ['files', '/sandbox'],
      preopens: { '/sandbox': b },
    });
    expect(ours.stdout).toMatch(/^0 failures$/m);
    expect(ours).toEqual(theirs);
    const tree = await snapshotTree(a);
    expect(tree).toEqual(FILES_LEFT);
    expect(tree).toEqual(await snapshotTree(b));
  });

  it('directory walk: the same tree (node:wasi omits . and .. from fd_readdir; ours lists them like Wasmtime)', async () => {
    const [a, b] = [await freshDir(), await freshDir()];
    for (const root of [a, b]) {
      mkdirSync(join(root, 'src/lib/deep'), { recursive: true });
      mkdirSync(join(root, 'empty'));
      writeFileSync(join(root, 'README'), 'read me\n');
      writeFileSync(join(root, 'src/main.c'), 'int main(void) { return 0; }\n');
      writeFileSync(join(root, 'src/lib/deep/data.bin'), Buffer.alloc(3000, 7));
      for (let i = 0; i < 40; i++)
        writeFileSync(join(root, `src/lib/f${String(i).padStart(2, '0')}.txt`), 'x'.repeat(i));
      symlinkSync('src/main.c', join(root, 'main-link'));
    }
    const ours = await runOurs({ wasm: fixture('walk'), args: ['walk', '/w'], preopens: { '/w': a } });
    const theirs = await runNodeWasi({ wasm: fixture('walk'), args: ['walk', '/w'], preopens: { '/w': b } });
    expect(ours.exitCode).toBe(0);
    expect(ours.stdout).toContain('dot entries: 2\n');
    expect(theirs.stdout).toContain('dot entries: 0\n');
    const withoutDots = (s: string) => s.replace(/^dot entries: \d+\n/, '');
    expect(withoutDots(ours.stdout)).toEqual(withoutDots(theirs.stdout));
    expect(ours.stdout).toContain('    file data.bin 3000\n');
    expect(ours.stdout).toContain('link main-link\n');
    expect(ours.stdout.split('\n').filter((l) => /^\s+file f\d\d\.txt/.test(l))).toHaveLength(40);
    expect(ours.stderr).toBe(theirs.stderr);
  });
});

it('descriptor calls: fd_renumber, fcntl flags, fsync, fadvise, isatty, sched_yield, rewinddir (node:wasi passes Linux open(2) flags through fd_fdstat_get, so O_WRONLY reads as O_APPEND)', async () => {
  const [a, b] = [await freshDir(), await freshDir()];
  const ours = await runOurs({ wasm: fixture('misc'), args: ['misc', '/m'], preopens: { '/m': a } });
  const theirs = await runNodeWasi({ wasm: fixture('misc'), args: ['misc', '/m'], preopens: { '/m': b } });
  expect(ours).toMatchObject({ exitCode: 0, stderr: '' });
  expect(ours.stdout).toMatch(/^0 failures$/m);
  expect(ours.stdout).toContain('ok   F_GETFL: no O_APPEND\n');
  expect(theirs.stdout).toContain('FAIL F_GETFL: no O_APPEND');
  const rest = (s: string) =>
    s.split('\n').filter((l) => !l.includes('F_GETFL: no O_APPEND') && !/failures$/.test(l));
  expect(rest(ours.stdout)).toEqual(rest(theirs.stdout));
  expect(await snapshotTree(a)).toEqual(await snapshotTree(b));
});

it('errno of failing path operations, as Linux gives them (node:wasi ignores O_NOFOLLOW and says ENOTEMPTY for rmdir .)', async () => {
  const [a, b] = [await freshDir(), await freshDir()];
  const ours = await runOurs({ wasm: fixture('errnos'), args: ['errnos', '/m'], preopens: { '/m': a } });
  const theirs = await runNodeWasi({
    wasm: fixture('errnos'),
    args: ['errnos', '/m'],
    preopens: { '/m': b },
  });
  const table = (s: string) =>
    Object.fromEntries(
      s
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, 44).trim(), l.slice(45)]),
    );
  const expected = {
    'unlink a directory': 'Is a directory',
    'rmdir a file': 'Not a directory',
    'rmdir a non-empty directory': 'Directory not empty',
    'open a file with O_DIRECTORY': 'Not a directory',
    'open file/ (trailing slash)': 'Not a directory',
    'unlink file/ (trailing slash)': 'Not a directory',
    'mkdir over a file': 'File exists',
    'rename a directory onto a file': 'Not a directory',
    'rename a file onto a directory': 'Is a directory',
    'rename a directory onto a non-empty one': 'Directory not empty',
    'rename into its own subdirectory': 'Invalid argument',
    'open a dangling symlink': 'No such file or directory',
    'open a dangling symlink with O_CREAT': 'succeeded',
    'open O_NOFOLLOW on a symlink': 'Symbolic link loop',
    'link to a directory': 'Operation not permitted',
    'symlink over an existing file': 'File exists',
    'readlink a regular file': 'Invalid argument',
    'rmdir .': 'Invalid argument',
  };
  expect(ours).toMatchObject({ exitCode: 0, stderr: '' });
  expect(table(ours.stdout)).toEqual(expected);
  expect(table(theirs.stdout)).toEqual({
    ...expected,
    'open O_NOFOLLOW on a symlink': 'succeeded',
    'rmdir .': 'Directory not empty',
  });
  expect(await snapshotTree(a)).toEqual(await snapshotTree(b));
});

describe('in-memory file system (ours only: node:wasi has none)', () => {
  it('the file I/O program gives the same output on MemoryFS as node:wasi on a real directory', async () => {
    const fs = new MemoryFS();
    const ours = await runOurs({
      wasm: fixture('files'),
      args: ['files', '/sandbox'],
      preopens: { '/sandbox': fs },
    });
    const theirs = await runNodeWasi({
      wasm: fixture('files'),
      args: ['files', '/sandbox'],
      preopens: { '/sandbox': await freshDir() },
    });
    expect(ours).toEqual(theirs);
    expect(snapshotFileSystem(fs)).toEqual(FILES_LEFT);
  });

  it('walks a MemoryFS built from a tree like the same tree on disk', async () => {
    const fs = new MemoryFS({
      README: 'read me\n',
      src: { 'main.c': 'int x;\n', lib: { 'a.txt': 'aaaa' } },
      empty: {},
    });
    const disk = await freshDir();
    mkdirSync(join(disk, 'src/lib'), { recursive: true });
    mkdirSync(join(disk, 'empty'));
    writeFileSync(join(disk, 'README'), 'read me\n');
    writeFileSync(join(disk, 'src/main.c'), 'int x;\n');
    writeFileSync(join(disk, 'src/lib/a.txt'), 'aaaa');
    const inMemory = await runOurs({ wasm: fixture('walk'), args: ['walk', '/w'], preopens: { '/w': fs } });
    const onDisk = await runOurs({ wasm: fixture('walk'), args: ['walk', '/w'], preopens: { '/w': disk } });
    expect(inMemory).toEqual(onDisk);
    expect(inMemory.stdout).toBe(
      'dot entries: 2\nfile README 8\ndir  empty/\ndir  src/\n  dir  lib/\n    file a.txt 4\n  file main.c 7\n',
    );
  });

  it('cat reads files given in the tree, and reports a missing one', async () => {
    const fs = new MemoryFS({ 'greeting.txt': 'hi from memory\n', bin: new Uint8Array([0x41, 0x42, 0x0a]) });
    const r = await runOurs({
      wasm: fixture('cat'),
      args: ['cat', '/data/greeting.txt', '/data/bin', '/data/nope'],
      preopens: { '/data': fs },
    });
    expect(r).toEqual({
      stdout: 'hi from memory\nAB\n',
      stderr: 'cat: /data/nope: No such file or directory\n',
      exitCode: 1,
    });
  });
});

describe('deterministic mode (ours only)', () => {
  it('gives byte-identical clock readings and random bytes on every run', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      runs.push(await runOurs({ wasm: fixture('clock'), args: ['clock', '--raw'], deterministic: true }));
      runs.push(await runOurs({ wasm: fixture('random'), args: ['random', '--hex'], deterministic: true }));
    }
    expect(runs[0]?.stdout).toMatch(/^monotonic \d+ \d+\nrealtime \d+\n/);
    expect(runs[1]?.stdout).toMatch(/^[0-9a-f]{64}\n[0-9a-f]{64}\narc4random [0-9a-f]{8}\n/);
    expect(runs[2]).toEqual(runs[0]);
    expect(runs[3]).toEqual(runs[1]);
    const free = await runOurs({ wasm: fixture('random'), args: ['random', '--hex'] });
    expect(free.stdout.split('\n')[0]).not.toBe(runs[1]?.stdout.split('\n')[0]);
  });
});
