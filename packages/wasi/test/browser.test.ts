// The browser build of @wasm-runtime/wasi (dist/index.js and the ESM files it imports) runs a WASI
// program in real headless Chromium, with an in-memory file system and stdout in a buffer.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from './build-fixtures.js';
import { launchChromium, pageResult, serve } from './support/chromium.mjs';

const wasiDist = fileURLToPath(new URL('../dist/', import.meta.url));
// The workspace's own @wasm-runtime/errors and @wasm-runtime/wasm, which the wasi dist imports by name.
const errorsDist = fileURLToPath(new URL('../../errors/dist/', import.meta.url));
const wasmDist = fileURLToPath(new URL('../../wasm/dist/', import.meta.url));

// The page: imports the package as ESM through an import map (as a bundler-free app would), builds a
// MemoryFS, runs cat and the file I/O program, and leaves the results on window.result.
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8">
<script type="importmap">{ "imports": { "@wasm-runtime/wasi": "/wasi/index.js", "@wasm-runtime/errors": "/errors/index.js", "@wasm-runtime/wasm": "/wasm/index.js" } }</script>
</head><body>
<script type="module">
import { WASI, MemoryFS, checkImports } from '@wasm-runtime/wasi';
async function run(name, args, preopens) {
  checkImports(new Uint8Array(await (await fetch('/fixtures/' + name + '.wasm')).arrayBuffer()));
  const wasi = new WASI({ args, env: {}, preopens, stdin: 'ignore', stdout: 'buffer', stderr: 'buffer', returnOnExit: true });
  const { instance } = await WebAssembly.instantiateStreaming(fetch('/fixtures/' + name + '.wasm'), wasi.imports);
  const exitCode = wasi.start(instance);
  return { exitCode, stdout: wasi.stdoutText(), stderr: wasi.stderrText() };
}
try {
  const data = new MemoryFS({ 'greeting.txt': 'hello from MemoryFS in a browser\\n', nested: { 'n.txt': 'nested\\n' } });
  const cat = await run('cat', ['cat', '/data/greeting.txt', '/data/nested/n.txt'], { '/data': data });
  const files = await run('files', ['files', '/sandbox'], { '/sandbox': new MemoryFS() });
  window.result = { ok: true, cat, files, userAgent: navigator.userAgent };
} catch (error) {
  window.result = { ok: false, error: String(error && error.stack || error) };
}
</script></body></html>`;

let server: Awaited<ReturnType<typeof serve>>;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

beforeAll(async () => {
  if (!existsSync(join(wasiDist, 'index.js'))) {
    throw new Error(
      `${wasiDist}index.js is missing: build the package first (npx turbo run build --filter=@wasm-runtime/wasi).`,
    );
  }
  // The page, the packages' dist/ directories, and the built C fixtures.
  server = await serve({
    '/': PAGE,
    '/wasi/': { dir: wasiDist },
    '/errors/': { dir: errorsDist },
    '/wasm/': { dir: wasmDist },
    '/fixtures/': { dir: dirname(fixture('cat')) },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('runs WASI programs on a MemoryFS in headless Chromium, stdout in a buffer', async () => {
  const { result, errors } = await pageResult(browser!.context, `${server.origin}/`);
  expect(errors).toEqual([]);
  expect(result).toMatchObject({
    ok: true,
    cat: { exitCode: 0, stdout: 'hello from MemoryFS in a browser\nnested\n', stderr: '' },
    files: { exitCode: 0, stderr: '' },
  });
  expect((result as { files: { stdout: string } }).files.stdout).toMatch(/^0 failures$/m);
  // It really was the browser build that ran, loaded as separate ESM files from dist/.
  expect(server.requested).toContain('/wasi/index.js');
  expect(server.requested.some((p) => p.startsWith('/wasi/') && p !== '/wasi/index.js')).toBe(true);
  expect((result as { userAgent: string }).userAgent).toMatch(/Chrome/);
});

it('the browser entry and everything it imports are free of node: modules', async () => {
  const seen = new Set<string>();
  const nodeImports: string[] = [];
  const visit = async (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    for (const m of source.matchAll(
      /(?:^|[;\s])(?:import|export)\s*(?:[^'"]*?\sfrom\s*)?['"]([^'"]+)['"]/gm,
    )) {
      const spec = m[1]!;
      if (spec.startsWith('node:') || ['fs', 'path', 'os', 'crypto', 'url', 'util'].includes(spec)) {
        nodeImports.push(`${relative(wasiDist, file)} imports ${spec}`);
      } else if (spec.startsWith('.')) await visit(join(dirname(file), spec));
    }
    for (const m of source.matchAll(/import\(\s*['"](node:[^'"]+)['"]\s*\)/g)) {
      nodeImports.push(`${relative(wasiDist, file)} dynamically imports ${m[1]}`);
    }
  };
  await visit(join(wasiDist, 'index.js'));
  expect(seen.size).toBeGreaterThan(1);
  expect(nodeImports).toEqual([]);
});
