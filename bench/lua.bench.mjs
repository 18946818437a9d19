// Lua 5.4 start-up, side by side in one process, medians of several runs:
//   cold      the original runtime, compiled once (outside the clock, like the snapshot's engine):
//             instantiate, init (runs the app's top level, reading its files), run main
//   (also cold with a compile of lua.wasm in every start: what a fresh process without a code
//   cache pays, and with no tier-up carried over between starts)
//   snapshot  the split pair from the pipeline's build: the engine compiled once (outside the
//             clock), then per start: compile and instantiate the app's data module (split's
//             default for many small segments), instantiate the engine, reseed, run main
//   (also the same start with split's materializeApp: true: the JS API builds the app's memory
//   and copies its data segments instead of V8; and with the data module compiled once and kept,
//   as runDist does for a dist loaded once with loadDist, a server starting the same app per request)
//   floor     what no snapshot start can beat: a fresh WebAssembly.Memory of the same size and a
//             copy of the same bytes (the app module's data segments)
// for runtimes/lua/examples/hello and examples/large (~5,000 lines of Lua, `main report`).
// Targets: snapshot >= 20x faster than cold on large; hello snapshot <= 1.5x the floor.
//
//   npm run bench -- lua        (from the root; builds the packages first)
//   LUA_BENCH_ROUNDS=30 node bench/lua.bench.mjs
//
// The Lua source comes from the local mirror (scripts/fetch-sources) when present, else the network.

import { mkdir, readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { buildLua } from '@wasm-runtime/lua';
import {
  benchStore,
  buildLuaApp,
  coldStart,
  coldStartCompiled,
  floorStart,
  LUA_EXAMPLES,
  loadPair,
  median,
  memoryImage,
  ms,
  REPO,
  snapshotPhases,
  snapshotStart,
} from './lua/common.mjs';

const ROUNDS = Number(process.env.LUA_BENCH_ROUNDS ?? 15);
const FLOOR_REPS = 20; // the floor is short: several per round, averaged, to rise above timer noise
const apps = [
  { name: 'hello', args: ['bench'] },
  { name: 'large', args: ['report'] },
];

console.log(
  `machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; node ${process.version}; ${ROUNDS} runs of each, in blocks; medians\n`,
);

const store = benchStore();
const runtime = new Uint8Array(await readFile((await buildLua({ store })).wasmPath));
const prepared = [];
for (const app of apps) {
  const root = join(LUA_EXAMPLES, app.name);
  const out = join(REPO, '.cache', 'bench', 'lua', app.name, 'dist');
  await mkdir(join(out, '..'), { recursive: true });
  await buildLuaApp(root, out, app.name, store);
  const pair = await loadPair(out);
  const engineModule = await WebAssembly.compile(pair.engine);
  const runtimeModule = await WebAssembly.compile(runtime);
  const image = memoryImage(pair.data);
  // Sanity: both ways exit 0 before anything is timed.
  const c = await coldStart(runtime, root, app.args, -1);
  const s = await snapshotStart(engineModule, pair, app.args);
  if (c !== 0 || s !== 0) throw new Error(`${app.name}: exit codes cold ${c}, snapshot ${s}`);
  prepared.push({
    ...app,
    root,
    pair,
    engineModule,
    runtimeModule,
    image,
    times: { cold: [], coldCompile: [], snapshot: [], jsApi: [], kept: [], floor: [] },
  });
}

// Blocks per app and way rather than interleaving: a cold start leaves V8's background tier-up
// compilation running on the other core, which would be billed to whatever runs next.
const settle = async () => {
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 300));
};
let counter = 0;
for (const p of prepared) {
  await settle();
  for (let round = 0; round < ROUNDS; round++) {
    const t = performance.now();
    await coldStartCompiled(p.runtimeModule, p.root, p.args);
    p.times.cold.push(performance.now() - t);
  }
  await settle();
  for (let round = 0; round < ROUNDS; round++) {
    const t = performance.now();
    await coldStart(runtime, p.root, p.args, counter++);
    p.times.coldCompile.push(performance.now() - t);
  }
  await settle();
  for (let round = 0; round < ROUNDS; round++) {
    const t = performance.now();
    await snapshotStart(p.engineModule, p.pair, p.args);
    p.times.snapshot.push(performance.now() - t);
  }
  await settle();
  for (let round = 0; round < ROUNDS; round++) {
    const t = performance.now();
    await snapshotStart(p.engineModule, p.pair, p.args, { materializeApp: true });
    p.times.jsApi.push(performance.now() - t);
  }
  await settle();
  const kept = { ...p.pair, dataModule: new WebAssembly.Module(p.pair.data) };
  for (let round = 0; round < ROUNDS; round++) {
    const t = performance.now();
    await snapshotStart(p.engineModule, kept, p.args);
    p.times.kept.push(performance.now() - t);
  }
  await settle();
  for (let round = 0; round < ROUNDS; round++) {
    const t = performance.now();
    for (let i = 0; i < FLOOR_REPS; i++) floorStart(p.image);
    p.times.floor.push((performance.now() - t) / FLOOR_REPS);
  }
  // Where a snapshot start's time goes (medians of the same number of runs).
  const parts = { wasi: [], link: [], parse: [], instantiate: [], run: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const r = await snapshotPhases(p.engineModule, p.pair, p.args, p.image);
    for (const k of Object.keys(parts)) parts[k].push(r[k]);
  }
  p.parts = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, median(v)]));
}

const header = [
  'app',
  'cold ms',
  'cold + compile ms',
  'snapshot ms',
  'snapshot, app by JS API ms',
  'snapshot, app compiled once ms',
  'floor ms',
  'cold/snapshot',
  'snapshot/floor',
  'memory',
  'data copied',
];
const table = prepared.map((p) => {
  const cold = median(p.times.cold);
  const snap = median(p.times.snapshot);
  const floor = median(p.times.floor);
  return {
    p,
    cold,
    snap,
    floor,
    cells: [
      p.name,
      ms(cold),
      ms(median(p.times.coldCompile)),
      ms(snap),
      ms(median(p.times.jsApi)),
      ms(median(p.times.kept)),
      ms(floor),
      `${(cold / snap).toFixed(1)}x`,
      `${(snap / floor).toFixed(2)}x`,
      `${((p.image.pages * 65536) / 2 ** 20).toFixed(1)} MiB`,
      `${(p.image.bytes / 1024).toFixed(0)} KiB`,
    ],
  };
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r.cells[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of table) console.log(line(r.cells));

const large = table.find((r) => r.p.name === 'large');
const hello = table.find((r) => r.p.name === 'hello');
console.log('');
const verdict = (ok) => (ok ? 'met' : 'MISSED');
console.log(
  `target: large snapshot >= 20x faster than cold: ${(large.cold / large.snap).toFixed(1)}x, ${verdict(large.cold / large.snap >= 20)}`,
);
console.log(
  `target: hello snapshot <= 1.5x the floor: ${(hello.snap / hello.floor).toFixed(2)}x, ${verdict(hello.snap / hello.floor <= 1.5)}`,
);

console.log('\nwhere a snapshot start goes (ms, medians):');
for (const r of table) {
  const q = r.p.parts;
  console.log(
    `  ${r.p.name}: WASI host ${ms(q.wasi)}, link ${ms(q.link)} (of which compiling the app module ${ms(q.parse)}, ` +
      `memory + copy ~${ms(r.floor)}, instantiating the compiled engine ${ms(q.instantiate)}), reseed + main ${ms(q.run)}`,
  );
}
