// The pool of warm instances on a hostile guest (fixtures/pool/hostile.c, built like every C fixture
// through the store's cachedBuild): a secret left in the heap, the stack, a static, the stack
// pointer global, a file of an in-memory directory and the environment is gone in the next run on
// the same instance, which sees exactly what a fresh start sees; instances that grew, or whose
// engine can change its table, are never reused.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preinitialize } from '@wasm-runtime/preinit';
import { split } from '@wasm-runtime/split';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactStore,
  build,
  createPool,
  fetchRuntime,
  type LoadedDist,
  loadDist,
  loadRecipeModule,
  type PoolRunOptions,
  runDist,
} from '../src/index.js';
import { checkEngineForReset, firstDifference } from '../src/run/pool.js';

const fixtures = fileURLToPath(new URL('./fixtures/pool/', import.meta.url));
const cacheDir = fileURLToPath(new URL('../.cache/test-build-store/', import.meta.url));
const text = new TextDecoder();

let tmp: string;
let store: ArtifactStore;
let hostile: LoadedDist;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-pool-'));
  store = new ArtifactStore({ cacheDir, offline: true });
  await build(join(fixtures, 'apps', 'hostile'), { store, overrides: { out: join(tmp, 'hostile') } });
  hostile = await loadDist(join(tmp, 'hostile'));
}, 300_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The pool's runs see an empty in-memory /tmp, as the hostile guest's plant needs. */
const tmpDir = { memoryDirs: { '/tmp': {} } };

async function run(pool: Awaited<ReturnType<typeof createPool>>, args: string[], more: PoolRunOptions = {}) {
  const r = await pool.run({ args, stdout: 'buffer', stderr: 'buffer', ...more });
  return { code: r.exitCode, stdout: text.decode(r.stdout), stderr: text.decode(r.stderr) };
}

describe('createPool', () => {
  it('a secret planted in every writable place is gone in the next run on the same instance', async () => {
    // The reference: what a fresh start of the snapshot sees.
    const fresh = await createPool(hostile, { ...tmpDir, size: 1 });
    const clean = await run(fresh, ['check', 'open-sesame']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(
      /^memory: 0\nstatic: clean\nleak: null\nenv: absent\ntoken: absent\nfile: absent\nsp: \d+\nkept: made at init\n$/,
    );
    // And runDist, a fresh instance per run, sees the same.
    const viaRunDist = await runDist(hostile, {
      args: ['check', 'open-sesame'],
      stdin: 'ignore',
      stdout: 'buffer',
      stderr: 'buffer',
      dirs: [{ host: tmp, guest: '/tmp' }],
    });
    expect(text.decode(viaRunDist.stdout)).toBe(clean.stdout);

    const pool = await createPool(hostile, { ...tmpDir, size: 1, verify: true });
    const planted = await run(pool, ['plant', 'open-sesame'], { env: { TOKEN: 'open-sesame' } });
    expect(planted).toEqual({ code: 0, stdout: 'planted\n', stderr: '' });
    expect(await run(pool, ['check', 'open-sesame'])).toEqual(clean);
    // Twice more, to reuse an instance reset more than once.
    await run(pool, ['plant', 'open-sesame']);
    expect(await run(pool, ['check', 'open-sesame'])).toEqual(clean);
    expect(pool.stats).toMatchObject({
      created: 1,
      reused: 3,
      runs: 4,
      dropped: { grew: 0, tables: 0, engineState: 0, interrupted: 0 },
    });
    expect(pool.notReusable).toBeUndefined();
  });

  it('the detector finds every secret in the run that planted it', async () => {
    const pool = await createPool(hostile, { ...tmpDir, size: 1 });
    const r = await run(pool, ['plant-check', 'open-sesame'], { env: { TOKEN: 'open-sesame' } });
    expect(r.stdout).toMatch(
      /^memory: [3-9]\nstatic: dirty\nleak: set\nenv: present\ntoken: open-sesame\nfile: present\n/,
    );
  });

  it('a trap still allows the reset; a grown memory is never reused', async () => {
    const pool = await createPool(hostile, { ...tmpDir, size: 1, verify: true });
    const clean = await run(pool, ['check', 'xyzzy-secret']);
    await expect(pool.run({ args: ['trap'], stdout: 'buffer', stderr: 'buffer' })).rejects.toThrow(
      WebAssembly.RuntimeError,
    );
    expect(await run(pool, ['check', 'xyzzy-secret'])).toEqual(clean);
    expect(pool.stats).toMatchObject({ created: 1, reused: 2, dropped: { grew: 0, interrupted: 0 } });

    expect(await run(pool, ['grow'])).toMatchObject({ code: 0, stdout: 'grew\n' });
    expect(pool.stats).toMatchObject({ created: 1, dropped: { grew: 1 }, idle: 0 });
    expect(await run(pool, ['check', 'xyzzy-secret'])).toEqual(clean);
    expect(pool.stats).toMatchObject({ created: 2, reused: 3, runs: 5, dropped: { grew: 1 } });
  });

  it('an engine whose code can change its table is never reused', async () => {
    // The pipeline refuses to split this runtime (preinit rewrites its element segments), so the
    // pair is made by hand: preinit, then split without the original module.
    const { recipe } = await loadRecipeModule(join(fixtures, 'recipe-tables.mjs'));
    const runtime = (await fetchRuntime(recipe, store, { baseDir: fixtures })).bytes;
    const snapshot = await preinitialize(runtime, {
      allowWasi: true,
      renameFuncs: [['_start', 'hostile.run']],
    });
    const pair = split(snapshot.module);
    const pool = await createPool(
      {
        where: 'the hostile-tables pair',
        manifest: { ...hostile.manifest, split: pair.manifest },
        engine: pair.engine,
        engineFile: { path: pair.manifest.engine.file, sha256: pair.manifest.engine.sha256 },
        data: pair.app,
      },
      { ...tmpDir, size: 1 },
    );
    expect(pool.notReusable).toMatch(/table\.grow/);
    const first = await run(pool, ['check', 'xyzzy-secret']);
    expect(first.stdout).toMatch(/^memory: 0\n/);
    expect(await run(pool, ['check', 'xyzzy-secret'])).toEqual(first);
    expect(pool.stats).toMatchObject({ created: 2, reused: 0, runs: 2, dropped: { tables: 2 } });
  });

  it("an engine given compiled is reused only with its bytes' verdict, for that engine", async () => {
    const compiled = {
      where: 'the hostile pair, compiled',
      manifest: hostile.manifest,
      engine: new WebAssembly.Module(hostile.engine as Uint8Array<ArrayBuffer>),
      engineFile: hostile.engineFile,
      data: new WebAssembly.Module(hostile.data as Uint8Array<ArrayBuffer>),
    };
    const blind = await createPool(compiled, { ...tmpDir, size: 1 });
    expect(blind.notReusable).toMatch(/given compiled.*engineCheck/);
    await run(blind, ['check', 'xyzzy-secret']);
    expect(blind.stats).toMatchObject({ created: 1, reused: 0, dropped: { engineState: 1 } });

    const engineCheck = checkEngineForReset(hostile.engine, hostile.engineFile.sha256);
    expect(engineCheck).toEqual({ sha256: hostile.engineFile.sha256, blocker: null });
    const pool = await createPool(compiled, { ...tmpDir, size: 1, verify: true, engineCheck });
    const clean = await run(pool, ['check', 'xyzzy-secret']);
    await run(pool, ['plant', 'xyzzy-secret'], { env: { TOKEN: 'xyzzy-secret' } });
    expect(await run(pool, ['check', 'xyzzy-secret'])).toEqual(clean);
    expect(pool.stats).toMatchObject({ created: 1, reused: 2, dropped: { engineState: 0 } });

    // A verdict made for other bytes is refused, not trusted.
    await expect(
      createPool(compiled, { engineCheck: { sha256: '0'.repeat(64), blocker: null } }),
    ).rejects.toMatchObject({ code: 'ERR_POOL_OPTIONS', message: expect.stringContaining('0000') });
  });

  it('runs beyond the size wait for an instance; eager pools start full; a closed pool refuses runs', async () => {
    const pool = await createPool(hostile, { ...tmpDir, size: 2, eager: true });
    expect(pool.stats).toMatchObject({ created: 2, idle: 2, busy: 0 });
    const results = await Promise.all(Array.from({ length: 6 }, () => run(pool, ['check', 'xyzzy-secret'])));
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    // The first run on each eager instance is its first start, not a reuse.
    expect(pool.stats).toMatchObject({ created: 2, reused: 4, runs: 6, idle: 2 });
    // Run options the WASI host refuses: the instance, which never ran, is not lost.
    await expect(pool.run({ stdin: 42 as never })).rejects.toMatchObject({ code: 'ERR_WASI_BAD_STDIO' });
    expect(pool.stats).toMatchObject({ created: 2, runs: 6, idle: 2, busy: 0 });
    expect(await run(pool, ['check', 'xyzzy-secret'])).toEqual(results[0]);
    pool.close();
    await expect(pool.run()).rejects.toMatchObject({ code: 'ERR_POOL_CLOSED' });
    await expect(createPool(hostile, { size: 0 })).rejects.toMatchObject({ code: 'ERR_POOL_OPTIONS' });
  });

  it("firstDifference finds the first differing byte, verify's comparison", () => {
    const a = new Uint8Array(100);
    const b = new Uint8Array(100);
    expect(firstDifference(a, b)).toBe(-1);
    b[97] = 1;
    expect(firstDifference(a, b)).toBe(97);
    b[9] = 2;
    expect(firstDifference(a, b)).toBe(9);
    expect(firstDifference(a.subarray(1), b.subarray(1))).toBe(8);
  });
});
