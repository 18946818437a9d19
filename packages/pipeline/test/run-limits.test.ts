// Bounded runs of a built app through runDist (issue 10): a timeout stops a spinning guest and the
// process goes on serving, a memory cap stops a guest that allocates without end, and a loaded
// dist runs normally after either. The built package is imported: a timed run's worker thread
// loads dist/run/dist-worker.js, which exists only after a build.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ArtifactStore,
  build,
  fetchRuntime,
  type LoadedDist,
  loadDist,
  loadRecipeModule,
  type RunDistOptions,
  runDist,
} from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const fixtures = fileURLToPath(new URL('./fixtures/build/', import.meta.url));
const cacheDir = fileURLToPath(new URL('../.cache/test-build-store/', import.meta.url));

let tmp: string;
let dist: LoadedDist;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-limits-'));
  const store = new ArtifactStore({ cacheDir, offline: true });
  const { recipe } = await loadRecipeModule(join(fixtures, 'recipe.mjs'));
  await fetchRuntime(recipe, store, { baseDir: fixtures });
  const out = join(tmp, 'hello');
  await build(join(fixtures, 'apps', 'hello'), { store, overrides: { out } });
  dist = await loadDist(out);
}, 180_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function captured(args: string[], limits: RunDistOptions = {}) {
  const out: string[] = [];
  const dec = new TextDecoder();
  const run = runDist(dist, {
    args,
    stdin: 'ignore',
    stdout: (chunk) => out.push(dec.decode(chunk)),
    stderr: 'ignore',
    ...limits,
  });
  return run.then(
    ({ exitCode }) => ({ exitCode, stdout: out.join(''), error: undefined }),
    (error: { code?: string; message: string }) => ({ exitCode: undefined, stdout: out.join(''), error }),
  );
}

describe('runDist with limits', () => {
  it('stops a spinning guest at its timeout, and the next runs of the same loaded dist are normal', async () => {
    const normal = await captured([]);
    expect(normal.exitCode).toBe(0);
    const t0 = performance.now();
    const spun = await captured(['spin'], { timeout: 500 });
    const elapsed = performance.now() - t0;
    expect(spun.error?.code).toBe('ERR_RUN_TIMEOUT');
    expect(spun.error?.message).toMatch(/ran past its timeout of 500 ms/);
    // Output written before the loop was forwarded from the worker thread.
    expect(spun.stdout).toBe(`${normal.stdout}arg spin\n`);
    expect(elapsed).toBeGreaterThanOrEqual(500);
    expect(await captured([])).toEqual(normal);
    const exit7 = await captured(['exit', '7']);
    expect(exit7.exitCode).toBe(7);
    expect(await captured(['exit', '7'], { timeout: 30_000 })).toEqual(exit7);
  }, 60_000);

  it('caps memory: a guest allocating without end fails with the typed error, in-process or timed', async () => {
    for (const limits of [{ maxMemory: 16 * 2 ** 20 }, { maxMemory: 16 * 2 ** 20, timeout: 30_000 }]) {
      const grown = await captured(['grow'], limits);
      expect(grown.error?.code).toBe('ERR_RUN_MEMORY_LIMIT');
      expect(grown.error?.message).toMatch(
        /exited with 5 after its memory reached 1\d(\.\d)? MiB of its 16 MiB limit/,
      );
    }
    // Below what the snapshot starts with: refused before running.
    const tiny = await captured([], { maxMemory: 65536 });
    expect(tiny.error?.code).toBe('ERR_RUN_LIMIT');
    expect(tiny.error?.message).toMatch(/starts with .* of memory, more than the 64 KiB limit/);
    // A capped run that stays under the cap is a normal run.
    expect((await captured([], { maxMemory: 64 * 2 ** 20 })).exitCode).toBe(0);
  }, 60_000);

  it("returns 'buffer' output with the exit code, in-process and from a timed run's worker", async () => {
    for (const limits of [{}, { timeout: 60_000 }]) {
      const r = await runDist(dist, {
        args: ['exit', '3'],
        stdin: 'ignore',
        stdout: 'buffer',
        stderr: 'buffer',
        ...limits,
      });
      expect(r.exitCode).toBe(3);
      expect(new TextDecoder().decode(r.stdout)).toContain('arg exit\narg 3\n');
      expect(r.stderr).toEqual(new Uint8Array(0));
    }
    // Output that went elsewhere is not returned.
    expect(await runDist(dist, { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' })).toEqual({
      exitCode: 0,
    });
  }, 120_000);

  it('refuses limits that are not positive numbers, and a stdin callback with a timeout', async () => {
    expect((await captured([], { timeout: 0 })).error?.code).toBe('ERR_RUN_LIMIT');
    expect((await captured([], { maxMemory: -1 })).error?.code).toBe('ERR_RUN_LIMIT');
    const r = await runDist(dist, { stdin: () => null, timeout: 1000 }).catch(
      (e: { code: string }) => e.code,
    );
    expect(r).toBe('ERR_RUN_LIMIT');
  });
});
