// The pipeline's pool of warm instances in real headless Chromium: `@wasm-runtime/pipeline/runner`
// and its dependencies' browser builds, loaded as plain ESM through an import map (so a Node
// built-in anywhere below the runner fails the page), run the Lua hello app three times on one
// instance, verifying each reset against a fresh instance; the outputs are Node's.

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, pageResult, serve } from '../../../packages/wasi/test/support/chromium.mjs';
import { tempDir } from './helpers.js';
import { buildApp, type Observed, runSplit } from './ways.js';

const dist = (pkg: string) => fileURLToPath(new URL(`../../../packages/${pkg}/dist/`, import.meta.url));
const hello = fileURLToPath(new URL('../examples/hello/', import.meta.url));

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8">
<script type="importmap">{ "imports": {
  "@wasm-runtime/pipeline/runner": "/pipeline/runner.js",
  "@wasm-runtime/wasi": "/wasi/index.js", "@wasm-runtime/split": "/split/index.js",
  "@wasm-runtime/wasm": "/wasm/index.js", "@wasm-runtime/errors": "/errors/index.js" } }</script>
</head><body>
<script type="module">
import { createPool } from '@wasm-runtime/pipeline/runner';
try {
  const bytes = async (path) => new Uint8Array(await (await fetch('/app/' + path)).arrayBuffer());
  const manifest = await (await fetch('/app/manifest.json')).json();
  const engineFile = manifest.files.engine;
  const pool = await createPool(
    { where: '/app', manifest, engine: await bytes(engineFile.path), engineFile, data: await bytes(manifest.files.data.path) },
    { size: 1, verify: true },
  );
  const text = new TextDecoder();
  const runs = [];
  for (const args of [['browser'], [], ['again']]) {
    const r = await pool.run({ args, stdout: 'buffer', stderr: 'buffer' });
    runs.push({ code: r.exitCode, stdout: text.decode(r.stdout), stderr: text.decode(r.stderr) });
  }
  const { created, reused, runs: count } = pool.stats;
  window.result = { ok: true, runs, stats: { created, reused, runs: count } };
} catch (error) {
  window.result = { ok: false, error: String((error && error.stack) || error) };
}
</script></body></html>`;

let scratch: Awaited<ReturnType<typeof tempDir>>;
let server: Awaited<ReturnType<typeof serve>>;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let outDir: string;

beforeAll(async () => {
  scratch = await tempDir('lua-pool-browser-');
  outDir = (await buildApp(hello, `${scratch.path}/dist`, 'hello')).outDir;
  server = await serve({
    '/': PAGE,
    '/app/': { dir: outDir },
    '/pipeline/': { dir: dist('pipeline') },
    '/wasi/': { dir: dist('wasi') },
    '/split/': { dir: dist('split') },
    '/wasm/': { dir: dist('wasm') },
    '/errors/': { dir: dist('errors') },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await scratch?.remove();
});

describe('a pool of Lua instances in a browser', () => {
  it('runs the app three times on one reset instance in headless Chromium, as Node runs it', async () => {
    const { result, errors } = await pageResult(browser!.context, `${server.origin}/`);
    expect(errors).toEqual([]);
    expect(result).toMatchObject({ ok: true, stats: { created: 1, reused: 2, runs: 3 } });
    expect((result as { runs: Observed[] }).runs).toEqual([
      await runSplit(outDir, { args: ['browser'] }),
      await runSplit(outDir, { args: [] }),
      await runSplit(outDir, { args: ['again'] }),
    ]);
    expect(server.requested).toContain('/pipeline/run/pool.js');
  });
});
