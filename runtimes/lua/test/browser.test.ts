// Lua apps in real headless Chromium, through the repository's example page (examples/browser):
// the page loads a dist with `@wasm-runtime/pipeline/browser`, and each click of Run starts a fresh
// instance of the snapshot with what was typed as arguments and stdin. What the page shows must be
// what the same start prints in Node.

import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserExample,
  openBrowserExample,
} from '../../../packages/pipeline/test/support/browser-example.mjs';
import { tempDir, testStore } from './helpers.js';
import { buildApp, runSplit } from './ways.js';

const hello = fileURLToPath(new URL('../examples/hello/', import.meta.url));
const counter = fileURLToPath(new URL('./fixtures/apps/counter/', import.meta.url));
const template = fileURLToPath(new URL('../../../templates/lua/', import.meta.url));

let scratch: Awaited<ReturnType<typeof tempDir>>;
let example: BrowserExample | undefined;
const dists: Record<string, string> = {};

beforeAll(async () => {
  scratch = await tempDir('lua-browser-');
  dists['hello'] = (await buildApp(hello, join(scratch.path, 'hello'), 'hello')).outDir;
  dists['counter'] = (await buildApp(counter, join(scratch.path, 'counter'), 'counter')).outDir;
  // The template as the scaffolder copies it, built from its own config.
  const app = join(scratch.path, 'template');
  await cp(template, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
  dists['template'] = (await build(app, { store: testStore() })).outDir;
  example = await openBrowserExample(dists);
}, 600_000);

afterAll(async () => {
  await example?.close();
  await scratch?.remove();
});

describe('Lua apps on the example page in headless Chromium', () => {
  it('print what the same starts print in Node', async () => {
    for (const args of [['browser'], [], ['again']]) {
      const node = await runSplit(dists['hello']!, { args });
      const page = await example!.run('hello', { args });
      expect({ code: page.exitCode, stdout: page.stdout, stderr: page.stderr }).toEqual(node);
    }
    expect(await example!.run('hello', { args: ['browser'] })).toMatchObject({
      ok: true,
      exitCode: 0,
      stdout: 'Hello from Lua 5.4, browser!\n',
    });
    // The packages' browser builds were what ran, as plain modules, and the engine streamed.
    for (const file of ['/modules/pipeline/browser.js', '/modules/wasi/index.js', '/modules/split/link.js']) {
      expect(example!.requested).toContain(file);
    }
    expect(example!.errors).toEqual([]);
  }, 180_000);

  it('run the Lua template with what is typed into the page', async () => {
    const page = await example!.run('template', { args: ['Ada'] });
    expect(page).toMatchObject({ ok: true, exitCode: 0, stderr: '' });
    const [greeting, quote, count] = page.stdout.split('\n');
    expect(greeting).toBe('Hello, Ada! (Lua 5.4, started from a snapshot)');
    expect(quote).toMatch(/^".+" \(.+\)$/);
    expect(count).toBe('5 quotes by 5 authors');
  }, 180_000);

  it('start a fresh instance per click: a global counter answers 1 every time', async () => {
    for (const stdin of ['first', 'second\nline', '']) {
      expect(await example!.run('counter', { args: ['a', 'b'], stdin })).toEqual({
        ok: true,
        exitCode: 0,
        stdout: `requests 1\nargs 2: a|b\nstdin: ${stdin}\n`,
        stderr: 'counter app saw 2 args\n',
      });
    }
  }, 180_000);

  it('share one compiled engine between the apps of a page: a second app does not download it', async () => {
    const page = await example!.page('hello');
    const engineRequests = () => example!.requested.filter((p) => /^\/dists\/[^/]+\/engine-/.test(p)).length;
    const before = engineRequests();
    // In the page that loaded hello, the same module (and its engine cache) loads and runs counter.
    const stdout = await page.evaluate(`(async () => {
      const { loadDistFromUrl, run } = await import('@wasm-runtime/pipeline/browser');
      const dist = await loadDistFromUrl('/dists/counter/');
      return new TextDecoder().decode((await run(dist)).stdout);
    })()`);
    expect(stdout).toBe('requests 1\nargs 0: \nstdin: \n');
    expect(engineRequests()).toBe(before);
    expect(example!.requested).toContain('/dists/counter/manifest.json');
  }, 180_000);
});
