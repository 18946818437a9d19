// Ruby apps deployed as Cloudflare Workers (`deployWorker`) and served by the real workerd on
// 127.0.0.1, through the shared helper: the ~21 MB data module holding the booted VM uploaded as a
// Wasm module of the Worker, the app's files as a tar data module; each request gets an instance in
// the snapshot's state (pooled and reset after every request by default, or fresh), its `arg` query
// parameters as ARGV and its body as $stdin, and answers what `runDist` prints.

import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployAndServe, type ServedWorker } from '../../../packages/workers/test/support/workerd.mjs';
import { appDir, TEMPLATE_DIR, tempDir, testStore } from './helpers.js';
import { buildApp, runSplit } from './ways.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
const served: ServedWorker[] = [];

/** Deploys a dist as a Worker and serves it. */
async function serve(dist: string, name: string, options: Parameters<typeof deployAndServe>[2] = {}) {
  const worker = await deployAndServe(dist, join(scratch.path, name, 'worker'), options);
  served.push(worker);
  return worker;
}

beforeAll(async () => {
  scratch = await tempDir('ruby-workers-');
});

afterAll(async () => {
  for (const worker of served) await worker.close();
  await scratch?.remove();
});

describe('the Ruby template as a Worker', () => {
  let dist: string;
  let worker: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    const app = join(scratch.path, 'template', 'app');
    await cp(TEMPLATE_DIR, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
    dist = (await build(app, { store: testStore() })).outDir;
    worker = await serve(dist, 'template');
  }, 900_000);

  it('uploads the VM heap as a Wasm module and the app as a data module', () => {
    const files = new Map(worker.deployed.files.map((f) => [f.path, f.size]));
    expect(files.get('app.data.wasm')).toBeGreaterThan(10 * 2 ** 20);
    expect([...files.keys()]).toContain('mount-0.bin');
  });

  it('answers what runDist prints, for the body on stdin and the arguments', async () => {
    const stdin = 'the quick brown fox jumps over the lazy dog\nthe dog sleeps\n';
    for (const args of [[], ['--top', '1']]) {
      const node = await runSplit(dist, { args, stdin });
      expect(node.code).toBe(0);
      const r = await worker.request({ args, stdin });
      expect(r).toMatchObject({ status: 200, exitCode: '0', error: null });
      expect(r.body).toBe(node.stdout);
      expect(r.body).toContain('dog');
    }
    const one = JSON.parse((await worker.request({ args: ['--top', '1'], stdin })).body);
    const all = JSON.parse((await worker.request({ stdin })).body);
    expect(JSON.stringify(one)).not.toBe(JSON.stringify(all));
  });
});

describe('a Ruby app with a global counter as a Worker', () => {
  let dist: string;
  let worker: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    dist = (await buildApp(appDir('counter'), join(scratch.path, 'counter', 'dist'), 'counter')).outDir;
    worker = await serve(dist, 'counter');
  }, 900_000);

  it('never sees what an earlier request wrote: the counter is 1 every time, pooled or fresh, also concurrently', async () => {
    // The VM's 70 MB memory leaves room for one pooled instance in the default budget.
    expect(worker.deployed.instances).toEqual({ way: 'pool', size: 1 });
    const fresh = await serve(dist, 'counter-fresh', { instances: 'fresh' });
    expect(fresh.deployed.instances).toEqual({ way: 'fresh' });
    for (const w of [worker, fresh]) {
      for (let i = 0; i < 3; i++) {
        const r = await w.request({ args: [`n${i}`] });
        expect(r.body.split('\n')[0]).toBe('requests 1');
      }
      // More at once than the pool holds: they wait for its instance, each sees the snapshot's state.
      const concurrent = await Promise.all(Array.from({ length: 4 }, () => w.request()));
      expect(concurrent.map((r) => r.body.split('\n')[0])).toEqual(Array(4).fill('requests 1'));
    }
  });

  it('gets the body as $stdin and the arg parameters as ARGV, in order, as runDist gives them', async () => {
    const args = ['one', 'two words', 'ü'];
    const stdin = 'from the body\nline 2';
    const r = await worker.request({ args, stdin });
    expect(r).toMatchObject({ status: 200, exitCode: '0' });
    expect(r.body).toBe('requests 1\nargs 3: one|two words|ü\nstdin: from the body\nline 2\n');
    expect(r.body).toBe((await runSplit(dist, { args, stdin })).stdout);
    await expect.poll(() => worker.logs().stderr, { timeout: 10_000 }).toContain('counter app saw 3 args');
  });

  it('answers a non-zero exit with status 500 and the code in x-exit-code, stdout still the body', async () => {
    const r = await worker.request({ args: ['exit=3'] });
    expect(r).toMatchObject({ status: 500, exitCode: '3', error: null });
    expect(r.body).toBe('requests 1\nargs 1: exit=3\nstdin: \n');
  });

  it("answers an uncaught exception with exit 1 and Ruby's report in the log", async () => {
    const r = await worker.request({ args: ['raise'] });
    expect(r).toMatchObject({ status: 500, exitCode: '1', error: null });
    expect(r.body).toBe('requests 1\nargs 1: raise\nstdin: \n');
    await expect.poll(() => worker.logs().stderr, { timeout: 10_000 }).toContain('boom from the counter app');
  });
});
