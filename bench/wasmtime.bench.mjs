// Start of a Lua split pair, side by side, one process each, medians:
//   ours      our host (Node 20 / V8): the engine compiled once (outside the clock) and warmed up by
//             ten starts (V8 tiers hot code up in the background), then per start:
//             instantiate the app's data module, instantiate the engine, reseed, run main
//   wasmtime  Wasmtime 49 through its Python API (the `wasmtime` package that scripts/setup-wasmtime
//             installs): the exnref engine and the data module compiled once, then per start, timed
//             inside Python (process start excluded): a new Store with its WASI config, instantiate
//             the data module, link it as `wasm-runtime:app`, instantiate the engine, run `_start`
//             (which reseeds, then runs main). The Python API's per-call cost (ctypes) is included.
// for runtimes/lua/examples/hello and examples/large (`main report`). Ours discards the output;
// Wasmtime writes it to a temporary file (its WASI config takes a file path).
// Wasmtime's published anchor is microseconds per instantiation with copy-on-write memory images
// (`InstancePre` from Rust); the Python API has no InstancePre for an engine whose imports come from
// another instance of the same store, so this measures what a Python embedder gets.
//
//   npm run bench -- wasmtime      (from the root; needs bash scripts/setup-wasmtime)
//   WASMTIME_BENCH_ROUNDS=50 node bench/wasmtime.bench.mjs

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { benchWasmtime, runWasmtime, WASMTIME_VERSION } from '../packages/wasi/test/support/wasmtime.mjs';
import { BenchReport, runs } from './lib/results.mjs';
import { benchStore, buildLuaApp, capture, LUA_EXAMPLES, loadPair, REPO, splitStart } from './lib/starts.mjs';

const report = new BenchReport('wasmtime', `Lua split pair: our host against Wasmtime ${WASMTIME_VERSION}`);
const ROUNDS = runs('WASMTIME_BENCH_ROUNDS', 30, 2);
const WARMUP = runs('WASMTIME_BENCH_WARMUP', 10, 1);
report.settings = { rounds: ROUNDS, warmup: WARMUP };
const apps = [
  { name: 'hello', label: 'hello', args: ['bench'] },
  { name: 'large', label: '~5,000-line app (`main report`)', args: ['report'] },
];

const store = benchStore();
const rows = [];
const chart = [];
for (const app of apps) {
  const out = join(REPO, '.cache', 'bench', 'wasmtime', app.name, 'dist');
  await mkdir(join(out, '..'), { recursive: true });
  await buildLuaApp(join(LUA_EXAMPLES, app.name), out, app.name, store);
  const pair = await loadPair(out);
  const files = pair.manifest.files;
  if (files.engineExnref === undefined) throw new Error(`${app.name}: the build made no exnref engine`);
  const engineModule = await WebAssembly.compile(pair.engine);
  const spec = {
    file: join(out, files.engineExnref.path),
    preload: { [pair.manifest.split.importModule]: join(out, files.data.path) },
    argv0: pair.manifest.name,
    args: app.args,
  };
  // Both hosts run the pair once with their output kept: the same output, or nothing is timed.
  const io = capture();
  const ours = await splitStart(engineModule, pair, { name: pair.manifest.name, args: app.args }, io);
  const theirs = await runWasmtime(spec);
  const same = ours.code === theirs.exitCode && io.text().stdout === theirs.stdout;
  report.check(
    app.name,
    `${app.label}: Wasmtime prints what our host prints`,
    same && ours.code === 0,
    `exit ${ours.code} / ${theirs.exitCode}, ${io.text().stdout.length} B / ${theirs.stdout.length} B of stdout`,
  );
  if (!same) continue;
  // Warm-up starts first, then a pause: V8 compiles the engine with its baseline compiler and tiers
  // hot functions up in the background, while Wasmtime's code is optimized from the start.
  for (let i = 0; i < WARMUP; i++)
    await splitStart(engineModule, pair, { name: pair.manifest.name, args: app.args });
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const oursMs = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await splitStart(engineModule, pair, { name: pair.manifest.name, args: app.args });
    oursMs.push(performance.now() - t0);
  }
  // The first starts in Python are warm-ups (lazy init of the store machinery), left out.
  const starts = await benchWasmtime(spec, ROUNDS + WARMUP);
  report.figure(`${app.name}.ours`, `${app.label}: ours`, oursMs, 'ms');
  report.figure(
    `${app.name}.wasmtime`,
    `${app.label}: Wasmtime`,
    starts.slice(WARMUP).map((s) => s * 1000),
    'ms',
  );
  report.ratio(
    `${app.name}.ours/wasmtime`,
    `${app.label}: ours / Wasmtime`,
    `${app.name}.ours`,
    `${app.name}.wasmtime`,
  );
  rows.push([
    app.label,
    { figure: `${app.name}.ours` },
    { figure: `${app.name}.wasmtime` },
    { ratio: `${app.name}.ours/wasmtime` },
  ]);
  for (const [who, label] of [
    ['ours', 'ours (Node)'],
    ['wasmtime', `Wasmtime ${WASMTIME_VERSION} (Python API)`],
  ]) {
    const v = report.figures[`${app.name}.${who}`].value;
    chart.push({
      group: app.label,
      series: label,
      value: v,
      label: `${v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`,
      highlight: who === 'ours',
    });
  }
  globalThis.gc?.();
}
report.table({
  title: 'A start of the split pair (ms, medians)',
  columns: [
    'app',
    'ours (Node, engine compiled once)',
    `Wasmtime ${WASMTIME_VERSION} via Python (precompiled)`,
    'ours / Wasmtime',
  ],
  rows,
});
report.chart({
  id: 'start',
  kind: 'bars',
  title: 'A split-pair start: our host and Wasmtime (ms, each app on its own scale)',
  unit: 'ms',
  data: chart,
});
report.save();
