// CPython 3.11 start-up, beside lua.bench.mjs and by the same method, medians of several runs:
//   cold      the original runtime (python.wasm), compiled once (outside the clock, like the
//             snapshot's engine): instantiate, init (initialize the interpreter, import the app from
//             the staged stdlib zip and app tree), run main()
//   snapshot  the split pair from the pipeline's build: the engine compiled once (outside the
//             clock), then per start: compile and instantiate the app's data module, instantiate
//             the engine, reseed (sys.argv, os.environ, random), run main()
//   (also with the data module compiled once and kept, as runDist does for a dist loaded once)
//   floor     a fresh WebAssembly.Memory of the same size and a copy of the same bytes
// for runtimes/python/examples/hello and examples/large (json, re, decimal, dataclasses and a
// 100,000-entry dict built at import).
// Targets: snapshot >= 20x faster than cold on both; large snapshot <= 1.5x the floor.
//
//   npm run bench -- python        (from the root; builds the packages first)
//   PYTHON_BENCH_ROUNDS=5 node bench/python.bench.mjs

import { mkdir } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { build } from '@wasm-runtime/pipeline';
import { buildPython } from '@wasm-runtime/python';
import { link } from '@wasm-runtime/split';
import { WASI } from '@wasm-runtime/wasi';
import { benchStore, floorStart, loadPair, median, memoryImage, ms, REPO } from './lua/common.mjs';

const ROUNDS = Number(process.env.PYTHON_BENCH_ROUNDS ?? 10);
const FLOOR_REPS = 10;
const EXAMPLES = join(REPO, 'runtimes', 'python', 'examples');
const apps = [
  { name: 'hello', args: ['bench'] },
  { name: 'large', args: ['sku-054321'] },
];
const sink = () => {};

console.log(
  `machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; node ${process.version}; ${ROUNDS} runs of each, in blocks; medians\n`,
);

const store = benchStore();
let t = performance.now();
const runtime = await buildPython({ store });
console.log(
  `runtime: ${runtime.cached ? 'cached' : 'built'} in ${ms(performance.now() - t)} ms (${runtime.wasmPath})`,
);

/** The cold start: instantiate the compiled runtime, init (imports the app), run main(). */
async function coldStart(module, root, args) {
  const wasi = new WASI({
    args: ['app', ...args],
    env: { WASM_RUNTIME_PY_ENTRY: '/app/main.py', WASM_RUNTIME_PY_HASH_SEED: '1' },
    preopens: {
      '/app': { dir: root, readOnly: true },
      '/usr/local/lib': { dir: join(runtime.dir, 'lib'), readOnly: true },
    },
    stdin: 'ignore',
    stdout: sink,
    stderr: sink,
  });
  const instance = await WebAssembly.instantiate(module, wasi.imports);
  const ex = instance.exports;
  return wasi.start({
    exports: {
      memory: ex.memory,
      _start() {
        ex._initialize();
        ex['wizer-initialize']();
        ex['wasm-runtime.run']();
      },
    },
  });
}

/** The snapshot start: link the split pair with the compiled engine, reseed, run main(). */
async function snapshotStart(engineModule, pair, args, dist) {
  const preopens = {};
  for (const m of pair.manifest.mounts)
    if (m.dir !== null) preopens[m.guest] = { dir: join(dist, m.dir), readOnly: true };
  const wasi = new WASI({
    args: [pair.manifest.name, ...args],
    env: {},
    preopens,
    stdin: 'ignore',
    stdout: sink,
    stderr: sink,
    ...(pair.manifest.hostState ? { state: pair.manifest.hostState } : {}),
  });
  const { instance } = await link(engineModule, pair.dataModule ?? pair.data, wasi.imports, { cache: null });
  wasi.bindMemory(instance.exports.memory);
  instance.exports[pair.manifest.postRestore.call]();
  return wasi.start(instance);
}

const runtimeModule = await WebAssembly.compile(
  await (await import('node:fs/promises')).readFile(runtime.wasmPath),
);
const prepared = [];
for (const app of apps) {
  const root = join(EXAMPLES, app.name);
  const out = join(REPO, '.cache', 'bench', 'python', app.name, 'dist');
  await mkdir(join(out, '..'), { recursive: true });
  t = performance.now();
  const result = await build(
    { name: app.name, lang: 'python', root, out, options: { hashSeed: 1 } },
    { store, baseDir: REPO },
  );
  const buildMs = performance.now() - t;
  const pair = await loadPair(out);
  const engineModule = await WebAssembly.compile(pair.engine);
  const image = memoryImage(pair.data);
  const c = await coldStart(runtimeModule, root, app.args);
  const s = await snapshotStart(engineModule, pair, app.args, out);
  if (c !== 0 || s !== 0) throw new Error(`${app.name}: exit codes cold ${c}, snapshot ${s}`);
  prepared.push({
    ...app,
    root,
    out,
    pair,
    engineModule,
    image,
    buildMs,
    sizes: result.sizes,
    times: { cold: [], snapshot: [], kept: [], floor: [] },
  });
}

const settle = async () => {
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 300));
};
for (const p of prepared) {
  await settle();
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    await coldStart(runtimeModule, p.root, p.args);
    p.times.cold.push(performance.now() - start);
  }
  await settle();
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    await snapshotStart(p.engineModule, p.pair, p.args, p.out);
    p.times.snapshot.push(performance.now() - start);
  }
  await settle();
  const kept = { ...p.pair, dataModule: new WebAssembly.Module(p.pair.data) };
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    await snapshotStart(p.engineModule, kept, p.args, p.out);
    p.times.kept.push(performance.now() - start);
  }
  await settle();
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < FLOOR_REPS; i++) floorStart(p.image);
    p.times.floor.push((performance.now() - start) / FLOOR_REPS);
  }
}

const header = [
  'app',
  'cold ms',
  'snapshot ms',
  'snapshot, app compiled once ms',
  'floor ms',
  'cold/snapshot',
  'snapshot/floor',
  'app build ms',
  'engine',
  'data module',
];
const rows = prepared.map((p) => {
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
      ms(snap),
      ms(median(p.times.kept)),
      ms(floor),
      `${(cold / snap).toFixed(1)}x`,
      `${(snap / floor).toFixed(2)}x`,
      ms(p.buildMs),
      `${(p.sizes.engine / 2 ** 20).toFixed(2)} MiB`,
      `${(p.sizes.data / 2 ** 20).toFixed(2)} MiB`,
    ],
  };
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r.cells));
console.log('');
const verdict = (ok) => (ok ? 'met' : 'MISSED');
for (const r of rows) {
  console.log(
    `target: ${r.p.name} snapshot >= 20x faster than cold: ${(r.cold / r.snap).toFixed(1)}x, ${verdict(r.cold / r.snap >= 20)}`,
  );
}
const large = rows.find((r) => r.p.name === 'large');
console.log(
  `target: large snapshot <= 1.5x the floor: ${(large.snap / large.floor).toFixed(2)}x, ${verdict(large.snap / large.floor <= 1.5)}`,
);
