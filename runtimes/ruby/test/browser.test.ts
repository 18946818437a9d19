// A Ruby app (templates/ruby) in real headless Chromium, through the repository's example page
// (examples/browser): stdin typed into the page, a fresh instance of the snapshot per click, and
// what the page shows is what the same start prints in Node.

import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserExample,
  openBrowserExample,
} from '../../../packages/pipeline/test/support/browser-example.mjs';
import { TEMPLATE_DIR, tempDir, testStore } from './helpers.js';
import { runSplit } from './ways.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let example: BrowserExample | undefined;
let dist: string;

beforeAll(async () => {
  scratch = await tempDir('ruby-browser-');
  const app = join(scratch.path, 'template');
  await cp(TEMPLATE_DIR, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
  dist = (await build(app, { store: testStore() })).outDir;
  example = await openBrowserExample({ template: dist }, { timeout: 120_000 });
}, 900_000);

afterAll(async () => {
  await example?.close();
  await scratch?.remove();
});

describe('a Ruby app on the example page in headless Chromium', () => {
  it('prints what the same start prints in Node, for what is typed into the page', async () => {
    const stdin = 'the quick brown fox jumps over the lazy dog\nthe dog sleeps\n';
    for (const args of [[], ['--top', '1']]) {
      const node = await runSplit(dist, { args, stdin });
      const page = await example!.run('template', { args, stdin });
      expect({ code: page.exitCode, stdout: page.stdout, stderr: page.stderr }).toEqual(node);
      expect(page.exitCode).toBe(0);
      expect(page.stdout).toContain('dog');
    }
    expect(example!.errors).toEqual([]);
  }, 300_000);
});
