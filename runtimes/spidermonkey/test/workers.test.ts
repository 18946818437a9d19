// JavaScript apps on SpiderMonkey deployed as Cloudflare Workers (`deployWorker`) and served by the
// real workerd on 127.0.0.1, through the shared helper: the engine imports WASI 0.2 core-ABI
// functions, which the Worker's runtime provides as `runDist` does; each request gets an instance in
// the snapshot's state (pooled and reset after every request by default, or fresh) and answers
// what `runDist` prints.

import { cpSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployAndServe, type ServedWorker } from '../../../packages/workers/test/support/workerd.mjs';
import { appDir, buildApp, offlineStore, runSplit } from './helpers.js';

const template = fileURLToPath(new URL('../../../templates/js/', import.meta.url));

let scratch: string;
const served: ServedWorker[] = [];

/** Deploys a dist as a Worker and serves it. */
async function serve(dist: string, name: string, options: Parameters<typeof deployAndServe>[2] = {}) {
  const worker = await deployAndServe(dist, join(scratch, name, 'worker'), options);
  served.push(worker);
  return worker;
}

/** Builds a fixture app, deploys it and serves it. */
async function serveApp(name: string) {
  const dist = (await buildApp(name, appDir(name), join(scratch, name, 'dist'))).outDir;
  return Object.assign(await serve(dist, name), { dist });
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'js-workers-'));
});

afterAll(async () => {
  for (const worker of served) await worker.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('the JavaScript template as a Worker', () => {
  let dist: string;
  let worker: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    const app = join(scratch, 'template', 'app');
    cpSync(template, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
    dist = (await build(app, { store: offlineStore() })).outDir;
    worker = await serve(dist, 'template');
  }, 600_000);

  it('answers what runDist prints (the quote drawn anew per start)', async () => {
    const stable = (s: string) => s.replace(/^".*" \(.*\)$/m, '<quote>');
    const node = await runSplit(dist);
    expect(node.code).toBe(0);
    const quotes = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const r = await worker.request();
      expect(r).toMatchObject({ status: 200, exitCode: '0', error: null });
      expect(stable(r.body)).toBe(stable(node.stdout));
      quotes.add(r.body.split('\n')[1]!);
    }
    expect(quotes.size).toBeGreaterThan(1);
  });
});

describe('a JavaScript app with a global counter as a Worker', () => {
  let worker: Awaited<ReturnType<typeof serveApp>>;
  beforeAll(async () => {
    worker = await serveApp('counter');
  }, 600_000);

  it('never sees what an earlier request wrote: the counter is 1 every time, pooled or fresh, also concurrently', async () => {
    expect(worker.deployed.instances).toEqual({ way: 'pool', size: 4 });
    const fresh = await serve(worker.dist, 'counter-fresh', { instances: 'fresh' });
    expect(fresh.deployed.instances).toEqual({ way: 'fresh' });
    for (const w of [worker, fresh]) {
      for (let i = 0; i < 3; i++) {
        const r = await w.request();
        expect(r).toMatchObject({ status: 200, exitCode: '0', error: null, body: 'requests 1\n' });
      }
      // More at once than the pool holds: some wait for an instance, each sees the snapshot's state.
      const concurrent = await Promise.all(Array.from({ length: 6 }, () => w.request()));
      expect(concurrent.map((r) => r.body)).toEqual(Array(6).fill('requests 1\n'));
      await expect.poll(() => w.logs().stderr, { timeout: 10_000 }).toContain('counter app answered 1');
      expect(w.logs().stderr).not.toContain('counter app answered 2');
    }
  });
});

describe('JavaScript apps that exit non-zero as Workers', () => {
  it("answers main's returned code with status 500 and x-exit-code, stdout as runDist's", async () => {
    const worker = await serveApp('tour');
    const node = await runSplit(worker.dist);
    expect(node.code).toBe(7);
    const r = await worker.request();
    expect(r).toMatchObject({ status: 500, exitCode: '7', error: null });
    expect(r.body).toBe(node.stdout);
    expect(r.body).toContain('timer fired after >= 15 ms: true\n');
    await expect.poll(() => worker.logs().stderr, { timeout: 10_000 }).toContain('a line on stderr');
  }, 600_000);

  it('answers an uncaught error with exit 1, the error in the log', async () => {
    const worker = await serveApp('failing');
    const r = await worker.request();
    expect(r).toMatchObject({ status: 500, exitCode: '1', error: null, body: 'before the error\n' });
    await expect
      .poll(() => worker.logs().stderr, { timeout: 10_000 })
      .toContain('TypeError: something broke at run time');
  }, 600_000);
});

describe('a JavaScript app reading its input as a Worker', () => {
  let worker: Awaited<ReturnType<typeof serveApp>>;
  beforeAll(async () => {
    worker = await serveApp('input');
  }, 600_000);

  it("main gets the query's arg parameters and the request body, as runDist gives them", async () => {
    const stdin = 'a body ☃\nline two\n';
    for (let i = 0; i < 2; i++) {
      const args = i === 0 ? ['a', 'b c'] : ['next'];
      const r = await worker.request({ args, stdin });
      const node = await runSplit(worker.dist, { args, stdin: new TextEncoder().encode(stdin) });
      expect(node.stdout).toContain(`args ${JSON.stringify(args)}`);
      expect(r).toMatchObject({ exitCode: String(node.code), error: null, body: node.stdout });
    }
  });
});
