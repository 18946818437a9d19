// Ruby 3.4 start-up, side by side in one process, medians of several runs, for templates/ruby (reads
// stdin, json, two classes):
//   cold      the adapted ruby+stdlib.wasm compiled once (outside the clock): instantiate,
//             _initialize, wasm-runtime.init (boot the VM, load the app), run main
//   ours      the split pair from the pipeline's build, the engine compiled once (outside the
//             clock): link (compile + instantiate the app's data module, instantiate the engine), run
//   (also with the data module compiled once and kept, as runDist does for a dist loaded once)
//   ours mono our monolithic snapshot compiled once: instantiate, run
//   wizer     Wizer 11's monolithic snapshot of the same module and app, compiled once: instantiate, run
//   floor     a fresh WebAssembly.Memory of the snapshot's size and a copy of the same bytes
// Targets (issue 12): ours >= 20x faster than cold, faster than Wizer's snapshot started the same
// way, within 1.5x of the floor. The first start after compiling (V8 compiles functions lazily, on
// first call, and keeps them for later instances of the same module) is reported on its own.
//
//   npm run bench -- ruby        (from the root; builds the packages first)
//   RUBY_BENCH_ROUNDS=15 node bench/ruby.bench.mjs
//
// Wizer's snapshot takes ~25 s and ~600 MB to make; it is cached in .cache/bench/ruby.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { build } from '@wasm-runtime/pipeline';
import { buildRuby, RUBY_EXPORTS } from '@wasm-runtime/ruby';
import { link } from '@wasm-runtime/split';
import { WASI } from '@wasm-runtime/wasi';
import { benchStore, floorStart, loadPair, median, memoryImage, ms, REPO } from './lua/common.mjs';
import { WIZER_BIN } from './preinit/inputs.mjs';

const ROUNDS = Number(process.env.RUBY_BENCH_ROUNDS ?? 9);
const COLD_ROUNDS = Number(process.env.RUBY_BENCH_COLD_ROUNDS ?? 5);
const ARGS = ['--top', '3'];
const STDIN = new TextEncoder().encode('the quick brown fox jumps over the lazy dog\nthe dog sleeps\n');
const EXPECTED =
  '{"words":9,"top":[{"word":"dog","count":2},{"word":"brown","count":1},{"word":"fox","count":1}]}\n';

console.log(
  `machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; node ${process.version}; ${ROUNDS} runs of each (cold ${COLD_ROUNDS}), in blocks; medians\n`,
);

const store = benchStore();
const runtimePath = (await buildRuby({ store })).wasmPath;
const runtime = new Uint8Array(await readFile(runtimePath));
const work = join(REPO, '.cache', 'bench', 'ruby');
const app = join(work, 'words');
await rm(app, { recursive: true, force: true });
await mkdir(work, { recursive: true });
await cp(join(REPO, 'templates', 'ruby'), app, {
  recursive: true,
  filter: (src) => !/[/\\](node_modules|dist)$/.test(src),
});
const appRoot = join(app, 'src');
const t0 = performance.now();
const built = await build(app, { store });
console.log(`our build (fetch cached): ${ms((performance.now() - t0) / 1000)} s`);
const pair = await loadPair(built.outDir);
const filesDir = join(built.outDir, 'files', 'app');

// Wizer 11 on the same adapted module, the same init export and environment, the app at /app.
const wizerOut = join(work, `words.wizer-${built.manifest.runtime.sha256.slice(0, 12)}.wasm`);
if (!existsSync(wizerOut)) {
  const t = performance.now();
  const r = spawnSync(
    WIZER_BIN,
    [
      '--allow-wasi',
      '--inherit-env=true',
      '-f',
      RUBY_EXPORTS.init,
      '-r',
      `_start=${RUBY_EXPORTS.run}`,
      `--mapdir=/app::${appRoot}`,
      '-o',
      wizerOut,
      runtimePath,
    ],
    {
      env: { RUBY_APP_ENTRY: '/app/main.rb', RUBY_APP_ROOT: '/app', RUBY_APP_NAME: 'words' },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (r.status !== 0) throw new Error(`wizer failed (${r.status})`);
  console.log(`Wizer 11 snapshot made in ${ms((performance.now() - t) / 1000)} s`);
}
const wizerBytes = new Uint8Array(await readFile(wizerOut));

const sink = () => {};
const newWasi = (extra = {}) =>
  new WASI({ args: ['words', ...ARGS], env: {}, stdin: STDIN, stdout: sink, stderr: sink, ...extra });

async function coldStart(module, stdout = sink) {
  const wasi = newWasi({
    env: { RUBY_APP_ENTRY: '/app/main.rb', RUBY_APP_ROOT: '/app', RUBY_APP_NAME: 'words' },
    preopens: { '/app': { dir: appRoot, readOnly: true } },
    stdout,
  });
  const instance = await WebAssembly.instantiate(module, wasi.imports);
  const ex = instance.exports;
  return wasi.start({
    exports: {
      memory: ex.memory,
      _start() {
        ex._initialize();
        ex[RUBY_EXPORTS.init]();
        ex[RUBY_EXPORTS.run]();
      },
    },
  });
}

async function splitStart(engineModule, data, stdout = sink) {
  const wasi = newWasi({ preopens: { '/app': { dir: filesDir, readOnly: true } }, stdout });
  const { instance } = await link(engineModule, data, wasi.imports, { cache: null });
  return wasi.start(instance);
}

async function monoStart(module, stdout = sink) {
  const wasi = newWasi({ preopens: { '/app': { dir: filesDir, readOnly: true } }, stdout });
  const instance = await WebAssembly.instantiate(module, wasi.imports);
  return wasi.start(instance);
}

/** Runs a start once with its stdout captured: the benchmark only times starts that print the right thing. */
async function verified(label, start) {
  const chunks = [];
  const t = performance.now();
  const code = await start((c) => chunks.push(Buffer.from(c)));
  const elapsed = performance.now() - t;
  const out = Buffer.concat(chunks).toString();
  if (code !== 0 || out !== EXPECTED)
    throw new Error(`${label}: exit ${code}, printed ${JSON.stringify(out)}`);
  return elapsed;
}

const compileTimed = async (bytes) => {
  const t = performance.now();
  const module = await WebAssembly.compile(bytes);
  return { module, ms: performance.now() - t };
};
const runtimeC = await compileTimed(runtime);
const engineC = await compileTimed(pair.engine);
const monoC = await compileTimed(pair.snapshot);
const wizerC = await compileTimed(wizerBytes);
const keptData = new WebAssembly.Module(pair.data);
const image = memoryImage(pair.data);

// First start after each compile: lazily compiled functions are compiled here.
const first = {
  cold: await verified('cold', (o) => coldStart(runtimeC.module, o)),
  ours: await verified('ours', (o) => splitStart(engineC.module, pair.data, o)),
  mono: await verified('ours mono', (o) => monoStart(monoC.module, o)),
  wizer: await verified('wizer', (o) => monoStart(wizerC.module, o)),
};

const settle = async () => {
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 300));
};
const times = { cold: [], ours: [], kept: [], mono: [], wizer: [], floor: [] };
const block = async (key, rounds, start) => {
  await settle();
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await start();
    times[key].push(performance.now() - t);
  }
};
await block('cold', COLD_ROUNDS, () => coldStart(runtimeC.module));
await block('ours', ROUNDS, () => splitStart(engineC.module, pair.data));
await block('kept', ROUNDS, () => splitStart(engineC.module, keptData));
await block('mono', ROUNDS, () => monoStart(monoC.module));
await block('wizer', ROUNDS, () => monoStart(wizerC.module));
await block('floor', ROUNDS, () => floorStart(image));

const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
const rows = [
  ['cold (runtime compiled once)', m.cold, first.cold, runtimeC.ms, runtime.length],
  [
    'ours: split pair, engine compiled once',
    m.ours,
    first.ours,
    engineC.ms,
    pair.engine.length + pair.data.length,
  ],
  [
    'ours: split pair, data module kept',
    m.kept,
    undefined,
    engineC.ms,
    pair.engine.length + pair.data.length,
  ],
  ['ours: monolithic, compiled once', m.mono, first.mono, monoC.ms, pair.snapshot.length],
  ['Wizer 11: monolithic, compiled once', m.wizer, first.wizer, wizerC.ms, wizerBytes.length],
  ['floor: fresh memory + copy', m.floor, undefined, undefined, image.bytes],
];
console.log('| start | median ms | first start ms | compile ms (once) | bytes |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [label, med, f, c, bytes] of rows) {
  console.log(
    `| ${label} | ${ms(med)} | ${f === undefined ? '' : ms(f)} | ${c === undefined ? '' : ms(c)} | ${bytes.toLocaleString('en')} |`,
  );
}
const verdict = (ok) => (ok ? 'met' : 'MISSED');
console.log('');
console.log(
  `target: ours >= 20x faster than cold: ${(m.cold / m.ours).toFixed(1)}x, ${verdict(m.cold / m.ours >= 20)}`,
);
console.log(
  `target: ours faster than Wizer's snapshot started the same way: ${(m.wizer / m.ours).toFixed(2)}x, ${verdict(m.ours < m.wizer)}`,
);
console.log(
  `target: ours within 1.5x of the floor: ${(m.ours / m.floor).toFixed(2)}x, ${verdict(m.ours / m.floor <= 1.5)}`,
);
console.log(
  `memory: ${((image.pages * 65536) / 2 ** 20).toFixed(1)} MiB, ${(image.bytes / 2 ** 20).toFixed(1)} MiB of data segments copied per start`,
);
