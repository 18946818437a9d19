// Lua apps served as Cloudflare Workers by the real workerd on 127.0.0.1, under a bounded load
// from autocannon on the same machine:
//   fresh  the Worker `wasm-runtime deploy --target workers` writes: a fresh instance of the
//          snapshot per request (instantiate the data module, then the engine, reseed, run main)
//   kept   the state-leaking way, for comparison: one instance made by the first request and its
//          entry called again by every later one (workers/kept-worker.mjs; same modules, same
//          workerd, only the entry module differs)
// for templates/lua (the template) and runtimes/lua/examples/large (~5,000 lines, `main report`).
// Latency: one connection (no queueing), p50/p99 of every response's time; throughput: req/s with
// WORKERS_BENCH_CONNECTIONS (default 4) connections. Target: fresh p50 <= 1.5x kept p50 on the template.
//
//   npm run bench -- workers     (from the root; builds the packages first)
//   WORKERS_BENCH_SECONDS=10 node bench/workers.bench.mjs

import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { deployWorker } from '@wasm-runtime/workers';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { serveWorker } from '../packages/workers/test/support/workerd.mjs';
import { benchStore, buildLuaApp, LUA_EXAMPLES, REPO } from './lua/common.mjs';

const SECONDS = Number(process.env.WORKERS_BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.WORKERS_BENCH_CONNECTIONS ?? 4);
const APPS = [
  { name: 'template', root: join(REPO, 'templates', 'lua', 'src'), args: ['bench'] },
  { name: 'large', root: join(LUA_EXAMPLES, 'large'), args: ['report'] },
];
const work = join(REPO, '.cache', 'bench', 'workers');

/** The kept-instance Worker: the fresh Worker's directory with its entry module swapped. */
async function keptCopy(fresh, kept) {
  await rm(kept, { recursive: true, force: true });
  await cp(fresh, kept, { recursive: true });
  await build({
    entryPoints: [new URL('./workers/kept-worker.mjs', import.meta.url).pathname],
    outfile: join(kept, 'kept.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    logLevel: 'warning',
  });
  const entry = await readFile(join(kept, 'worker.js'), 'utf8');
  const swapped = entry
    .replace("import { createWorker } from './runtime.js';", "import { keptWorker } from './kept.js';")
    .replace('export default createWorker(', 'export default keptWorker(');
  if (swapped === entry) throw new Error('the generated worker.js changed shape: update workers.bench.mjs');
  await writeFile(join(kept, 'worker.js'), swapped);
  const config = await readFile(join(kept, 'config.capnp'), 'utf8');
  await writeFile(
    join(kept, 'config.capnp'),
    config.replace(
      '(name = "runtime.js", esModule = embed "runtime.js")',
      '(name = "kept.js", esModule = embed "kept.js")',
    ),
  );
}

/** autocannon against `url`; latencies from every response (autocannon's own histogram keeps whole ms). */
async function load(url, connections) {
  const times = [];
  const instance = autocannon({ url, connections, duration: SECONDS });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status === 200) times.push(ms);
  });
  const result = await instance;
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx responses and ${result.errors} errors`);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { p50: at(0.5), p99: at(0.99), rps: result.requests.total / SECONDS };
}

const rows = [];
for (const app of APPS) {
  const dir = join(work, app.name);
  await mkdir(dir, { recursive: true });
  const dist = (await buildLuaApp(app.root, join(dir, 'dist'), app.name, benchStore())).outDir;
  const fresh = (await deployWorker({ dist, out: join(dir, 'fresh') })).outDir;
  const kept = join(dir, 'kept');
  await keptCopy(fresh, kept);
  const query = app.args.map((a) => `arg=${encodeURIComponent(a)}`).join('&');
  for (const [way, workerDir] of [
    ['fresh', fresh],
    ['kept', kept],
  ]) {
    const worker = await serveWorker(workerDir);
    try {
      const url = `${worker.origin}/?${query}`;
      const first = await fetch(url);
      const body = await first.text();
      if (first.status !== 200 || body === '') throw new Error(`${way} ${app.name}: ${first.status} ${body}`);
      // Warm up: JIT, isolate, page cache.
      for (let i = 0; i < 200; i++) await (await fetch(url)).arrayBuffer();
      const latency = await load(url, 1);
      const throughput = await load(url, CONNECTIONS);
      rows.push({
        app: app.name,
        way,
        p50: latency.p50,
        p99: latency.p99,
        rps1: latency.rps,
        rps: throughput.rps,
      });
    } finally {
      await worker.close();
    }
  }
}

const ms = (v) => v.toFixed(2);
console.log(
  `workerd ${(await import('workerd')).default.version} on ${cpus().length} CPUs, load ${loadavg()[0].toFixed(2)}; ${SECONDS} s per run\n`,
);
console.log(`| app | way | p50 ms | p99 ms | req/s (1 conn) | req/s (${CONNECTIONS} conn) |`);
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.app} | ${r.way} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.rps1.toFixed(0)} | ${r.rps.toFixed(0)} |`,
  );
}
const of = (app, way) => rows.find((r) => r.app === app && r.way === way);
for (const app of APPS) {
  const ratio = of(app.name, 'fresh').p50 / of(app.name, 'kept').p50;
  const target = app.name === 'template' ? ` (target <= 1.5x: ${ratio <= 1.5 ? 'met' : 'MISSED'})` : '';
  console.log(`${app.name}: fresh p50 is ${ratio.toFixed(2)}x kept p50${target}`);
}
