// What `wasm-runtime deploy --target workers` writes, under the real Wrangler, offline (the shared
// helper packages/workers/test/support/wrangler.mjs): an app with run-time files, so the Worker has
// a data module beside its Wasm modules. `wrangler deploy --dry-run` uploads each by its kind,
// unchanged, and `wrangler dev` serves the files to the app as `workerd serve` does.
// (runtimes/lua/test/wrangler.test.ts does the same for the Lua template.)

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrangler, wranglerDev } from '../../workers/test/support/wrangler.mjs';
import { cli } from './helpers/cli.js';

const apps = fileURLToPath(new URL('./fixtures/build/apps/', import.meta.url));
const cacheDir = fileURLToPath(new URL('./.build/store/', import.meta.url));

let tmp: string;
let dist: string;
let worker: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-wrangler-'));
  dist = join(tmp, 'dist');
  const b = await cli(['build', join(apps, 'files'), '--out', dist, '--cache-dir', cacheDir]);
  expect(b.exitCode, b.stderr).toBe(0);
  worker = join(tmp, 'worker');
  const d = await cli(['deploy', '--target', 'workers', '--out', worker, dist]);
  expect(d.exitCode, d.stderr).toBe(0);
}, 240_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('the Worker deploy writes, under the real Wrangler', () => {
  it('wrangler deploy --dry-run uploads the Wasm modules as compiled Wasm and the files as a data module ("buffer"), unchanged', async () => {
    const out = join(tmp, 'dry-run');
    const r = await wrangler(['deploy', '--dry-run', '--outdir', out], { cwd: worker });
    expect(r.code, r.stderr).toBe(0);
    const output = r.stdout + r.stderr;
    expect(output.split('\n').filter((l) => l.includes('[WARNING]') && !l.includes('Node.js'))).toEqual([]);
    expect(output).toMatch(/mount-0\.bin +│ buffer/);
    expect(output).toMatch(/app\.data\.wasm +│ compiled-wasm/);
    const files = (await readdir(worker)).filter((f) => /\.(js|wasm|bin)$/.test(f));
    expect(files).toContain('mount-0.bin');
    for (const file of files) {
      expect(Buffer.compare(await readFile(join(out, file)), await readFile(join(worker, file))), file).toBe(
        0,
      );
    }
  }, 240_000);

  it('wrangler dev serves the app its run-time files: the response is what run prints', async () => {
    const dev = await wranglerDev(worker);
    try {
      const args = ['cat', '/app/data/note.txt'];
      const ran = await cli(['run', dist, ...args]);
      expect(ran.exitCode).toBe(0);
      const r = await dev.request({ args });
      expect(r).toMatchObject({ status: 200, exitCode: '0', body: ran.stdout });
      expect(r.body).toMatch(/\nread at run time\n$/);
      expect(await dev.request({ args: ['exit', '9'] })).toMatchObject({ status: 500, exitCode: '9' });
    } finally {
      await dev.close();
    }
  }, 300_000);
});
