// SpiderMonkey (StarlingMonkey, componentize-js's engine) start-up for a very simple app (prints
// "hello") and one that builds a large object graph at init, every way of lib/start-suite.mjs
// (Wizer's snapshot made with componentize-js's flags on the same engine, driver and app), and the
// throughput check.
// Target (issue 13): ours split >= 13.9x faster than cold on the simple app (the seed's figure: 0.36 ms
// vs ~5 ms), aiming at 20x; ours split within 1.5x of the floor.
//
//   npm run bench -- spidermonkey        (from the root; builds the packages first)
//   SM_BENCH_ROUNDS=20 node --expose-gc bench/spidermonkey.bench.mjs

import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from '@wasm-runtime/pipeline';
import { DRIVER_SOURCE, recipe, STARLINGMONKEY_ENGINE } from '@wasm-runtime/spidermonkey';
import { MemoryFS, preview2ModuleNames } from '@wasm-runtime/wasi';
import { BenchReport } from './lib/results.mjs';
import { measureStarts, measureThroughput } from './lib/start-suite.mjs';
import { benchStore, loadPair, REPO, treeKey, WORK, wizerSnapshot, writeApp } from './lib/starts.mjs';
import { WIZER_BIN } from './preinit/inputs.mjs';

const report = new BenchReport('spidermonkey', 'SpiderMonkey start-up');
const store = benchStore();
const enginePath = (await store.fetch(STARLINGMONKEY_ENGINE)).path;
const module = await WebAssembly.compile(await readFile(enginePath));
const wasi = { preview2: preview2ModuleNames(module) };
const encoder = new TextEncoder();
const driverDir = await writeApp(join(WORK, 'spidermonkey', 'driver'), { 'driver.js': DRIVER_SOURCE });
const initSpec = recipe.init({ name: 'app', entry: 'main.js', entryGuestPath: '/app/main.js', options: {} });

async function tree(dir) {
  const out = {};
  for (const name of await readdir(dir)) out[name] = new Uint8Array(await readFile(join(dir, name)));
  return out;
}

async function coldSpec(root) {
  const files = await tree(root);
  return {
    module,
    // A fresh in-memory tree per start (init only reads it).
    get preopens() {
      return {
        '/app': new MemoryFS(files),
        '/wasm-runtime': new MemoryFS({ 'driver.js': encoder.encode(DRIVER_SOURCE) }),
      };
    },
    initEnv: initSpec.env,
    initStdin: initSpec.stdin,
    init: ['_initialize', initSpec.export],
    entry: recipe.entry,
    wasi,
  };
}

async function prepare(name, root) {
  const out = join(WORK, 'spidermonkey', name, 'dist');
  await mkdir(join(out, '..'), { recursive: true });
  const t = performance.now();
  await build({ name, recipe, root, out }, { store });
  report.figure(`${name}.build`, `${name}: our build`, performance.now() - t, 'ms');
  return loadPair(out);
}

const apps = [];
for (const [key, label] of [
  ['simple', 'simple (prints "hello")'],
  ['graph', 'large object graph'],
]) {
  const root = join(REPO, 'bench', 'spidermonkey', key);
  const pair = await prepare(key, root);
  const wizer = await wizerSnapshot({
    wizer: WIZER_BIN,
    input: enginePath,
    flags: [
      '--allow-wasi',
      `--init-func=${initSpec.export}`,
      `--mapdir=/app::${root}`,
      `--mapdir=/wasm-runtime::${driverDir}`,
      '--wasm-bulk-memory=true',
      '--inherit-env=true',
    ],
    env: initSpec.env,
    stdin: initSpec.stdin,
    inputsKey: await treeKey([join(root, 'main.js'), join(driverDir, 'driver.js')]),
  });
  apps.push({ key, label, app: { name: key, args: [] }, pair, cold: await coldSpec(root), wizer });
}
await measureStarts(report, { prefix: 'SM_BENCH', apps, wasi, rounds: 10 });
report.target('seed', 'simple app: ours split ≥ 13.9x faster than cold (the seed)', {
  ratio: 'simple.cold/split',
  op: '>=',
  threshold: 13.9,
});
report.target('aim', 'simple app: ours split ≥ 20x faster than cold', {
  ratio: 'simple.cold/split',
  op: '>=',
  threshold: 20,
});
report.target('floor', 'simple app: ours split ≤ 1.5x the floor', {
  ratio: 'simple.split/floor',
  op: '<=',
  threshold: 1.5,
});
report.headline.push(
  { ratio: 'simple.cold/split', label: 'SpiderMonkey simple app: cold / snapshot', target: 'seed' },
  { ratio: 'simple.wizer/split', label: 'SpiderMonkey simple app: Wizer snapshot / ours' },
);

await measureThroughput(report, {
  prefix: 'SM_BENCH',
  runtime: 'spidermonkey',
  name: 'SpiderMonkey',
  iterations: 1_000_000,
  prepare,
  coldSpec,
  wasi,
});
report.save();
