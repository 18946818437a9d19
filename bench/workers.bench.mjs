// Lua apps served as Cloudflare Workers by the real workerd on 127.0.0.1, under a bounded load
// from autocannon on the same machine:
//   pooled the Worker `wasm-runtime deploy --target workers` writes by default: an instance from a
//          pool, reset to the snapshot's state after every request (memory and globals put back,
//          a new WASI host, reseed), so no request sees what another left
//   fresh  `deploy --fresh`: a new instance of the snapshot per request (instantiate the data
//          module, then the engine, reseed, run main)
//   kept   the state-leaking way, for comparison: one instance made by the first request and its
//          entry called again by every later one (workers/kept-worker.mjs; same modules, same
//          workerd, only the entry module differs)
// for templates/lua (the template) and runtimes/lua/examples/large (~5,000 lines, `main report`).
// Latency: one connection (no queueing), p50/p99 of every response's time; throughput: req/s with
// WORKERS_BENCH_CONNECTIONS (default 4) connections. Target: a request that sees nothing another
// left (pooled, the default) at p50 <= 1.5x kept p50 on the template; fresh is reported beside it.
//
//   npm run bench -- workers     (from the root; builds the packages first)
//   WORKERS_BENCH_SECONDS=10 node bench/workers.bench.mjs

import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deployWorker } from '@wasm-runtime/workers';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { serveWorker } from '../packages/workers/test/support/workerd.mjs';
import { BenchReport, runs } from './lib/results.mjs';
import { benchStore, buildLuaApp, LUA_EXAMPLES, REPO } from './lib/starts.mjs';

const report = new BenchReport(
  'workers',
  "Cloudflare Workers: an instance in the snapshot's state per request",
);
const SECONDS = runs('WORKERS_BENCH_SECONDS', 8, 1);
const WARMUP = runs('WORKERS_BENCH_WARMUP', 200, 5);
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
  return { p50: at(0.5), p99: at(0.99), rps: result.requests.total / SECONDS, times };
}

const rows = [];
for (const app of APPS) {
  const dir = join(work, app.name);
  await mkdir(dir, { recursive: true });
  const dist = (await buildLuaApp(app.root, join(dir, 'dist'), app.name, benchStore())).outDir;
  const fresh = (await deployWorker({ dist, out: join(dir, 'fresh'), instances: 'fresh' })).outDir;
  const pooledDeploy = await deployWorker({ dist, out: join(dir, 'pooled') });
  if (pooledDeploy.instances.way !== 'pool') {
    throw new Error(`${app.name}: deploy did not pool (${pooledDeploy.instances.why})`);
  }
  const kept = join(dir, 'kept');
  await keptCopy(fresh, kept);
  const query = app.args.map((a) => `arg=${encodeURIComponent(a)}`).join('&');
  for (const [way, workerDir] of [
    ['pooled', pooledDeploy.outDir],
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
      for (let i = 0; i < WARMUP; i++) await (await fetch(url)).arrayBuffer();
      const latency = await load(url, 1);
      const throughput = await load(url, CONNECTIONS);
      report.check(
        `${app.name}.${way}`,
        `${app.name}, ${way}: the Worker answers 200 with main's output`,
        first.status === 200 && body !== '',
        `${first.status}, ${body.length} B`,
      );
      report.figure(
        `${app.name}.${way}.p50`,
        `${app.name}, ${way}: latency (1 connection)`,
        latency.times,
        'ms',
      );
      report.figure(
        `${app.name}.${way}.p99`,
        `${app.name}, ${way}: p99 latency (1 connection)`,
        latency.p99,
        'ms',
      );
      report.figure(
        `${app.name}.${way}.rps1`,
        `${app.name}, ${way}: req/s (1 connection)`,
        latency.rps,
        'req/s',
      );
      report.figure(
        `${app.name}.${way}.rps`,
        `${app.name}, ${way}: req/s (${CONNECTIONS} connections)`,
        throughput.rps,
        'req/s',
      );
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

report.settings = {
  seconds: SECONDS,
  connections: CONNECTIONS,
  warmup: WARMUP,
  workerd: (await import('workerd')).default.version,
};
const label = { template: 'Lua template', large: '~5,000-line app (`main report`)' };
const WAYS = ['pooled', 'fresh', 'kept'];
const table = [];
for (const app of APPS) {
  for (const way of ['pooled', 'fresh']) {
    report.ratio(
      `${app.name}.${way}/kept`,
      `${label[app.name]}: ${way} p50 / kept p50`,
      `${app.name}.${way}.p50`,
      `${app.name}.kept.p50`,
    );
  }
  for (const way of WAYS)
    table.push([
      label[app.name],
      way,
      { figure: `${app.name}.${way}.p50` },
      { figure: `${app.name}.${way}.p99` },
      { figure: `${app.name}.${way}.rps1` },
      { figure: `${app.name}.${way}.rps` },
      way === 'kept' ? '' : { ratio: `${app.name}.${way}/kept` },
    ]);
}
report.target('template', 'template: a request that sees nothing another left (pooled) p50 ≤ 1.5x kept p50', {
  ratio: 'template.pooled/kept',
  op: '<=',
  threshold: 1.5,
});
report.headline.push({
  ratio: 'template.pooled/kept',
  label: 'Workers, Lua template: pooled instance reset per request / kept instance (p50)',
  target: 'template',
});
report.headline.push({
  ratio: 'template.fresh/kept',
  label: 'Workers, Lua template: fresh instance per request / kept instance (p50)',
});
report.table({
  title: `workerd ${report.settings.workerd}, ${SECONDS} s per run (latency: median of every response with 1 connection)`,
  columns: ['app', 'way', 'p50', 'p99', 'req/s (1 conn)', `req/s (${CONNECTIONS} conn)`, '/ kept'],
  rows: table,
});
report.chart({
  id: 'latency',
  kind: 'bars',
  title: 'Worker latency, p50 (ms; each app on its own scale)',
  unit: 'ms',
  data: APPS.flatMap((app) =>
    WAYS.map((way) => {
      const value = report.figures[`${app.name}.${way}.p50`].value;
      return {
        group: label[app.name],
        series: way,
        value,
        label: `${value.toFixed(2)} ms`,
        highlight: way === 'pooled',
      };
    }),
  ),
});
report.save();
