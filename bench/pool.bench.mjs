// Warm starts from a pool (issue 16), side by side in one process, per start, medians of rounds:
//   fresh   today's path: runDist on a dist loaded once (app module compiled once, engine cached):
//           a new WASI host, instantiate the app module and the engine, reseed, run main
//   floor   what no fresh start can beat: a new WebAssembly.Memory of the snapshot's size and a
//           copy of the same bytes (the app module's data segments)
//   pooled  createPool(loaded).run(): reset the instance its last run left (memory copied back from
//           the snapshot's image, globals set back), its WASI host re-armed (wasi.reset), reseed,
//           run main
// for runtimes/lua/examples/hello and examples/large (`main report`).
// Targets: pooled <= 0.5x the floor on both; under 50 µs for hello. Then where a pooled start's
// time goes: copy, globals, host (re-arming the instance's WASI host for the run), reseed (the
// post-restore call alone), main (the rest of the run).
//
//   npm run bench -- pool        (from the root; builds the packages first)
//   POOL_BENCH_ROUNDS=30 node bench/pool.bench.mjs

import { mkdir } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createPool, loadDist, runDist } from '@wasm-runtime/pipeline';
import { instantiateSplitPair } from '@wasm-runtime/pipeline/runner';
import { WASI } from '@wasm-runtime/wasi';
import { BenchReport, runs } from './lib/results.mjs';
import { benchStore, buildLuaApp, floorStart, LUA_EXAMPLES, memoryImage, REPO } from './lib/starts.mjs';
import { median, ms } from './lib/stats.mjs';

const report = new BenchReport('pool', 'Lua starts from an instance pool');
const ROUNDS = runs('POOL_BENCH_ROUNDS', 15, 1);
const apps = [
  { name: 'hello', args: ['bench'], reps: 40 },
  { name: 'large', args: ['report'], reps: 5 },
];
const sink = () => {};
const us = (x) => `${(x * 1000).toFixed(1)} µs`;

console.log(
  `machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; node ${process.version}; ${ROUNDS} rounds of each way, interleaved; medians\n`,
);

const store = benchStore();
const rows = [];
for (const app of apps) {
  const out = join(REPO, '.cache', 'bench', 'lua', app.name, 'dist');
  await mkdir(join(out, '..'), { recursive: true });
  await buildLuaApp(join(LUA_EXAMPLES, app.name), out, app.name, store);
  const loaded = await loadDist(out);
  const image = memoryImage(loaded.data);
  const options = { args: app.args, stdin: 'ignore', stdout: sink, stderr: sink };
  const pool = await createPool(loaded, { size: 1, eager: true, profile: true });
  // Sanity, and warm-up of every way before anything is timed.
  for (let i = 0; i < 20; i++) {
    const a = await runDist(loaded, options);
    const b = await pool.run(options);
    if (a.exitCode !== 0 || b.exitCode !== 0)
      throw new Error(`${app.name}: exit codes ${a.exitCode}, ${b.exitCode}`);
    floorStart(image);
  }
  const times = { fresh: [], floor: [], pooled: [] };
  const parts = { copy: [], globals: [], host: [], run: [] };
  for (let round = 0; round < ROUNDS; round++) {
    globalThis.gc?.();
    let t = performance.now();
    for (let i = 0; i < app.reps; i++) await runDist(loaded, options);
    times.fresh.push((performance.now() - t) / app.reps);
    globalThis.gc?.();
    t = performance.now();
    for (let i = 0; i < app.reps; i++) floorStart(image);
    times.floor.push((performance.now() - t) / app.reps);
    globalThis.gc?.();
    const before = pool.stats.time;
    t = performance.now();
    for (let i = 0; i < app.reps; i++) await pool.run(options);
    times.pooled.push((performance.now() - t) / app.reps);
    const after = pool.stats.time;
    for (const k of Object.keys(parts)) parts[k].push((after[k] - before[k]) / app.reps);
  }
  const part = (k) => median(parts[k]);
  const after = pool.stats;
  if (after.created !== 1) throw new Error(`${app.name}: the pool created ${after.created} instances`);

  // The post-restore call alone (the manifest's reseed export), on an instance of the same pair.
  const call = loaded.manifest.postRestore.call;
  let reseed = 0;
  if (call !== null) {
    const wasi = new WASI({ args: ['bench'], stdin: 'ignore', stdout: sink, stderr: sink });
    const { instance } = await instantiateSplitPair(
      {
        where: out,
        manifest: loaded.manifest,
        engine: loaded.engine,
        engineFile: loaded.engineFile,
        data: loaded.data,
      },
      wasi.imports,
    );
    wasi.bindMemory(instance.exports.memory);
    const fn = instance.exports[call];
    for (let i = 0; i < 1000; i++) fn();
    const t = performance.now();
    for (let i = 0; i < 10000; i++) fn();
    reseed = (performance.now() - t) / 10000;
  }
  report.figure(`${app.name}.fresh`, `${app.name}: runDist, a fresh instance`, times.fresh, 'ms');
  report.figure(`${app.name}.floor`, `${app.name}: floor`, times.floor, 'ms');
  report.figure(`${app.name}.pooled`, `${app.name}: pooled`, times.pooled, 'ms');
  report.ratio(
    `${app.name}.pooled/floor`,
    `${app.name}: pooled / floor`,
    `${app.name}.pooled`,
    `${app.name}.floor`,
  );
  report.ratio(
    `${app.name}.fresh/pooled`,
    `${app.name}: fresh / pooled`,
    `${app.name}.fresh`,
    `${app.name}.pooled`,
  );
  report.check(
    app.name,
    `${app.name}: the pool made one instance and every run exited 0`,
    after.created === 1,
    `${after.created} created`,
  );
  // Where a pooled start goes, per run in µs: the profile's parts, the reseed timed alone, main the
  // rest of the run.
  for (const k of ['copy', 'globals', 'host'])
    report.figure(
      `${app.name}.part.${k}`,
      `${app.name}: pooled, ${k}`,
      parts[k].map((v) => v * 1000),
      'µs',
    );
  report.figure(
    `${app.name}.part.reseed`,
    `${app.name}: pooled, reseed (timed alone)`,
    [reseed * 1000],
    'µs',
  );
  report.figure(
    `${app.name}.part.main`,
    `${app.name}: pooled, main`,
    parts.run.map((v) => (v - reseed) * 1000),
    'µs',
  );
  rows.push({
    name: app.name,
    fresh: median(times.fresh),
    floor: median(times.floor),
    pooled: median(times.pooled),
    memory: image.pages * 65536,
    parts: {
      copy: part('copy'),
      globals: part('globals'),
      host: part('host'),
      reseed,
      main: part('run') - reseed,
    },
  });
}

const header = ['app', 'fresh ms', 'floor ms', 'pooled ms', 'pooled/floor', 'fresh/pooled', 'memory'];
const cells = rows.map((r) => [
  r.name,
  ms(r.fresh),
  ms(r.floor),
  ms(r.pooled),
  `${(r.pooled / r.floor).toFixed(2)}x`,
  `${(r.fresh / r.pooled).toFixed(1)}x`,
  `${(r.memory / 2 ** 20).toFixed(1)} MiB`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (cs) => `| ${cs.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const c of cells) console.log(line(c));

const verdict = (ok) => (ok ? 'met' : 'MISSED');
console.log('');
for (const r of rows) {
  console.log(
    `target: ${r.name} pooled <= 0.5x the floor: ${(r.pooled / r.floor).toFixed(2)}x, ${verdict(r.pooled <= 0.5 * r.floor)}`,
  );
}
const hello = rows.find((r) => r.name === 'hello');
console.log(`target: hello pooled < 50 µs: ${us(hello.pooled)}, ${verdict(hello.pooled < 0.05)}`);
console.log(
  '\nwhere a pooled start goes (per run, medians of the means of the rounds; reseed timed alone, main = the rest of the run):',
);
for (const r of rows) {
  const p = r.parts;
  console.log(
    `  ${r.name}: copy ${us(p.copy)}, globals ${us(p.globals)}, host ${us(p.host)}, reseed ${us(p.reseed)}, main ${us(p.main)}`,
  );
}

for (const r of rows)
  report.target(r.name, `${r.name}: pooled ≤ 0.5x the floor`, {
    ratio: `${r.name}.pooled/floor`,
    op: '<=',
    threshold: 0.5,
  });
report.target('hello.abs', 'hello: pooled < 0.05 ms (50 µs)', {
  figure: 'hello.pooled',
  op: '<',
  threshold: 0.05,
});
report.headline.push({ ratio: 'hello.fresh/pooled', label: 'Lua hello: fresh instance / pooled' });
report.table({
  title: `A start (ms, medians of ${ROUNDS} rounds)`,
  columns: ['app', 'fresh (runDist)', 'floor', 'pooled', 'pooled / floor', 'fresh / pooled', 'target'],
  rows: rows.map((r) => [
    r.name,
    { figure: `${r.name}.fresh` },
    { figure: `${r.name}.floor` },
    { figure: `${r.name}.pooled` },
    { ratio: `${r.name}.pooled/floor` },
    { ratio: `${r.name}.fresh/pooled` },
    { target: r.name },
  ]),
});
const PARTS = ['copy', 'globals', 'host', 'reseed', 'main'];
report.table({
  title:
    'Where a pooled start goes (µs per run, medians of the rounds; host: re-arming the WASI host; reseed timed alone; main: the rest of the run)',
  columns: ['app', 'memory copy', 'globals', 'WASI host', 'reseed', 'main'],
  rows: rows.map((r) => [r.name, ...PARTS.map((k) => ({ figure: `${r.name}.part.${k}` }))]),
});
report.chart({
  id: 'start',
  kind: 'bars',
  title: 'A start: fresh, floor, pooled (ms; each app on its own scale)',
  unit: 'ms',
  data: rows.flatMap((r) =>
    ['fresh', 'floor', 'pooled'].map((way) => ({
      group: r.name,
      series: way,
      value: r[way],
      label: ms(r[way]),
      highlight: way === 'pooled',
    })),
  ),
});
report.save();
