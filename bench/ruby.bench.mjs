// Ruby 3.4 start-up for templates/ruby (reads stdin, json, two classes), every way of
// lib/start-suite.mjs, and the throughput check. Wizer's snapshot takes ~25 s and ~600 MB to make;
// it is cached in .cache/bench/wizer. The first start after compiling (V8 compiles functions lazily,
// on first call) is the verified run, outside the timed blocks.
// Targets (issue 12): ours split >= 20x faster than cold, faster than Wizer's snapshot started the
// same way, within 1.5x of the floor.
//
//   npm run bench -- ruby        (from the root; builds the packages first)
//   RUBY_BENCH_ROUNDS=15 node --expose-gc bench/ruby.bench.mjs

import { cp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from '@wasm-runtime/pipeline';
import { buildRuby, RUBY_EXPORTS, recipe } from '@wasm-runtime/ruby';
import { BenchReport } from './lib/results.mjs';
import { measureStarts, measureThroughput } from './lib/start-suite.mjs';
import { benchStore, loadPair, REPO, treeKey, WORK, wizerSnapshot } from './lib/starts.mjs';
import { WIZER_BIN } from './preinit/inputs.mjs';

const report = new BenchReport('ruby', 'Ruby 3.4 start-up');
const store = benchStore();
const runtimePath = (await buildRuby({ store })).wasmPath;
const module = await WebAssembly.compile(await readFile(runtimePath));
const initEnv = (name) => ({ RUBY_APP_ENTRY: '/app/main.rb', RUBY_APP_ROOT: '/app', RUBY_APP_NAME: name });
const coldSpec = (root, name) => ({
  module,
  preopens: { '/app': { dir: root, readOnly: true } },
  initEnv: initEnv(name),
  init: ['_initialize', RUBY_EXPORTS.init],
  entry: { kind: 'command', export: RUBY_EXPORTS.run },
});

// templates/ruby, copied (its build writes dist/ beside the config).
const app = join(WORK, 'ruby', 'words');
await rm(app, { recursive: true, force: true });
await mkdir(join(WORK, 'ruby'), { recursive: true });
await cp(join(REPO, 'templates', 'ruby'), app, {
  recursive: true,
  filter: (src) => !/[/\\](node_modules|dist)$/.test(src),
});
const appRoot = join(app, 'src');
let t = performance.now();
const built = await build(app, { store });
report.figure('words.build', 'words: our build (runtime cached)', performance.now() - t, 'ms');
const pair = await loadPair(built.outDir);

const files = async (dir) =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? d.path, d.name));
t = performance.now();
const wizer = await wizerSnapshot({
  wizer: WIZER_BIN,
  input: runtimePath,
  flags: [
    '--allow-wasi',
    '--inherit-env=true',
    '-f',
    RUBY_EXPORTS.init,
    '-r',
    `_start=${RUBY_EXPORTS.run}`,
    `--mapdir=/app::${appRoot}`,
  ],
  env: initEnv('words'),
  inputsKey: await treeKey(await files(appRoot)),
});
if (wizer.seconds) console.log(`Wizer 11 snapshot made in ${wizer.seconds.toFixed(1)} s`);

await measureStarts(report, {
  prefix: 'RUBY_BENCH',
  apps: [
    {
      key: 'words',
      label: 'words (templates/ruby)',
      app: {
        name: 'words',
        args: ['--top', '3'],
        stdin: new TextEncoder().encode('the quick brown fox jumps over the lazy dog\nthe dog sleeps\n'),
      },
      pair,
      cold: coldSpec(appRoot, 'words'),
      wizer,
    },
  ],
  rounds: 9,
  coldRounds: 5,
});
report.target('cold', 'ours split ≥ 20x faster than cold', {
  ratio: 'words.cold/split',
  op: '>=',
  threshold: 20,
});
report.target('wizer', "ours split faster than Wizer's snapshot", {
  ratio: 'words.wizer/split',
  op: '>',
  threshold: 1,
});
report.target('floor', 'ours split ≤ 1.5x the floor', {
  ratio: 'words.split/floor',
  op: '<=',
  threshold: 1.5,
});
report.headline.push(
  { ratio: 'words.cold/split', label: 'Ruby: cold / snapshot', target: 'cold' },
  { ratio: 'words.wizer/split', label: 'Ruby: Wizer snapshot / ours', target: 'wizer' },
);

async function prepare(name, root) {
  const out = join(WORK, 'ruby', name, 'dist');
  await mkdir(join(out, '..'), { recursive: true });
  await build({ name, recipe, root, out }, { store, baseDir: REPO });
  return loadPair(out);
}
await measureThroughput(report, {
  prefix: 'RUBY_BENCH',
  runtime: 'ruby',
  name: 'Ruby',
  iterations: 1_000_000,
  prepare,
  coldSpec,
  rounds: 3,
});
report.save();
