// Lua 5.4 start-up (runtimes/lua/examples/hello and large, ~5,000 lines of Lua, `main report`), every
// way of lib/start-suite.mjs, and the throughput check on a CPU-bound loop.
// Targets: large: ours split >= 20x faster than cold; hello: ours split <= 1.5x the floor.
//
//   npm run bench -- lua        (from the root; builds the packages first)
//   LUA_BENCH_ROUNDS=30 node --expose-gc bench/lua.bench.mjs
//
// The Lua source comes from the local mirror (scripts/fetch-sources) when present, else the network.

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildLua, LUA_EXPORTS } from '@wasm-runtime/lua';
import { BenchReport } from './lib/results.mjs';
import { measureStarts, measureThroughput } from './lib/start-suite.mjs';
import {
  benchStore,
  buildLuaApp,
  LUA_EXAMPLES,
  loadPair,
  treeKey,
  WORK,
  wizerSnapshot,
} from './lib/starts.mjs';
import { WIZER_BIN } from './preinit/inputs.mjs';

const report = new BenchReport('lua', 'Lua 5.4 start-up');
const store = benchStore();
const runtime = await buildLua({ store });
const module = await WebAssembly.compile(await readFile(runtime.wasmPath));

const coldSpec = (root) => ({
  module,
  preopens: { '/app': { dir: root, readOnly: true } },
  initEnv: { LUA_APP_ENTRY: '/app/main.lua' },
  init: ['_initialize', LUA_EXPORTS.init],
  entry: { kind: 'command', export: LUA_EXPORTS.run },
});

async function prepare(name, root) {
  const out = join(WORK, 'lua', name, 'dist');
  await mkdir(join(out, '..'), { recursive: true });
  await buildLuaApp(root, out, name, store);
  return loadPair(out);
}

const apps = [];
for (const [key, label, args] of [
  ['hello', 'hello', ['bench']],
  ['large', '~5,000-line app', ['report']],
]) {
  const root = join(LUA_EXAMPLES, key);
  const pair = await prepare(key, root);
  // Wizer 11 on the same module and app, with the flags our build uses.
  const wizer = await wizerSnapshot({
    wizer: WIZER_BIN,
    input: runtime.wasmPath,
    flags: [
      '--allow-wasi',
      '--inherit-env=true',
      `--mapdir=/app::${root}`,
      '-f',
      LUA_EXPORTS.init,
      '-r',
      `_start=${LUA_EXPORTS.run}`,
    ],
    env: { LUA_APP_ENTRY: '/app/main.lua' },
    inputsKey: await treeKey([join(root, 'main.lua')]),
  });
  apps.push({ key, label, app: { name: key, args }, pair, cold: coldSpec(root), wizer });
}
await measureStarts(report, { prefix: 'LUA_BENCH', apps, rounds: 15 });
report.target('large', 'large app: ours split ≥ 20x faster than cold', {
  ratio: 'large.cold/split',
  op: '>=',
  threshold: 20,
});
report.target('hello', 'hello: ours split ≤ 1.5x the floor', {
  ratio: 'hello.split/floor',
  op: '<=',
  threshold: 1.5,
});
report.headline.push(
  { ratio: 'large.cold/split', label: 'Lua ~5,000-line app: cold / snapshot', target: 'large' },
  { ratio: 'hello.split/floor', label: 'Lua hello: snapshot / floor', target: 'hello' },
);

await measureThroughput(report, {
  prefix: 'LUA_BENCH',
  runtime: 'lua',
  name: 'Lua',
  iterations: 3_000_000,
  prepare,
  coldSpec,
});
report.save();
