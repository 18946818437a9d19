import { mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolchain } from '../test/toolchain.js';
import {
  expandFlags,
  inParallel,
  listFiles,
  makeSysroot,
  PREOPENS_C,
  SYSROOT_INCLUDE,
  sha256Hex,
} from './index.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'wasi-cc-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('createToolchain', () => {
  it("fails with the recipe's own errors: a missing tool says what to install, a failing one shows its output", async () => {
    await expect(toolchain.run('no-such-tool-42', [], 'compile x.c')).rejects.toMatchObject({
      code: 'ERR_TEST_MISSING',
      message: expect.stringMatching(/no-such-tool-42 was not found \(needed to compile x\.c\): install it/),
    });
    await expect(
      toolchain.run('sh', ['-c', 'echo out; echo reason >&2; exit 3'], 'run a step'),
    ).rejects.toMatchObject({
      code: 'ERR_TEST_FAILED',
      message: expect.stringMatching(/run a step failed[\s\S]*out[\s\S]*reason/),
    });
    expect(await toolchain.run('sh', ['-c', 'echo $X'], 'print', { env: { X: 'given' } })).toBe('given\n');
  });

  it('hashes files, and a missing one is the missing error', async () => {
    await writeFile(join(work, 'f'), 'abc');
    expect(await toolchain.fileSha(join(work, 'f'))).toBe(sha256Hex(new TextEncoder().encode('abc')));
    await expect(toolchain.fileSha(join(work, 'none'))).rejects.toMatchObject({ code: 'ERR_TEST_MISSING' });
  });
});

describe('build helpers', () => {
  it('makes a sysroot holding only the wasi-libc directories', async () => {
    const sysroot = await makeSysroot(work);
    expect(await readlink(join(sysroot, 'include', 'wasm32-wasi'))).toBe(SYSROOT_INCLUDE);
  });

  it('expands placeholders, a longer name never taken for a shorter one', () => {
    expect(expandFlags(['-I@BUILD@/x', '--p=@BUILD_PYTHON@'], { BUILD: '/b', BUILD_PYTHON: '/py' })).toEqual([
      '-I/b/x',
      '--p=/py',
    ]);
  });

  it('lists files sorted with / separators, and runs at most `jobs` at once', async () => {
    expect((await listFiles(join(PREOPENS_C, '..'))).includes('preopens.c')).toBe(true);
    let running = 0;
    let most = 0;
    await inParallel([1, 2, 3, 4, 5], 2, async () => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    });
    expect(most).toBe(2);
  });
});
