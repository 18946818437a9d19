// Lua apps deployed as Cloudflare Workers (`deployWorker`) and served by the real workerd on
// 127.0.0.1: each request gets an instance in the snapshot's state (pooled and reset after every
// request by default, or fresh), its `arg` query parameters as arguments and its body as stdin;
// the response is stdout with the exit code beside it.

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployAndServe, type ServedWorker } from '../../../packages/workers/test/support/workerd.mjs';
import { appDir, tempDir } from './helpers.js';
import { buildApp } from './ways.js';

const template = fileURLToPath(new URL('../../../templates/lua/src/', import.meta.url));

let scratch: Awaited<ReturnType<typeof tempDir>>;
const served: ServedWorker[] = [];

/** Builds an app through the pipeline, deploys it as a Worker and serves it. */
async function serveApp(root: string, name: string) {
  const dist = (await buildApp(root, `${scratch.path}/${name}/dist`, name)).outDir;
  const worker = await deployAndServe(dist, `${scratch.path}/${name}/worker`);
  served.push(worker);
  return Object.assign(worker, { dist });
}

beforeAll(async () => {
  scratch = await tempDir('lua-workers-');
});

afterAll(async () => {
  for (const worker of served) await worker.close();
  await scratch?.remove();
});

describe('the Lua template as a Worker', () => {
  let worker: Awaited<ReturnType<typeof serveApp>>;
  beforeAll(async () => {
    worker = await serveApp(template, 'hello');
  }, 240_000);

  it('answers each request with what the app prints for its arguments', async () => {
    const named = await worker.request({ args: ['Ada'] });
    expect(named).toMatchObject({ status: 200, exitCode: '0', error: null });
    const [greeting, quote, count, rest] = named.body.split('\n');
    expect(greeting).toBe('Hello, Ada! (Lua 5.4, started from a snapshot)');
    expect(quote).toMatch(/^".+" \(.+\)$/);
    expect(count).toBe('5 quotes by 5 authors');
    expect(rest).toBe('');
    const world = await worker.request();
    expect(world.body).toMatch(/^Hello, world! /);
  }, 120_000);

  it('reseeds every instance: the quotes are not all the same', async () => {
    const quotes = new Set<string>();
    for (let i = 0; i < 12; i++) quotes.add((await worker.request()).body.split('\n')[1]!);
    expect(quotes.size).toBeGreaterThan(1);
  }, 120_000);

  it('uploads the engine in the exnref form by default; workerd runs the legacy form too', async () => {
    expect(worker.deployed.engine.exceptions).toBe('exnref');
    const legacy = await deployAndServe(worker.dist, `${scratch.path}/hello/legacy`, {
      exceptions: 'legacy',
    });
    served.push(legacy);
    expect(legacy.deployed.engine.exceptions).toBe('legacy');
    const r = await legacy.request({ args: ['Ada'] });
    expect(r).toMatchObject({ status: 200, exitCode: '0' });
    expect(r.body).toMatch(/^Hello, Ada! \(Lua 5\.4, started from a snapshot\)\n/);
  }, 120_000);

  it('refuses query parameters other than arg with a 400', async () => {
    const r = await worker.request({ query: { args: 'Ada' } });
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/unknown query parameter "args".*\?arg=first&arg=second/);
  }, 120_000);
});

describe('a Lua app with a global counter as a Worker', () => {
  let worker: Awaited<ReturnType<typeof serveApp>>;
  beforeAll(async () => {
    worker = await serveApp(appDir('counter'), 'counter');
  }, 240_000);

  it('never sees what an earlier request wrote: the counter is 1 every time, pooled or fresh', async () => {
    expect(worker.deployed.instances).toEqual({ way: 'pool', size: 4 });
    const fresh = await deployAndServe(worker.dist, `${scratch.path}/counter/fresh`, { instances: 'fresh' });
    served.push(fresh);
    expect(fresh.deployed.instances).toEqual({ way: 'fresh' });
    for (const w of [worker, fresh]) {
      for (let i = 0; i < 5; i++) {
        const r = await w.request({ args: [`n${i}`] });
        expect(r.body.split('\n')[0]).toBe('requests 1');
      }
      // More at once than the pool holds: some wait for an instance, each sees the snapshot's state.
      const concurrent = await Promise.all(Array.from({ length: 8 }, () => w.request()));
      expect(concurrent.map((r) => r.body.split('\n')[0])).toEqual(Array(8).fill('requests 1'));
    }
  }, 180_000);

  it('gets the request body as stdin and the arg parameters as arguments, in order', async () => {
    const r = await worker.request({ args: ['one', 'two words', 'ü'], stdin: 'from the body\nline 2' });
    expect(r).toMatchObject({ status: 200, exitCode: '0' });
    expect(r.body).toBe('requests 1\nargs 3: one|two words|ü\nstdin: from the body\nline 2\n');
  }, 120_000);

  it('answers a non-zero exit with status 500 and the code in x-exit-code, stdout still the body', async () => {
    const r = await worker.request({ args: ['exit=3'] });
    expect(r).toMatchObject({ status: 500, exitCode: '3', error: null });
    expect(r.body).toBe('requests 1\nargs 1: exit=3\nstdin: \n');
  }, 120_000);

  it('runs Lua errors (wasm exception handling): pcall catches, an uncaught error exits 1', async () => {
    const r = await worker.request({ args: ['raise'] });
    expect(r).toMatchObject({ status: 500, exitCode: '1', error: null });
    expect(r.body).toContain('pcall: false caught inside\n');
    await expect.poll(() => worker.logs().stderr, { timeout: 10_000 }).toContain('boom from the counter app');
  }, 120_000);

  it("writes the app's stderr to the Worker's log", async () => {
    await worker.request({ args: ['a', 'b'] });
    await expect.poll(() => worker.logs().stderr, { timeout: 10_000 }).toContain('counter app saw 2 args');
  }, 120_000);
});
