// The Lua template's Worker directory (`deployWorker`) under the real Wrangler, offline, through the
// shared helper: `wrangler deploy --dry-run` takes the generated wrangler.toml without a warning
// about it and uploads the files as they are (the engine and the data module as compiled Wasm
// modules, never inlined), and `wrangler dev` (miniflare running workerd) serves the app as
// `workerd serve config.capnp` does.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployWorker } from '@wasm-runtime/workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrangler, wranglerDev } from '../../../packages/workers/test/support/wrangler.mjs';
import { tempDir } from './helpers.js';
import { buildApp, runSplit } from './ways.js';

const template = fileURLToPath(new URL('../../../templates/lua/src/', import.meta.url));

let scratch: Awaited<ReturnType<typeof tempDir>>;
let dist: string;
let worker: string;

beforeAll(async () => {
  scratch = await tempDir('lua-wrangler-');
  dist = (await buildApp(template, join(scratch.path, 'dist'), 'hello')).outDir;
  worker = (await deployWorker({ dist, out: join(scratch.path, 'worker') })).outDir;
}, 240_000);

afterAll(async () => {
  await scratch?.remove();
});

/** Wrangler's warnings (`▲ [WARNING] ...`), but the one about this Node.js version. */
function warnings(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.includes('[WARNING]') && !line.includes('requires at least Node.js'));
}

describe('wrangler deploy --dry-run on the Lua template', () => {
  it('takes wrangler.toml as written and uploads every module unchanged, Wasm as compiled Wasm', async () => {
    const out = join(scratch.path, 'dry-run');
    const r = await wrangler(['deploy', '--dry-run', '--outdir', out], { cwd: worker });
    expect(r.code, r.stderr).toBe(0);
    const output = r.stdout + r.stderr;
    expect(warnings(output)).toEqual([]);
    expect(output).toContain('--dry-run: exiting now.');
    const engine = (await readdir(worker)).find((f) => /^engine-[0-9a-f]{16}\.wasm$/.test(f))!;
    expect(output).toMatch(new RegExp(`${engine.replace('.', '\\.')} +│ compiled-wasm`));
    expect(output).toMatch(/app\.data\.wasm +│ compiled-wasm/);
    expect(output).toMatch(/runtime\.js +│ esm/);
    // no_bundle: the entry and every module go up byte for byte, nothing inlined or re-encoded.
    for (const file of ['worker.js', 'runtime.js', engine, 'app.data.wasm']) {
      expect(Buffer.compare(await readFile(join(out, file)), await readFile(join(worker, file))), file).toBe(
        0,
      );
    }
    expect((await readdir(out)).filter((f) => f !== 'README.md').sort()).toEqual(
      ['app.data.wasm', engine, 'runtime.js', 'worker.js'].sort(),
    );
  }, 240_000);
});

describe('wrangler dev on the Lua template', () => {
  it('answers a request with what run prints, and refuses an unknown query parameter', async () => {
    const dev = await wranglerDev(worker);
    try {
      const node = await runSplit(dist, { args: ['Ada'] });
      const r = await dev.request({ args: ['Ada'] });
      expect(r).toMatchObject({ status: 200, exitCode: '0', error: null });
      // The quote is drawn anew per start; the rest is what run prints.
      const stable = (s: string) => s.replace(/^".+" \(.+\)$/m, '<quote>');
      expect(stable(r.body)).toBe(stable(node.stdout));
      expect(r.body.split('\n')[0]).toBe('Hello, Ada! (Lua 5.4, started from a snapshot)');
      const bad = await dev.request({ query: { args: 'Ada' } });
      expect(bad.status).toBe(400);
    } finally {
      await dev.close();
    }
  }, 300_000);
});
