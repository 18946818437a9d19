// `wasm-runtime deploy --target workers`, end to end: the real binary writes a Worker for the
// fixture runtime's app (a C reactor whose entry is an export), which the real workerd serves on
// 127.0.0.1 with the output `run` gives; dists a Worker cannot run and directories it must not
// overwrite are refused with a typed error and no directory written.

import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveWorker } from '../../workers/test/support/workerd.mjs';
import { cli } from './helpers/cli.js';

const apps = fileURLToPath(new URL('./fixtures/build/apps/', import.meta.url));
const cacheDir = fileURLToPath(new URL('./.build/store/', import.meta.url));
// Each test runs the CLI and workerd as processes: timeouts sized for a busy 2-core machine.

let tmp: string;
let dist: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-deploy-'));
  dist = join(tmp, 'dist');
  const b = await cli(['build', join(apps, 'hello'), '--out', dist, '--cache-dir', cacheDir]);
  expect(b.stderr).toBe('');
  expect(b.exitCode).toBe(0);
}, 240_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('wasm-runtime deploy --target workers', () => {
  it('writes a Worker that workerd serves with the output run gives', async () => {
    const out = join(tmp, 'worker');
    const d = await cli(['deploy', '--target', 'workers', '--out', out, dist]);
    expect(d.stderr).toBe('');
    expect(d.exitCode).toBe(0);
    expect(d.stdout).toMatch(/^worker\.js +[\d.]+ (B|KiB)$/m);
    expect(d.stdout).toMatch(/^Worker "hello" in .+ \(engine: no exception handling\)$/m);
    expect((await readdir(out)).sort()).toEqual(
      expect.arrayContaining(['app.data.wasm', 'config.capnp', 'runtime.js', 'worker.js', 'wrangler.toml']),
    );
    expect(await readFile(join(out, 'wrangler.toml'), 'utf8')).toMatch(/^name = "hello"$/m);

    const worker = await serveWorker(out);
    try {
      const ran = await cli(['run', dist, 'one', 'two']);
      const r = await worker.request({ args: ['one', 'two'] });
      expect(r).toMatchObject({ status: 200, exitCode: '0', body: ran.stdout });
      const failed = await worker.request({ args: ['exit', '9'] });
      expect(failed).toMatchObject({ status: 500, exitCode: '9' });
    } finally {
      await worker.close();
    }
  }, 180_000);

  it('--json prints the files and the engine form; a second deploy replaces the Worker it wrote', async () => {
    const out = join(tmp, 'again');
    expect((await cli(['deploy', '--target', 'workers', '--out', out, dist])).exitCode).toBe(0);
    const d = await cli(['deploy', '--target=workers', '-o', out, '--name', 'other-name', '--json', dist]);
    expect(d.exitCode).toBe(0);
    const result = JSON.parse(d.stdout);
    expect(result).toMatchObject({
      format: 'wasm-runtime-deploy@1',
      ok: true,
      name: 'other-name',
      instances: { way: 'pool', size: 4 },
    });
    expect(result.files.map((f: { path: string }) => f.path)).toContain('config.capnp');
    expect(await readFile(join(out, 'wrangler.toml'), 'utf8')).toMatch(/^name = "other-name"$/m);
    const sized = await cli(['deploy', '--target', 'workers', '--out', out, '--pool-size', '2', dist]);
    expect(sized.stdout).toContain(
      'requests: a pool of up to 2 instances per isolate, reset to the snapshot after each',
    );
    const fresh = await cli(['deploy', '--target', 'workers', '--out', out, '--fresh', '--json', dist]);
    expect(JSON.parse(fresh.stdout).instances).toEqual({ way: 'fresh' });
    expect(await readFile(join(out, 'worker.js'), 'utf8')).not.toContain('pool:');
  }, 180_000);

  it('refuses a dist whose recipe needs a JavaScript hook after restore, writing nothing', async () => {
    const hooked = join(tmp, 'hooked');
    await cp(dist, hooked, { recursive: true });
    const manifest = JSON.parse(await readFile(join(hooked, 'manifest.json'), 'utf8'));
    manifest.recipe = './recipe.mjs';
    manifest.postRestore = { call: null, hook: true };
    await writeFile(join(hooked, 'manifest.json'), JSON.stringify(manifest));
    const out = join(tmp, 'hooked-worker');
    const d = await cli(['deploy', '--target', 'workers', '--out', out, hooked]);
    expect(d.exitCode).toBe(1);
    expect(d.stderr).toMatch(
      /^error\[ERR_WORKERS_POST_RESTORE_HOOK\]: the dist .* needs its recipe's JavaScript hook/,
    );
    await expect(readdir(out)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 180_000);

  it('refuses a non-empty directory it did not write, and leaves it as it was', async () => {
    const out = join(tmp, 'occupied');
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'mine');
    const d = await cli(['deploy', '--target', 'workers', '--out', out, dist]);
    expect(d.exitCode).toBe(1);
    expect(d.stderr).toMatch(/^error\[ERR_WORKERS_OUT_DIR\]: .* is not empty and holds no Worker/);
    expect(await readdir(out)).toEqual(['notes.txt']);
  }, 180_000);

  it("ships the app's run-time files in the Worker; writes, when allowed, never outlive their request", async () => {
    const files = join(tmp, 'files-dist');
    const b = await cli(['build', join(apps, 'files'), '--out', files, '--cache-dir', cacheDir]);
    expect(b.exitCode).toBe(0);
    const readOnly = join(tmp, 'files-worker');
    expect((await cli(['deploy', '--target', 'workers', '--out', readOnly, files])).exitCode).toBe(0);
    expect(await readdir(readOnly)).toContain('mount-0.bin');
    let worker = await serveWorker(readOnly);
    try {
      const cat = await worker.request({ args: ['cat', '/app/data/note.txt'] });
      expect(cat).toMatchObject({ status: 200, exitCode: '0' });
      expect(cat.body).toMatch(/\nread at run time\n$/);
      // Every mount is read-only unless the deploy says otherwise, as with `run`.
      const write = await worker.request({ args: ['write', '/app/x.txt', 'hi'] });
      expect(write.status).toBe(500);
      expect(write.exitCode).not.toBe('0');
      await expect
        .poll(() => worker.logs().stderr, { timeout: 10_000 })
        .toMatch(/\/app\/x\.txt: .*read-only/i);
    } finally {
      await worker.close();
    }
    const writable = join(tmp, 'files-writable');
    const d = await cli(['deploy', '--target', 'workers', '--writable-mounts', '--out', writable, files]);
    expect(d.exitCode).toBe(0);
    worker = await serveWorker(writable);
    try {
      expect(await worker.request({ args: ['write', '/app/x.txt', 'hi'] })).toMatchObject({ exitCode: '0' });
      const after = await worker.request({ args: ['cat', '/app/x.txt'] });
      expect(after.exitCode).not.toBe('0');
      expect((await worker.request({ args: ['cat', '/app/main.txt'] })).body).toMatch(
        /hello from the files app\n$/,
      );
    } finally {
      await worker.close();
    }
  }, 180_000);

  it('usage errors: no --target, an unknown target, no --out, a bad --exceptions or --pool-size (exit 2)', async () => {
    for (const [args, message] of [
      [['--out', 'x'], 'deploy needs --target workers'],
      [['--target', 'lambda', '--out', 'x'], '--target lambda: deploy writes for workers'],
      [['--target', 'workers'], 'deploy needs --out <dir>'],
      [
        ['--target', 'workers', '--out', 'x', '--exceptions', 'both'],
        '--exceptions both: give exnref or legacy',
      ],
      [['--target', 'workers', '--out', 'x', '--pool-size', '0'], '--pool-size 0: give a whole number'],
      [
        ['--target', 'workers', '--out', 'x', '--pool-size', '2', '--fresh'],
        '--pool-size and --fresh: a fresh instance per request has no pool',
      ],
    ] as const) {
      const r = await cli(['deploy', ...args]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(message);
    }
  }, 180_000);
});
