// CPython 3.11 start-up (runtimes/python/examples/hello and large: json, re, decimal, dataclasses and
// a 100,000-entry dict built at import), every way of lib/start-suite.mjs, and the throughput check.
// Targets: ours split >= 20x faster than cold on both; large: ours split <= 1.5x the floor.
//
//   npm run bench -- python        (from the root; builds the packages first)
//   PYTHON_BENCH_ROUNDS=5 node --expose-gc bench/python.bench.mjs

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from '@wasm-runtime/pipeline';
import { buildPython, PYTHON_EXPORTS, recipe } from '@wasm-runtime/python';
import { BenchReport } from './lib/results.mjs';
import { measureStarts, measureThroughput } from './lib/start-suite.mjs';
import { benchStore, loadPair, REPO, treeKey, WORK, wizerSnapshot } from './lib/starts.mjs';
import { WIZER_BIN } from './preinit/inputs.mjs';

const report = new BenchReport('python', 'CPython 3.11 start-up');
const EXAMPLES = join(REPO, 'runtimes', 'python', 'examples');
const store = benchStore();
const runtime = await buildPython({ store });
const module = await WebAssembly.compile(await readFile(runtime.wasmPath));
const lib = join(runtime.dir, 'lib');

const coldSpec = (root) => ({
  module,
  preopens: { '/app': { dir: root, readOnly: true }, '/usr/local/lib': { dir: lib, readOnly: true } },
  initEnv: { WASM_RUNTIME_PY_ENTRY: '/app/main.py', WASM_RUNTIME_PY_HASH_SEED: '1' },
  init: ['_initialize', PYTHON_EXPORTS.init],
  entry: { kind: 'command', export: PYTHON_EXPORTS.run },
});

async function prepare(name, root) {
  const out = join(WORK, 'python', name, 'dist');
  await mkdir(join(out, '..'), { recursive: true });
  const t = performance.now();
  await build({ name, lang: 'python', root, out, options: { hashSeed: 1 } }, { store, baseDir: REPO });
  report.figure(
    `${name}.build`,
    `${name}: our build of the app (runtime cached)`,
    performance.now() - t,
    'ms',
  );
  return loadPair(out);
}

const apps = [];
for (const [key, label, args, files] of [
  ['hello', 'hello', ['bench'], ['main.py']],
  ['large', 'large (json, re, decimal, 100k dict)', ['sku-054321'], ['main.py']],
]) {
  const root = join(EXAMPLES, key);
  const pair = await prepare(key, root);
  const env = recipe.init({
    name: key,
    entry: 'main.py',
    entryGuestPath: '/app/main.py',
    options: { hashSeed: 1 },
  }).env;
  const wizer = await wizerSnapshot({
    wizer: WIZER_BIN,
    input: runtime.wasmPath,
    flags: [
      '--allow-wasi',
      '--inherit-env=true',
      `--mapdir=/app::${root}`,
      `--mapdir=/usr/local/lib::${lib}`,
      '-f',
      PYTHON_EXPORTS.init,
      '-r',
      `_start=${PYTHON_EXPORTS.run}`,
    ],
    env,
    inputsKey: await treeKey(files.map((f) => join(root, f))),
  });
  apps.push({
    key,
    label,
    app: { name: key, args },
    pair,
    cold: coldSpec(root),
    wizer,
    // hello prints a random number (reseeded per start): compared with it masked.
    normalize: (s) => s.replace(/\) [0-9.e-]+$/m, ') <random>'),
  });
}
await measureStarts(report, { prefix: 'PYTHON_BENCH', apps, rounds: 10, coldRounds: 7 });
report.target('hello', 'hello: ours split ≥ 20x faster than cold', {
  ratio: 'hello.cold/split',
  op: '>=',
  threshold: 20,
});
report.target('large', 'large: ours split ≥ 20x faster than cold', {
  ratio: 'large.cold/split',
  op: '>=',
  threshold: 20,
});
report.target('floor', 'large: ours split ≤ 1.5x the floor', {
  ratio: 'large.split/floor',
  op: '<=',
  threshold: 1.5,
});
report.headline.push(
  { ratio: 'large.cold/split', label: 'CPython large app: cold / snapshot', target: 'large' },
  { ratio: 'large.split/floor', label: 'CPython large app: snapshot / floor', target: 'floor' },
);

await measureThroughput(report, {
  prefix: 'PYTHON_BENCH',
  runtime: 'python',
  name: 'CPython',
  iterations: 1_000_000,
  prepare,
  coldSpec,
});
report.save();
