// A JavaScript app (templates/js) on SpiderMonkey in real headless Chromium, through the
// repository's example page (examples/browser): an `export` entry and WASI 0.2 imports, a fresh
// instance of the snapshot per click, the arguments and stdin typed in reach main, and what the
// page shows is what the same start prints in Node.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserExample,
  openBrowserExample,
} from '../../../packages/pipeline/test/support/browser-example.mjs';
import { appDir, buildApp, offlineStore, runSplit } from './helpers.js';

const template = fileURLToPath(new URL('../../../templates/js/', import.meta.url));
let scratch: string;
let example: BrowserExample | undefined;
let dist: string;
let inputDist: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'js-browser-'));
  const app = join(scratch, 'template');
  cpSync(template, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
  dist = (await build(app, { store: offlineStore() })).outDir;
  inputDist = (await buildApp('input', appDir('input'), join(scratch, 'input'))).outDir;
  example = await openBrowserExample({ template: dist, input: inputDist }, { timeout: 120_000 });
}, 600_000);

afterAll(async () => {
  await example?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a SpiderMonkey app on the example page in headless Chromium', () => {
  it('prints what the same start prints in Node', async () => {
    // The quote is random per start; the rest is the same.
    const stable = (s: string) => s.replace(/^".*" \(.*\)$/m, '<quote>');
    const node = await runSplit(dist);
    const page = await example!.run('template');
    expect({ code: page.exitCode, stdout: stable(page.stdout), stderr: page.stderr }).toEqual({
      ...node,
      stdout: stable(node.stdout),
    });
    expect(page.stdout.split('\n')[0]).toBe('Hello from JavaScript (SpiderMonkey, started from a snapshot)');
    expect(page.exitCode).toBe(0);
    expect(example!.errors).toEqual([]);
  }, 300_000);

  it('gives main the arguments and stdin typed into the page, as runDist does in Node', async () => {
    const input = { args: ['first', 'sécond'], stdin: 'typed in ☃\nsecond line\n' };
    const page = await example!.run('input', input);
    const node = await runSplit(inputDist, {
      args: input.args,
      stdin: new TextEncoder().encode(input.stdin),
    });
    expect({ code: page.exitCode, stdout: page.stdout, stderr: page.stderr }).toEqual(node);
    expect(page.stdout).toContain('args ["first","sécond"] (an Array: true)\nenv.GREETING undefined');
    expect(page.stdout).toContain('text "typed in ☃\\nsecond line\\n"');
    expect(page.exitCode).toBe(2);
    expect(example!.errors).toEqual([]);
  }, 300_000);
});
