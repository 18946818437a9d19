// The browser build of @wasm-runtime/wasi (dist/index.js and the ESM files it imports) runs a WASI
// program in real headless Chromium, with an in-memory file system and stdout in a buffer.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixture } from './build-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const wasiDist = fileURLToPath(new URL('../dist/', import.meta.url));
// The workspace's own @wasm-runtime/errors, which the wasi dist imports by name.
const errorsDist = fileURLToPath(new URL('../../errors/dist/', import.meta.url));

// The page: imports the package as ESM through an import map (as a bundler-free app would), builds a
// MemoryFS, runs cat and the file I/O program, and leaves the results on window.result.
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8">
<script type="importmap">{ "imports": { "@wasm-runtime/wasi": "/wasi/index.js", "@wasm-runtime/errors": "/errors/index.js" } }</script>
</head><body>
<script type="module">
import { WASI, MemoryFS } from '@wasm-runtime/wasi';
async function run(name, args, preopens) {
  const wasi = new WASI({ args, env: {}, preopens, stdin: 'ignore', stdout: 'buffer', stderr: 'buffer', returnOnExit: true });
  const { instance } = await WebAssembly.instantiateStreaming(fetch('/' + name + '.wasm'), wasi.imports);
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

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
};

let server: Server;
let browser: BrowserContext | undefined;
let userDataDir: string;
let origin: string;
const requested: string[] = [];

/** Serves `/` (the page), `/wasi/*` and `/errors/*` (the packages' dist/) and `/<fixture>.wasm`. */
function serve(): Promise<string> {
  server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requested.push(path);
    const inside = (base: string, rest: string) => {
      const file = join(base, normalize(rest));
      return relative(base, file).startsWith('..') ? undefined : file;
    };
    let file: string | undefined;
    let body: string | Buffer | undefined;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/') body = PAGE;
    else if (path.startsWith('/wasi/')) file = inside(wasiDist, path.slice(6));
    else if (path.startsWith('/errors/')) file = inside(errorsDist, path.slice(8));
    else if (/^\/[a-z]+\.wasm$/.test(path)) file = fixture(path.slice(1, -5));
    if (file) body = await readFile(file).catch(() => undefined);
    if (body === undefined) {
      res.writeHead(404).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path === '/' ? '.html' : extname(path)] ?? 'application/octet-stream',
    });
    res.end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing, so the browser test cannot run. Install it with \`bash scripts/setup-toolchain\` (as root); CI must run that script first.`,
    );
  }
  if (!existsSync(join(wasiDist, 'index.js'))) {
    throw new Error(
      `${wasiDist}index.js is missing: build the package first (npx turbo run build --filter=@wasm-runtime/wasi).`,
    );
  }
  origin = await serve();
  userDataDir = await mkdtemp(join(tmpdir(), 'wasi-chromium-'));
  // A persistent context is how playwright takes an explicit, fresh user-data-dir.
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--no-first-run',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

it('runs WASI programs on a MemoryFS in headless Chromium, stdout in a buffer', async () => {
  const page = await browser!.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, {
    timeout: 20_000,
  });
  const result = await page.evaluate(() => (window as unknown as { result: unknown }).result);
  expect(consoleErrors).toEqual([]);
  expect(result).toMatchObject({
    ok: true,
    cat: { exitCode: 0, stdout: 'hello from MemoryFS in a browser\nnested\n', stderr: '' },
    files: { exitCode: 0, stderr: '' },
  });
  expect((result as { files: { stdout: string } }).files.stdout).toMatch(/^0 failures$/m);
  // It really was the browser build that ran, loaded as separate ESM files from dist/.
  expect(requested).toContain('/wasi/index.js');
  expect(requested.some((p) => p.startsWith('/wasi/') && p !== '/wasi/index.js')).toBe(true);
  expect((result as { userAgent: string }).userAgent).toMatch(/Chrome/);
  await page.close();
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
