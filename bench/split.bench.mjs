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
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { link } from '@wasm-runtime/split';
import { WASI } from '@wasm-runtime/wasi';
import { benchStore, buildLuaApp, loadPair, median, memoryImage, ms, REPO } from './lua/common.mjs';

const APPS = Number(process.env.SPLIT_BENCH_APPS ?? 100);
const RUNS = Number(process.env.SPLIT_BENCH_RUNS ?? 3);
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

console.log(
  `machine: ${cpus().length} CPUs, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )}; node ${process.version}; ${APPS} apps, ${RUNS} runs of each way (fresh processes); medians\n`,
);

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

const listFile = join(WORK, 'dists.json');
await writeFile(listFile, JSON.stringify(dists));
const here = fileURLToPath(import.meta.url);
const results = { split: [], 'split-jsapi': [], mono: [] };
for (let run = 0; run < RUNS; run++) {
  for (const way of Object.keys(results)) {
    const r = spawnSync(process.execPath, ['--expose-gc', here, '--child', way, listFile], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) throw new Error(`${way} child failed: ${r.stderr}`);
    results[way].push(JSON.parse(r.stdout));
  }
}
const med = (way, key) => median(results[way].map((r) => r[key]));
const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
console.log(
  `split with every app state built by the JS API (materializeApp: true; the default 'auto' leaves ` +
    `these heaps of many small segments to V8): total ${ms(med('split-jsapi', 'total'))} ms, ` +
    `RSS after ${mib(med('split-jsapi', 'rss'))}\n`,
);
const rows = [
  ['', `split (1 engine + ${APPS} data)`, `${APPS} monolithic`, 'ratio'],
  ['total time (compile + instantiate)', `${ms(med('split', 'total'))} ms`, `${ms(med('mono', 'total'))} ms`],
  ['compile time', `${ms(med('split', 'compile'))} ms`, `${ms(med('mono', 'compile'))} ms`],
  ['disk bytes', mib(engineBytes + dataBytes), mib(snapshotBytes)],
  ['RSS after', mib(med('split', 'rss')), mib(med('mono', 'rss'))],
  ['peak RSS', mib(med('split', 'maxRss')), mib(med('mono', 'maxRss'))],
];
const ratio = (a, b) => `${(b / a).toFixed(1)}x`;
rows[1].push(ratio(med('split', 'total'), med('mono', 'total')));
rows[2].push(ratio(med('split', 'compile'), med('mono', 'compile')));
rows[3].push(ratio(engineBytes + dataBytes, snapshotBytes));
rows[4].push(ratio(med('split', 'rss'), med('mono', 'rss')));
rows[5].push(ratio(med('split', 'maxRss'), med('mono', 'maxRss')));
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const [k, r] of rows.entries()) {
  console.log(`| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`);
  if (k === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
}
console.log(
  `\nper app: data module ${ms(dataBytes / APPS / 1024)} KiB on average, snapshot ${ms(snapshotBytes / APPS / 1024)} KiB ` +
    `(${ms(nonZeroBytes / APPS / 1024)} KiB non-zero); engine ${ms(engineBytes / 1024)} KiB, shared`,
);
const verdict = (ok) => (ok ? 'met' : 'MISSED');
console.log(
  `target: app module <= snapshot non-zero bytes + 1 KiB: worst app ${worstOver >= 0 ? '+' : ''}${worstOver} bytes, ${verdict(worstOver <= 1024)}`,
);
// Where the worst app module's bytes over its non-zero bytes come from.
{
  const image = memoryImage(worst.data);
  const zerosKept = image.bytes - image.nonZero;
  const framing = worst.data.length - image.bytes;
  // Zero bytes of the snapshot's memory by the length of the run they sit in.
  const runs = { '1-7': 0, '8-15': 0, '16+': 0 };
  for (const seg of memoryImage(worst.snapshot).segments) {
    let run = 0;
    const flush = () => {
      if (run > 0) runs[run < 8 ? '1-7' : run < 16 ? '8-15' : '16+'] += run;
      run = 0;
    };
    for (const b of seg.data) b === 0 ? run++ : flush();
    flush();
  }
  console.log(
    `  ${worst.manifest.name}: ${worst.data.length} bytes = ${image.nonZero} non-zero + ${zerosKept} zero bytes kept ` +
      `(runs shorter than split's 16-byte cut, and segment edges) + ${framing} bytes of framing ` +
      `(${image.segments.length} data segments: flags, i32.const offset, length; module header, memory, globals, exports)`,
  );
  console.log(
    `  zero bytes of its snapshot by run length: ${Object.entries(runs)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')} (a data segment costs ~7-9 bytes of framing, so no cut pays for runs under ~8)`,
  );
}
const compileRatio = med('mono', 'compile') / med('split', 'compile');
console.log(
  `target: 100-app compile >= 20x less: ${compileRatio.toFixed(1)}x, ${verdict(compileRatio >= 20)}`,
);
