import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../../test/helpers/streams.js';
import { buildCommand } from './build.js';
import { isDistDir, runDistCommand } from './run-dist.js';

const apps = fileURLToPath(new URL('../../test/fixtures/build/apps/', import.meta.url));
const cacheDir = fileURLToPath(new URL('../../test/.build/store/', import.meta.url));

let tmp: string;
let dist: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-rundist-'));
  dist = join(tmp, 'dist');
  expect(await buildCommand({ dir: join(apps, 'hello'), out: dist, cacheDir }, capture().streams)).toBe(0);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('runDistCommand', () => {
  it('tells a dist directory from a module file', async () => {
    expect(await isDistDir(dist)).toBe(true);
    expect(await isDistDir(join(dist, 'hello.wasm'))).toBe(false);
    expect(await isDistDir(join(tmp, 'missing'))).toBe(false);
  });

  it('returns the guest exit status, and refuses a bad --dir and a non-dist directory', async () => {
    expect(await runDistCommand({ module: dist, args: ['exit', '5'], env: {}, dirs: [] })).toBe(5);
    await expect(
      runDistCommand({ module: dist, args: [], env: {}, dirs: [{ host: join(tmp, 'nope'), guest: '/x' }] }),
    ).rejects.toMatchObject({ code: 'ERR_CLI_BAD_DIR' });
    await expect(runDistCommand({ module: tmp, args: [], env: {}, dirs: [] })).rejects.toMatchObject({
      code: 'ERR_DIST_INVALID',
    });
  });
});
