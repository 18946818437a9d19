// The Python template deployed as a Cloudflare Worker (`deployWorker`) and served by the real
// workerd on 127.0.0.1, through the shared helper: CPython imports from its standard library zip
// and the app's modules, both shipped for run time as tar data modules and read from the in-memory
// file system; each request gets a fresh instance, its args or its body, and answers what
// `wasm-runtime run` prints.

import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployAndServe } from '../../../packages/workers/test/support/workerd.mjs';
import { runSplit, tempDir, testStore } from './helpers.js';

const template = fileURLToPath(new URL('../../../templates/python/', import.meta.url));

let scratch: Awaited<ReturnType<typeof tempDir>>;
let worker: Awaited<ReturnType<typeof deployAndServe>> | undefined;
let dist: string;

beforeAll(async () => {
  scratch = await tempDir('python-workers-');
  const app = join(scratch.path, 'app');
  await cp(template, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
  dist = (await build(app, { store: testStore() })).outDir;
  worker = await deployAndServe(dist, join(scratch.path, 'worker'));
});

afterAll(async () => {
  await worker?.close();
  await scratch?.remove();
});

describe('the Python template as a Worker', () => {
  it('ships the standard library and the app as data modules of the Worker', async () => {
    const files = worker!.deployed.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['mount-0.bin', 'mount-1.bin', 'app.data.wasm']));
  });

  it('answers what run prints, for arguments and for a body on stdin', async () => {
    const args = ['The cat and the hat sat on the mat with the cat'];
    const stdin = "It was the best of times, it was the worst of times; it wasn't.\n";
    const byArgs = await worker!.request({ args });
    expect(byArgs).toMatchObject({ status: 200, exitCode: '0', error: null });
    expect(byArgs.body).toBe('{"words": 12, "distinct": 8, "top": ["cat", "hat", "sat"]}\n');
    expect(byArgs.body).toBe((await runSplit(dist, { args })).stdout);
    const byBody = await worker!.request({ stdin });
    expect(byBody.body).toBe('{"words": 14, "distinct": 8, "top": ["times", "best", "worst"]}\n');
    expect(byBody.body).toBe((await runSplit(dist, { stdin })).stdout);
  });
});
