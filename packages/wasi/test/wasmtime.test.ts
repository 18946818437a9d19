// The differential test against the reference implementation: each C fixture runs under our host
// and under a real Wasmtime (the `wasmtime` Python package, installed by scripts/setup-wasmtime)
// with the same arguments, environment, stdin and a fresh copy of the same directory; stdout,
// stderr, exit code and the files written must be the same.

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture } from './build-fixtures.js';
import { runOurs, snapshotTree, tempDir } from './harness.js';
import { runWasmtime, tryWasmtime } from './support/wasmtime.mjs';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
async function freshDir(): Promise<string> {
  const dir = await tempDir();
  cleanups.push(dir.remove);
  return dir.path;
}

interface Spec {
  name: string;
  args: string[];
  env?: Record<string, string>;
  stdin?: string;
}

async function both(spec: Spec, dirs: { guest: string; ours: string; theirs: string }[] = []) {
  const [argv0, ...args] = spec.args;
  const ours = await runOurs({
    wasm: fixture(spec.name),
    args: spec.args,
    ...(spec.env === undefined ? {} : { env: spec.env }),
    ...(spec.stdin === undefined ? {} : { stdin: spec.stdin }),
    preopens: Object.fromEntries(dirs.map((d) => [d.guest, d.ours])),
  });
  const theirs = await runWasmtime({
    file: fixture(spec.name),
    argv0: argv0 ?? spec.name,
    args,
    env: spec.env ?? {},
    stdin: spec.stdin ?? '',
    dirs: dirs.map((d) => ({ host: d.theirs, guest: d.guest })),
  });
  return { ours, theirs };
}

describe('same observable behaviour as Wasmtime 49', { timeout: 120_000 }, () => {
  it('hello: stdout, stderr and exit code', async () => {
    const { ours, theirs } = await both({ name: 'hello', args: ['hello'] });
    expect(ours).toEqual({ stdout: 'hello, world\n', stderr: 'a line on stderr\n', exitCode: 0 });
    expect(theirs).toEqual(ours);
  });

  it('args and environ: spaces, UTF-8, = in values, empty values', async () => {
    const { ours, theirs } = await both({
      name: 'args',
      args: ['args', 'two words', 'ünïcødé ✓', '', '--flag=x'],
      env: { HOME: '/home/guest', EQ: 'a=b=c', EMPTY: '', UTF: 'é' },
    });
    expect(ours.stdout).toContain('env EQ=a=b=c\n');
    expect(theirs).toEqual(ours);
  });

  it.each([
    [0, 'exit'],
    [3, 'exit'],
    [42, '_Exit'],
    [125, 'return'],
  ])('exit code %i by %s', async (code, mode) => {
    const { ours, theirs } = await both({ name: 'exit', args: ['exit', String(code), mode] });
    expect(ours.exitCode).toBe(code);
    expect(theirs).toEqual(ours);
  });

  it('exit code 255: both refuse a status of 126 or more (Wasmtime traps, ours throws ExitStatusError)', async () => {
    const ours = runOurs({ wasm: fixture('exit'), args: ['exit', '255', 'return'] });
    await expect(ours).rejects.toMatchObject({ code: 'ERR_WASI_EXIT_STATUS' });
    const theirs = await tryWasmtime({ file: fixture('exit'), argv0: 'exit', args: ['255', 'return'] });
    expect(theirs.trap).toMatch(/exit with invalid exit status outside of \[0\.\.126\)/);
  });

  it('stdin echo (100 kB, binary-safe UTF-8)', async () => {
    const stdin = `ß∂ƒ©\u0001\u007f\n${'x'.repeat(100_000)}`;
    const { ours, theirs } = await both({ name: 'echo', args: ['echo'], stdin });
    expect(ours.stdout).toBe(stdin);
    expect(theirs).toEqual(ours);
  });

  it('clocks: monotonic, realtime, resolution, a 10 ms sleep', async () => {
    const { ours, theirs } = await both({ name: 'clock', args: ['clock'] });
    expect(ours.stdout).toMatch(/^0 failures$/m);
    expect(theirs).toEqual(ours);
  });

  it('randomness: getentropy and arc4random', async () => {
    const { ours, theirs } = await both({ name: 'random', args: ['random'] });
    expect(ours.stdout).toMatch(/^0 failures$/m);
    expect(theirs).toEqual(ours);
  });

  it('file I/O on a real directory: same output and the same files written', async () => {
    const [a, b] = [await freshDir(), await freshDir()];
    const { ours, theirs } = await both({ name: 'files', args: ['files', '/sandbox'] }, [
      { guest: '/sandbox', ours: a, theirs: b },
    ]);
    expect(ours.stdout).toMatch(/^0 failures$/m);
    expect(theirs).toEqual(ours);
    expect(await snapshotTree(b)).toEqual(await snapshotTree(a));
  });

  it('directory walk: the same tree, . and .. included', async () => {
    const [a, b] = [await freshDir(), await freshDir()];
    for (const root of [a, b]) {
      mkdirSync(join(root, 'src/lib/deep'), { recursive: true });
      mkdirSync(join(root, 'empty'));
      writeFileSync(join(root, 'README'), 'read me\n');
      writeFileSync(join(root, 'src/lib/deep/data.bin'), Buffer.alloc(3000, 7));
      for (let i = 0; i < 40; i++)
        writeFileSync(join(root, `src/lib/f${String(i).padStart(2, '0')}.txt`), 'x'.repeat(i));
      symlinkSync('src/lib', join(root, 'lib-link'));
    }
    const { ours, theirs } = await both({ name: 'walk', args: ['walk', '/w'] }, [
      { guest: '/w', ours: a, theirs: b },
    ]);
    expect(ours.stdout).toContain('dot entries: 2\n');
    expect(ours.stdout).toContain('    file data.bin 3000\n');
    expect(theirs).toEqual(ours);
  });

  it('descriptor calls: fd_renumber, fcntl flags, fsync, fadvise, isatty, sched_yield, rewinddir', async () => {
    const [a, b] = [await freshDir(), await freshDir()];
    const { ours, theirs } = await both({ name: 'misc', args: ['misc', '/m'] }, [
      { guest: '/m', ours: a, theirs: b },
    ]);
    expect(ours.stdout).toMatch(/^0 failures$/m);
    expect(theirs).toEqual(ours);
    expect(await snapshotTree(b)).toEqual(await snapshotTree(a));
  });

  it('errno of failing path operations', async () => {
    const [a, b] = [await freshDir(), await freshDir()];
    const { ours, theirs } = await both({ name: 'errnos', args: ['errnos', '/m'] }, [
      { guest: '/m', ours: a, theirs: b },
    ]);
    expect(ours).toMatchObject({ exitCode: 0, stderr: '' });
    expect(theirs).toEqual(ours);
    expect(await snapshotTree(b)).toEqual(await snapshotTree(a));
  });
});
