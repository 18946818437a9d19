// SpiderMonkey (StarlingMonkey) start-up, side by side in one process, medians of several runs:
//   cold      the original engine compiled once (outside the clock); per start: instantiate under
//             the WASI host, _initialize, componentize.wizer (evaluates the app's modules), run main
//   snapshot  the split pair from the pipeline's build, the engine compiled once (outside the
//             clock); per start: compile and instantiate the data module, instantiate the engine,
//             run main (`call(0, 0)`)
//   kept      the same with the data module compiled once (runDist with a loaded dist)
//   floor     a fresh WebAssembly.Memory of the same size with the same bytes copied in
// for a very simple app (prints "hello") and one that builds a large object graph at init.
// Target (issue 13): snapshot >= 13.9x faster than cold on the simple app (the seed's figure:
// 0.36 ms vs ~5 ms), aiming at 20x; snapshot within 1.5x of the floor.
//
//   npm run bench -- spidermonkey        (from the root; builds the packages first)
//   SM_BENCH_ROUNDS=20 node bench/spidermonkey.bench.mjs

import { mkdir, readdir, readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore, build } from '@wasm-runtime/pipeline';
import { DRIVER_SOURCE, recipe, STARLINGMONKEY_ENGINE } from '@wasm-runtime/spidermonkey';
import { link } from '@wasm-runtime/split';
import { MemoryFS, preview2ModuleNames, WASI } from '@wasm-runtime/wasi';
import { floorStart, loadPair, median, memoryImage, ms, REPO } from './lua/common.mjs';

const ROUNDS = Number(process.env.SM_BENCH_ROUNDS ?? 10);
const FLOOR_REPS = 10;
const sink = () => {};

console.log(
  `machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; node ${process.version}; ${ROUNDS} runs of each; medians\n`,
);

const mirror = join(REPO, '.cache', 'mirror');
const store = new ArtifactStore({ mirrors: [mirror] });
const engineBytes = new Uint8Array(await readFile((await store.fetch(STARLINGMONKEY_ENGINE)).path));
const engineOriginal = await WebAssembly.compile(engineBytes);
const names = preview2ModuleNames(engineOriginal);
const initSpec = recipe.init({ name: 'app', entry: 'main.js', entryGuestPath: '/app/main.js', options: {} });
const encoder = new TextEncoder();

async function tree(dir) {
  const out = {};
  for (const name of await readdir(dir)) out[name] = new Uint8Array(await readFile(join(dir, name)));
  return out;
}

function exitCode(instance) {
  const ptr = instance.exports.call(0, 0);
  return new DataView(instance.exports.memory.buffer).getInt32(ptr, true);
}

async function coldStart(appTree) {
  const wasi = new WASI({
    args: ['app'],
    env: initSpec.env,
    stdin: typeof initSpec.stdin === 'string' ? { text: initSpec.stdin } : (initSpec.stdin ?? 'ignore'),
    stdout: sink,
    stderr: sink,
    preview2: names,
    preopens: {
      '/app': new MemoryFS(appTree),
      '/wasm-runtime': new MemoryFS({ 'driver.js': encoder.encode(DRIVER_SOURCE) }),
    },
  });
  const instance = await WebAssembly.instantiate(engineOriginal, wasi.imports);
  wasi.bindMemory(instance.exports.memory, instance.exports.cabi_realloc);
  instance.exports._initialize();
  instance.exports['componentize.wizer']();
  return exitCode(instance);
}

async function snapshotStart(engineModule, data) {
  const wasi = new WASI({ args: ['app'], stdout: sink, stderr: sink, stdin: 'ignore', preview2: names });
  const { instance } = await link(engineModule, data, wasi.imports, { cache: null });
  wasi.bindMemory(instance.exports.memory, instance.exports.cabi_realloc);
  return exitCode(instance);
}

const apps = [];
for (const name of ['simple', 'graph']) {
  const root = join(REPO, 'bench', 'spidermonkey', name);
  const out = join(REPO, '.cache', 'bench', 'spidermonkey', name, 'dist');
  await mkdir(join(out, '..'), { recursive: true });
  const t = performance.now();
  const built = await build({ name, recipe, root, out }, { store });
  const buildMs = performance.now() - t;
  const pair = await loadPair(out);
  const engineModule = await WebAssembly.compile(pair.engine);
  const dataModule = await WebAssembly.compile(pair.data);
  const appTree = await tree(root);
  if ((await coldStart(appTree)) !== 0 || (await snapshotStart(engineModule, pair.data)) !== 0)
    throw new Error(`${name}: a start did not exit 0`);
  apps.push({
    name,
    buildMs,
    sizes: built.sizes,
    appTree,
    pair,
    engineModule,
    dataModule,
    image: memoryImage(pair.snapshot),
    times: { cold: [], snapshot: [], kept: [], floor: [] },
  });
}

for (let round = 0; round < ROUNDS; round++) {
  for (const app of apps) {
    let t = performance.now();
    await coldStart(app.appTree);
    app.times.cold.push(performance.now() - t);
    t = performance.now();
    await snapshotStart(app.engineModule, app.pair.data);
    app.times.snapshot.push(performance.now() - t);
    t = performance.now();
    await snapshotStart(app.engineModule, app.dataModule);
    app.times.kept.push(performance.now() - t);
    t = performance.now();
    for (let i = 0; i < FLOOR_REPS; i++) floorStart(app.image);
    app.times.floor.push((performance.now() - t) / FLOOR_REPS);
    globalThis.gc?.();
  }
}

console.log(
  '| app | cold (ms) | snapshot (ms) | kept data module (ms) | floor (ms) | cold / snapshot | snapshot / floor | data module | build |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const app of apps) {
  const m = Object.fromEntries(Object.entries(app.times).map(([k, v]) => [k, median(v)]));
  console.log(
    `| ${app.name} | ${ms(m.cold)} | ${ms(m.snapshot)} | ${ms(m.kept)} | ${ms(m.floor)} | ${(m.cold / m.snapshot).toFixed(1)}x | ${(m.snapshot / m.floor).toFixed(2)}x | ${(app.sizes.data / 1e6).toFixed(2)} MB | ${(app.buildMs / 1000).toFixed(1)} s |`,
  );
}
console.log(
  '\nseed (issue 13): simple app 0.36 ms from the snapshot against ~5 ms for a bare JS isolate (13.9x)',
);
