import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { WASI } from 'node:wasi';
import { expect, it } from 'vitest';
import { LUA_DRIVER_DIR } from '../src/index.js';

const run = promisify(execFile);

// Cases Lua never hits (longjmp(env, 0), a setjmp table outgrowing its first slots, a jump through
// an intermediate function's handler, stale buffers), compiled against driver/sjlj.c.
it('the setjmp runtime implements C semantics beyond what Lua needs', async () => {
  const work = await mkdtemp(join(tmpdir(), 'lua-sjlj-'));
  try {
    const sysroot = join(work, 'sysroot');
    await mkdir(join(sysroot, 'include'), { recursive: true });
    await mkdir(join(sysroot, 'lib'), { recursive: true });
    await symlink('/usr/include/wasm32-wasi', join(sysroot, 'include', 'wasm32-wasi'));
    await symlink('/usr/lib/wasm32-wasi', join(sysroot, 'lib', 'wasm32-wasi'));
    const common = ['--target=wasm32-wasi', `--sysroot=${sysroot}`, '-O2', '-mllvm', '-wasm-enable-sjlj'];
    const fixture = fileURLToPath(new URL('./fixtures/sjlj/sjlj-test.c', import.meta.url));
    const include = join(LUA_DRIVER_DIR, 'include');
    await run('clang', [...common, '-isystem', include, '-c', fixture, '-o', join(work, 'test.o')]);
    await run('clang', [
      ...common,
      '-mexception-handling',
      '-c',
      join(LUA_DRIVER_DIR, 'sjlj.c'),
      '-o',
      join(work, 'sjlj.o'),
    ]);
    await run('clang', [
      ...common,
      join(work, 'test.o'),
      join(work, 'sjlj.o'),
      '-o',
      join(work, 'sjlj.wasm'),
    ]);

    const { openSync, closeSync } = await import('node:fs');
    const out = openSync(join(work, 'stdout'), 'w');
    const wasi = new WASI({ version: 'preview1', args: ['sjlj'], env: {}, returnOnExit: true, stdout: out });
    const module = await WebAssembly.compile(await readFile(join(work, 'sjlj.wasm')));
    const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
    const code = wasi.start(instance);
    closeSync(out);
    expect(code).toBe(0);
    expect(await readFile(join(work, 'stdout'), 'utf8')).toBe(
      'zero becomes 1 after 2 returns\ndeep 7\nmany 78\nouter 42\nloop ok\n',
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
