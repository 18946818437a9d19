// Real headless Chromium for browser tests (Debian's /usr/bin/chromium, driven by playwright-core),
// and a static server on 127.0.0.1 for the pages and the packages' dist/ directories. Shared by the
// WASI host's browser test and the recipes' (runtimes/lua/test/browser.test.ts).

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, relative } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const TYPES = {
  '.js': 'text/javascript',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
};

export async function serve(routes) {
  const requested = [];
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requested.push(path);
    let body;
    const page = routes[path];
    if (typeof page === 'string') body = page;
    else {
      for (const [prefix, target] of Object.entries(routes)) {
        if (!prefix.endsWith('/') || !path.startsWith(prefix) || typeof target === 'string') continue;
        const base = target.dir;
        const file = join(base, normalize(path.slice(prefix.length)));
        if (!relative(base, file).startsWith('..')) body = await readFile(file).catch(() => undefined);
        break;
      }
    }
    if (body === undefined) {
      res.writeHead(path === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    res.writeHead(200, {
      'content-type':
        TYPES[extname(path)] ?? (typeof page === 'string' ? 'text/html' : 'application/octet-stream'),
    });
    res.end(body);
  });
  const origin = await new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)),
  );
  return { origin, requested, close: () => new Promise((resolve) => server.close(resolve)) };
}

export async function launchChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing, so the browser tests cannot run. Install it with \`bash scripts/setup-toolchain\` (as root); CI must run that script first.`,
    );
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'wasm-runtime-chromium-'));
  // A persistent context is how playwright takes an explicit, fresh user-data-dir.
  const context = await chromium.launchPersistentContext(userDataDir, {
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
  return {
    context,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function pageResult(context, url, timeout = 20_000) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout });
    return { result: await page.evaluate(() => window.result), errors };
  } finally {
    await page.close();
  }
}
