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
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchWasmtime, WASMTIME_VERSION } from '../packages/wasi/test/support/wasmtime.mjs';
import {
  benchStore,
  buildLuaApp,
  LUA_EXAMPLES,
  loadPair,
  median,
  ms,
  REPO,
  snapshotStart,
} from './lua/common.mjs';

const ROUNDS = Number(process.env.WASMTIME_BENCH_ROUNDS ?? 30);
const WARMUP = 10;
const apps = [
  { name: 'hello', args: ['bench'] },
  { name: 'large', args: ['report'] },
];

console.log(
  `machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )}; node ${process.version}; Wasmtime ${WASMTIME_VERSION} (Python API); ${ROUNDS} starts each; medians\n`,
);

const store = benchStore();
const rows = [];
for (const app of apps) {
  const out = join(REPO, '.cache', 'bench', 'wasmtime', app.name, 'dist');
  await mkdir(join(out, '..'), { recursive: true });
  await buildLuaApp(join(LUA_EXAMPLES, app.name), out, app.name, store);
  const pair = await loadPair(out);
  const files = pair.manifest.files;
  if (files.engineExnref === undefined) throw new Error(`${app.name}: the build made no exnref engine`);
  const engineModule = await WebAssembly.compile(pair.engine);
  if ((await snapshotStart(engineModule, pair, app.args)) !== 0)
    throw new Error(`${app.name}: exit code not 0`);
  // Warm-up starts first, then a pause: V8 compiles the engine with its baseline compiler and tiers
  // hot functions up in the background, while Wasmtime's code is optimized from the start.
  for (let i = 0; i < WARMUP; i++) await snapshotStart(engineModule, pair, app.args);
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const ours = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await snapshotStart(engineModule, pair, app.args);
    ours.push(performance.now() - t0);
  }
  // The first starts in Python are warm-ups (lazy init of the store machinery), left out.
  const starts = await benchWasmtime(
    {
      file: join(out, files.engineExnref.path),
      preload: { [pair.manifest.split.importModule]: join(out, files.data.path) },
      argv0: pair.manifest.name,
      args: app.args,
    },
    ROUNDS + WARMUP,
  );
  const theirs = starts.slice(WARMUP).map((s) => s * 1000);
  rows.push({ app: app.name, ours: median(ours), wasmtime: median(theirs) });
  // Keep the memory of the last module set from colouring the next app.
  globalThis.gc?.();
}

console.log(
  '| app | ours (Node 20, engine compiled once) | Wasmtime 49 via Python (precompiled) | ours / Wasmtime |',
);
console.log('| --- | ---: | ---: | ---: |');
for (const r of rows)
  console.log(
    `| ${r.app} | ${ms(r.ours)} ms | ${ms(r.wasmtime)} ms | ${(r.ours / r.wasmtime).toFixed(2)}x |`,
  );
