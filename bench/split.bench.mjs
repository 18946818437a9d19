// 100 different Lua apps on one runtime: the split pair (one engine, compiled once, plus a data
// module per app) against 100 monolithic snapshots (each compiled on its own). Each way runs in a
// fresh child process (so RSS is its own), several times, alternating; medians.
//   split  compile the engine once, then per app: materialize its memory and instantiate the engine
//   mono   per app: compile its snapshot module and instantiate it
// Reported: total time, compile time, disk bytes, RSS (after, and peak). Targets: each app module
// <= its snapshot's non-zero bytes + 1 KiB; compiling for 100 apps >= 20x less with the split.
//
//   npm run bench -- split        (from the root; builds the packages first)
//   SPLIT_BENCH_APPS=20 SPLIT_BENCH_RUNS=5 node bench/split.bench.mjs
//
// The 100 apps are generated under .cache/bench/split/ and built through the pipeline once; later
// runs reuse each dist while its source and the runtime are unchanged.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { link } from '@wasm-runtime/split';
import { WASI } from '@wasm-runtime/wasi';
import { BenchReport, QUICK, runs } from './lib/results.mjs';
import { benchStore, buildLuaApp, loadPair, memoryImage, REPO } from './lib/starts.mjs';
import { ms } from './lib/stats.mjs';

/** How many apps each measurement loads: 1, 10 and 100 (a quick run: 1 and 3). */
const COUNTS = (process.env.SPLIT_BENCH_COUNTS ?? (QUICK ? '1,3' : '1,10,100')).split(',').map(Number);
const APPS = Math.max(...COUNTS);
const RUNS = runs('SPLIT_BENCH_RUNS', 3, 1);
const WORK = join(REPO, '.cache', 'bench', 'split');

/** A small app of its own: different data, different code paths, all built at init. */
function appSource(i) {
  const n = 20 + ((i * 37) % 200);
  return `-- generated app ${i}
local items = {}
for k = 1, ${n} do items[k] = { id = k * ${i + 1}, name = ('item-${i}-%03d'):format(k) } end
local by_name = {}
for _, it in ipairs(items) do by_name[it.name] = it end
local greeting = ${JSON.stringify(`app ${i} says hello`)}

return function(args)
  local total = 0
  for _, it in ipairs(items) do total = total + it.id end
  print(greeting, #items, total, by_name['item-${i}-001'].id)
end
`;
}

const child = process.argv[2] === '--child' ? process.argv[3] : undefined;
if (child !== undefined) {
  // In a child: read every file first (not timed), then compile + instantiate, keep the instances.
  const dists = JSON.parse(await readFile(process.argv[4], 'utf8'));
  const pairs = await Promise.all(dists.map((d) => loadPair(d)));
  const keep = [];
  const imports = () =>
    new WASI({ args: ['app'], env: {}, stdin: 'ignore', stdout: () => {}, stderr: () => {} }).imports;
  const t0 = performance.now();
  let compile = 0;
  if (child === 'split') {
    const c = performance.now();
    const engine = await WebAssembly.compile(pairs[0].engine);
    compile = performance.now() - c;
    for (const p of pairs) keep.push((await link(engine, p.data, imports(), { cache: null })).instance);
  } else if (child === 'split-jsapi') {
    const c = performance.now();
    const engine = await WebAssembly.compile(pairs[0].engine);
    compile = performance.now() - c;
    const opts = { cache: null, materializeApp: true };
    for (const p of pairs) keep.push((await link(engine, p.data, imports(), opts)).instance);
  } else {
    for (const p of pairs) {
      const c = performance.now();
      const module = await WebAssembly.compile(p.snapshot);
      compile += performance.now() - c;
      keep.push(await WebAssembly.instantiate(module, imports()));
    }
  }
  const total = performance.now() - t0;
  globalThis.gc?.();
  const result = {
    total,
    compile,
    rss: process.memoryUsage().rss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    instances: keep.length,
  };
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

const report = new BenchReport('split', 'Engine sharing: many apps on one runtime');
console.log(`${COUNTS.join(', ')} apps, ${RUNS} runs of each way (fresh processes); medians\n`);

const store = benchStore();
const dists = [];
let built = 0;
const buildStart = performance.now();
for (let i = 0; i < APPS; i++) {
  const name = `app-${String(i).padStart(3, '0')}`;
  const root = join(WORK, 'apps', name);
  const out = join(WORK, 'dist', name);
  const source = appSource(i);
  await mkdir(root, { recursive: true });
  if ((await readFile(join(root, 'main.lua'), 'utf8').catch(() => '')) !== source)
    await writeFile(join(root, 'main.lua'), source);
  const sourceSha = createHash('sha256').update(source).digest('hex');
  let fresh = false;
  if (existsSync(join(out, 'manifest.json'))) {
    const m = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    const runtimeNow = i === 0 ? undefined : dists.runtimeSha;
    fresh =
      m.mounts?.[0]?.files?.find((f) => f.path === 'main.lua')?.sha256 === sourceSha &&
      (runtimeNow === undefined || m.runtime.sha256 === runtimeNow);
  }
  if (i === 0 || !fresh) {
    // The first app is always rebuilt (cheap when the runtime is cached): it says which runtime is current.
    const r = await buildLuaApp(root, out, name, store);
    dists.runtimeSha = r.manifest.runtime.sha256;
    built++;
  }
  dists.push(out);
}
console.log(
  `apps: ${built} built through the pipeline, ${APPS - built} reused (${ms((performance.now() - buildStart) / 1000)} s)`,
);

// Sizes, and the app-module target, per app.
const pairs = await Promise.all(dists.map((d) => loadPair(d)));
const engines = new Set(pairs.map((p) => p.manifest.files.engine.sha256));
if (engines.size !== 1) throw new Error(`the apps do not share one engine: ${engines.size} engines`);
let worstOver = Number.NEGATIVE_INFINITY;
let worst;
let dataBytes = 0;
let snapshotBytes = 0;
let nonZeroBytes = 0;
for (const p of pairs) {
  const nonZero = memoryImage(p.snapshot).nonZero;
  if (p.data.length - nonZero > worstOver) {
    worstOver = p.data.length - nonZero;
    worst = p;
  }
  dataBytes += p.data.length;
  snapshotBytes += p.snapshot.length;
  nonZeroBytes += nonZero;
}
const engineBytes = pairs[0].engine.length;

const here = fileURLToPath(import.meta.url);
const WAYS = {
  split: `split (1 engine + data modules)`,
  'split-jsapi': 'split, app state by the JS API',
  mono: 'monolithic snapshots',
};
const results = {};
for (const count of COUNTS) {
  const listFile = join(WORK, `dists-${count}.json`);
  await writeFile(listFile, JSON.stringify(dists.slice(0, count)));
  results[count] = { split: [], 'split-jsapi': [], mono: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const way of Object.keys(results[count])) {
      const r = spawnSync(process.execPath, ['--expose-gc', here, '--child', way, listFile], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      if (r.status !== 0) throw new Error(`${way} child failed: ${r.stderr}`);
      const got = JSON.parse(r.stdout);
      report.check(
        `${count}.${way}.${run}`,
        `${count} apps, ${WAYS[way]}: every app instantiated`,
        got.instances === count,
        `${got.instances} instances`,
      );
      results[count][way].push(got);
    }
  }
  for (const way of Object.keys(results[count])) {
    const rs = results[count][way];
    report.figure(
      `${count}.${way}.total`,
      `${count} apps, ${WAYS[way]}: compile + instantiate`,
      rs.map((r) => r.total),
      'ms',
    );
    report.figure(
      `${count}.${way}.compile`,
      `${count} apps, ${WAYS[way]}: compile`,
      rs.map((r) => r.compile),
      'ms',
    );
    report.figure(
      `${count}.${way}.rss`,
      `${count} apps, ${WAYS[way]}: RSS after`,
      rs.map((r) => r.rss / 2 ** 20),
      'MiB',
    );
    report.figure(
      `${count}.${way}.maxRss`,
      `${count} apps, ${WAYS[way]}: peak RSS`,
      rs.map((r) => r.maxRss / 2 ** 20),
      'MiB',
    );
  }
  report.ratio(
    `${count}.total`,
    `${count} apps: total, monolithic / split`,
    `${count}.mono.total`,
    `${count}.split.total`,
  );
  report.ratio(
    `${count}.compile`,
    `${count} apps: compile, monolithic / split`,
    `${count}.mono.compile`,
    `${count}.split.compile`,
  );
  report.ratio(
    `${count}.rss`,
    `${count} apps: RSS after, monolithic / split`,
    `${count}.mono.rss`,
    `${count}.split.rss`,
  );
}
// The tables' check rows say the same for every run: keep one per count and way.
for (const id of Object.keys(report.checks)) {
  const [count, way, run] = id.split('.');
  if (run !== '0') {
    if (!report.checks[id].ok) report.checks[`${count}.${way}.0`] = report.checks[id];
    delete report.checks[id];
  }
}

report.figure(
  'disk.split',
  `${APPS} apps: engine + data modules on disk`,
  (engineBytes + dataBytes) / 2 ** 20,
  'MiB',
);
report.figure('disk.mono', `${APPS} apps: monolithic snapshots on disk`, snapshotBytes / 2 ** 20, 'MiB');
report.ratio('disk', `${APPS} apps: disk, monolithic / split`, 'disk.mono', 'disk.split');
report.figure('app.data', 'data module per app (mean)', dataBytes / APPS, 'B');
report.figure('app.snapshot', 'monolithic snapshot per app (mean)', snapshotBytes / APPS, 'B');
report.figure('app.nonZero', "snapshot's non-zero bytes per app (mean)", nonZeroBytes / APPS, 'B');
report.figure('app.worstOver', 'worst app module over its non-zero bytes', worstOver, 'B');
report.figure('engine', 'engine (shared)', engineBytes, 'B');
report.check(
  'engine',
  'every app shares one engine (one sha256)',
  engines.size === 1,
  `${engines.size} engine(s)`,
);

const rows = [];
for (const count of COUNTS) {
  rows.push([
    String(count),
    { figure: `${count}.split.total` },
    { figure: `${count}.mono.total` },
    { ratio: `${count}.total` },
    { figure: `${count}.split.compile` },
    { figure: `${count}.mono.compile` },
    { ratio: `${count}.compile` },
    { figure: `${count}.split.rss` },
    { figure: `${count}.mono.rss` },
    { ratio: `${count}.rss` },
  ]);
}
report.table({
  title: 'Loading N apps in a fresh process (ms, MiB; medians)',
  columns: [
    'apps',
    'split total',
    'mono total',
    'mono / split',
    'split compile',
    'mono compile',
    'mono / split',
    'split RSS',
    'mono RSS',
    'mono / split',
  ],
  rows,
});
report.table({
  title: `Per app and on disk (${APPS} apps)`,
  columns: ['', 'split', 'monolithic', 'monolithic / split'],
  rows: [
    ['disk', { figure: 'disk.split' }, { figure: 'disk.mono' }, { ratio: 'disk' }],
    ['per app', { figure: 'app.data' }, { figure: 'app.snapshot' }, ''],
    ['shared engine', { figure: 'engine' }, '—', ''],
  ],
});
const last = APPS;
report.target('compile', `${last} apps: compiling ≥ 20x less with the split`, {
  ratio: `${last}.compile`,
  op: '>=',
  threshold: 20,
});
report.target('appModule', "each app module ≤ its snapshot's non-zero bytes + 1 KiB", {
  figure: 'app.worstOver',
  op: '<=',
  threshold: 1024,
});
report.headline.push({
  ratio: `${last}.compile`,
  label: `${last} apps: compile time, monolithic / split`,
  target: 'compile',
});
report.headline.push({ ratio: `${last}.rss`, label: `${last} apps: memory, monolithic / split` });
const line = (metric) =>
  COUNTS.flatMap((count) =>
    ['split', 'split-jsapi', 'mono'].map((way) => ({
      x: count,
      series: WAYS[way],
      value: report.figures[`${count}.${way}.${metric}`].value,
    })),
  );
report.chart({
  id: 'time',
  kind: 'lines',
  title: 'Compile + instantiate N apps (ms)',
  unit: 'ms',
  xTitle: 'apps',
  data: line('total'),
});
report.chart({
  id: 'memory',
  kind: 'lines',
  title: 'RSS after loading N apps (MiB)',
  unit: 'MiB',
  xTitle: 'apps',
  data: line('rss'),
});

// Where the worst app module's bytes over its non-zero bytes come from.
{
  const image = memoryImage(worst.data);
  const zerosKept = image.bytes - image.nonZero;
  const framing = worst.data.length - image.bytes;
  const runsByLength = { '1-7': 0, '8-15': 0, '16+': 0 };
  for (const seg of memoryImage(worst.snapshot).segments) {
    let run = 0;
    const flush = () => {
      if (run > 0) runsByLength[run < 8 ? '1-7' : run < 16 ? '8-15' : '16+'] += run;
      run = 0;
    };
    for (const b of seg.data) b === 0 ? run++ : flush();
    flush();
  }
  report.note(
    `The worst app module, ${worst.manifest.name}: ${worst.data.length.toLocaleString('en')} B = ${image.nonZero.toLocaleString('en')} non-zero + ` +
      `${zerosKept.toLocaleString('en')} zero bytes kept (runs shorter than split's 16-byte cut, and segment edges) + ${framing.toLocaleString('en')} B of framing ` +
      `(${image.segments.length} data segments). Zero bytes of its snapshot by run length: ${Object.entries(
        runsByLength,
      )
        .map(([k, v]) => `${k}: ${v.toLocaleString('en')}`)
        .join(', ')}; a data segment costs ~7-9 bytes of framing, so no cut pays for runs under ~8.`,
  );
}
report.save();
