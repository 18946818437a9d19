// A Lua app's snapshot started in real headless Chromium: the browser builds of @wasm-runtime/split
// and @wasm-runtime/wasi, loaded as plain ESM through an import map, link the engine with the app's
// data module, reseed and run main with stdout in a buffer. Each start must print what the same
// start prints in Node.

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, pageResult, serve } from '../../../packages/wasi/test/support/chromium.mjs';
import { tempDir } from './helpers.js';
import { buildApp, type Observed, runSplit } from './ways.js';

const dist = (pkg: string) => fileURLToPath(new URL(`../../../packages/${pkg}/dist/`, import.meta.url));
const hello = fileURLToPath(new URL('../examples/hello/', import.meta.url));

// The page starts the app three times (two with arguments) and leaves the results on window.result.
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8">
<script type="importmap">{ "imports": {
  "@wasm-runtime/wasi": "/wasi/index.js", "@wasm-runtime/split": "/split/index.js",
  "@wasm-runtime/wasm": "/wasm/index.js", "@wasm-runtime/errors": "/errors/index.js" } }</script>
</head><body>
<script type="module">
import { WASI } from '@wasm-runtime/wasi';
import { EngineCache, link } from '@wasm-runtime/split';
try {
  const bytes = async (path) => new Uint8Array(await (await fetch('/app/' + path)).arrayBuffer());
  const manifest = await (await fetch('/app/manifest.json')).json();
  const engine = await bytes(manifest.files.engine.path);
  const data = await bytes(manifest.files.data.path);
  const cache = new EngineCache();
  async function start(args) {
    const wasi = new WASI({
      args: [manifest.name, ...args], env: {}, stdin: 'ignore', stdout: 'buffer', stderr: 'buffer',
      returnOnExit: true, ...(manifest.hostState ? { state: manifest.hostState } : {}),
    });
    const { instance } = await link(engine, data, wasi.imports, { manifest: manifest.split, cache });
    wasi.bindMemory(instance.exports.memory);
    instance.exports[manifest.postRestore.call]();
    const code = wasi.start(instance);
    return { code, stdout: wasi.stdoutText(), stderr: wasi.stderrText() };
  }
  const runs = [await start(['browser']), await start([]), await start(['again'])];
  window.result = { ok: true, runs, compilations: cache.compilations };
} catch (error) {
  window.result = { ok: false, error: String((error && error.stack) || error) };
}
</script></body></html>`;

let scratch: Awaited<ReturnType<typeof tempDir>>;
let server: Awaited<ReturnType<typeof serve>>;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let outDir: string;

beforeAll(async () => {
  scratch = await tempDir('lua-browser-');
  outDir = (await buildApp(hello, `${scratch.path}/dist`, 'hello')).outDir;
  server = await serve({
    '/': PAGE,
    '/app/': { dir: outDir },
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

describe('a Lua snapshot in a browser', () => {
  it('starts from the split pair in headless Chromium and prints what it prints in Node', async () => {
    const { result, errors } = await pageResult(browser!.context, `${server.origin}/`);
    expect(errors).toEqual([]);
    expect(result).toMatchObject({ ok: true, compilations: 1 });
    const runs = (result as { runs: Observed[] }).runs;
    expect(runs[0]).toEqual({ code: 0, stdout: 'Hello from Lua 5.4, browser!\n', stderr: '' });
    expect(runs).toEqual([
      await runSplit(outDir, { args: ['browser'] }),
      await runSplit(outDir, { args: [] }),
      await runSplit(outDir, { args: ['again'] }),
    ]);
    // The browser builds were what ran: the split's and the host's own files, not a bundle.
    for (const file of ['/split/index.js', '/split/link.js', '/wasi/index.js', '/app/manifest.json']) {
      expect(server.requested).toContain(file);
    }
  });
});
