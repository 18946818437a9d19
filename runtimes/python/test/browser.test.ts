// Python apps in real headless Chromium, through the repository's example page (examples/browser):
// the page loads a dist with `@wasm-runtime/pipeline/browser`, the standard library's zip and the
// app's files (the recipe's `atRuntime` mounts) into memory, and each click of Run starts a fresh
// instance of the snapshot. Modules imported after restore are read from those in-memory mounts.

import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserExample,
  openBrowserExample,
} from '../../../packages/pipeline/test/support/browser-example.mjs';
import { appDir, buildApp, runSplit, tempDir, testStore } from './helpers.js';

const template = fileURLToPath(new URL('../../../templates/python/', import.meta.url));

let scratch: Awaited<ReturnType<typeof tempDir>>;
let example: BrowserExample | undefined;
const dists: Record<string, string> = {};

beforeAll(async () => {
  scratch = await tempDir('python-browser-');
  dists['tour'] = (await buildApp(appDir('tour'), join(scratch.path, 'tour'), 'tour')).outDir;
  const app = join(scratch.path, 'template');
  await cp(template, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
  dists['template'] = (await build(app, { store: testStore() })).outDir;
  example = await openBrowserExample(dists, { timeout: 120_000 });
}, 900_000);

afterAll(async () => {
  await example?.close();
  await scratch?.remove();
});

/** What the page shows for a run, next to what the same start prints in Node. */
async function both(name: string, args: string[], stdin = '') {
  const node = await runSplit(dists[name]!, { args, stdin });
  const page = await example!.run(name, { args, stdin });
  return { node, page: { code: page.exitCode, stdout: page.stdout, stderr: page.stderr } };
}

describe('Python apps on the example page in headless Chromium', () => {
  it('import standard-library modules after restore from the in-memory atRuntime mounts', async () => {
    const { node, page } = await both('tour', ['lazy']);
    expect(page).toEqual(node);
    // gzip, statistics and pkg.lazy were not in the snapshot: this run imported them.
    expect(page.stdout.split('\n')[0]).toBe('False False False');
    expect(page.stdout).toContain('2.5 1000');
    expect(page.code).toBe(0);
    const stdlib = example!.requested.filter((p) => /^\/dists\/tour\/files\/.*\.zip$/.test(p));
    expect(stdlib.length).toBe(1);
  }, 300_000);

  it('read run-time files, stdin, exit codes and tracebacks as in Node', async () => {
    for (const [args, stdin] of [
      [['runtime-file'], ''],
      [['stdin'], 'two lines\nof words\n'],
      [['exit'], ''],
      [['boom'], ''],
    ] as const) {
      const { node, page } = await both('tour', [...args], stdin);
      expect(page).toEqual(node);
    }
    expect((await example!.run('tour', { args: ['exit'] })).exitCode).toBe(3);
    expect(example!.errors).toEqual([]);
  }, 300_000);

  it('run the Python template with what is typed into the page', async () => {
    const page = await example!.run('template', {
      stdin: "It was the best of times, it was the worst of times; it wasn't.\n",
    });
    expect(page).toEqual({
      ok: true,
      exitCode: 0,
      stdout: '{"words": 14, "distinct": 8, "top": ["times", "best", "worst"]}\n',
      stderr: '',
    });
  }, 300_000);
});
