// The start benchmark every runtime shares (lua, python, ruby, spidermonkey .bench.mjs): each app
// started every way (cold, Wizer's monolithic snapshot where Wizer makes one, ours monolithic, our
// split pair with the engine compiled once, the floor), each way first run once with its output
// captured and compared with the cold start's, then timed in blocks; and the throughput check: a
// CPU-bound entry timed cold and from the split snapshot (a snapshot must not slow a program down).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatValue } from './render.mjs';
import { runs } from './results.mjs';
import {
  capture,
  coldStart,
  floorStart,
  memoryImage,
  monoStart,
  splitStart,
  WORK,
  writeApp,
} from './starts.mjs';

const settle = async () => {
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 200));
};

async function block(n, fn) {
  await settle();
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

const SHORT = { cold: 'cold', wizer: 'Wizer mono', mono: 'ours mono', split: 'ours split', floor: 'floor' };
const WAYS = {
  cold: 'cold',
  wizer: 'Wizer 11 monolithic',
  mono: 'ours monolithic',
  split: 'ours split (engine cached)',
  floor: 'floor (fresh memory + copy)',
};

/**
 * @param {import('./results.mjs').BenchReport} report
 * @param {object} o
 * @param {string} o.prefix        the rounds' env var prefix (LUA_BENCH → LUA_BENCH_ROUNDS)
 * @param {Array<{ key: string, label: string, app: object, pair: object, cold: object,
 *   wizer?: { path?: string, error?: string }, normalize?: (s: string) => string }>} o.apps
 * @param {object} [o.wasi]        more WASI options for every start (preview2 names)
 * @param {number} [o.rounds] @param {number} [o.coldRounds]
 */
export async function measureStarts(report, { prefix, apps, wasi = {}, rounds = 10, coldRounds = rounds }) {
  const R = runs(`${prefix}_ROUNDS`, rounds, 1);
  const RC = runs(`${prefix}_COLD_ROUNDS`, coldRounds, 1);
  const FLOOR_REPS = runs(`${prefix}_FLOOR_REPS`, 10, 1);
  report.settings.rounds = R;
  report.settings.coldRounds = RC;
  const rows = [];
  const chart = [];
  for (const a of apps) {
    const engine = await WebAssembly.compile(a.pair.engine);
    const mono = await WebAssembly.compile(a.pair.snapshot);
    const wizer = a.wizer?.path ? await WebAssembly.compile(readFileSync(a.wizer.path)) : undefined;
    const image = memoryImage(a.pair.data);
    const ways = {
      cold: (io) => coldStart(a.cold, a.app, io),
      ...(wizer ? { wizer: (io) => monoStart(wizer, a.pair, a.app, io, wasi) } : {}),
      mono: (io) => monoStart(mono, a.pair, a.app, io, wasi),
      split: (io) => splitStart(engine, a.pair, a.app, io, wasi),
    };
    // Every way once, its output captured: only starts that behave like the cold one are timed.
    const norm = a.normalize ?? ((s) => s);
    const seen = {};
    for (const [way, start] of Object.entries(ways)) {
      const io = capture();
      const { code } = await start(io);
      seen[way] = { code, stdout: norm(io.text().stdout) };
    }
    for (const way of Object.keys(ways).filter((w) => w !== 'cold')) {
      const same = seen[way].code === seen.cold.code && seen[way].stdout === seen.cold.stdout;
      report.check(
        `${a.key}.${way}`,
        `${a.label}: ${WAYS[way]} prints what cold prints`,
        same && seen.cold.code === 0,
        same
          ? `exit ${seen.cold.code}, ${seen.cold.stdout.length} B of stdout`
          : `cold exit ${seen.cold.code} ${JSON.stringify(seen.cold.stdout.slice(0, 80))}, ${way} exit ${seen[way].code} ${JSON.stringify(seen[way].stdout.slice(0, 80))}`,
      );
    }
    const times = {};
    times.cold = await block(RC, () => ways.cold());
    if (ways.wizer) times.wizer = await block(R, () => ways.wizer());
    times.mono = await block(R, () => ways.mono());
    times.split = await block(R, () => ways.split());
    times.floor = (
      await block(R, () => {
        for (let i = 0; i < FLOOR_REPS; i++) floorStart(image);
      })
    ).map((t) => t / FLOOR_REPS);
    for (const [way, samples] of Object.entries(times)) {
      report.figure(`${a.key}.${way}`, `${a.label}: ${WAYS[way]}`, samples, 'ms');
      const value = report.figures[`${a.key}.${way}`].value;
      chart.push({
        group: a.label,
        series: SHORT[way],
        value,
        label: formatValue(value, 'ms'),
        highlight: way === 'split',
      });
    }
    report.figure(`${a.key}.memory`, `${a.label}: snapshot memory`, (image.pages * 65536) / 2 ** 20, 'MiB');
    report.figure(`${a.key}.data`, `${a.label}: data copied per start`, image.bytes, 'B');
    report.figure(`${a.key}.dataModule`, `${a.label}: data module`, a.pair.data.length, 'B');
    report.figure(`${a.key}.engine`, `${a.label}: engine`, a.pair.engine.length, 'B');
    report.ratio(`${a.key}.cold/split`, `${a.label}: cold / ours split`, `${a.key}.cold`, `${a.key}.split`);
    report.ratio(
      `${a.key}.cold/mono`,
      `${a.label}: cold / ours monolithic`,
      `${a.key}.cold`,
      `${a.key}.mono`,
    );
    report.ratio(
      `${a.key}.split/floor`,
      `${a.label}: ours split / floor`,
      `${a.key}.split`,
      `${a.key}.floor`,
    );
    if (times.wizer)
      report.ratio(
        `${a.key}.wizer/split`,
        `${a.label}: Wizer monolithic / ours split`,
        `${a.key}.wizer`,
        `${a.key}.split`,
      );
    if (a.wizer?.error)
      report.note(`${a.label}: Wizer 11 refuses this module: \`${a.wizer.error.replaceAll('`', "'")}\``);
    rows.push([
      a.label,
      { figure: `${a.key}.cold` },
      times.wizer ? { figure: `${a.key}.wizer` } : a.wizer?.error ? 'refuses' : '—',
      { figure: `${a.key}.mono` },
      { figure: `${a.key}.split` },
      { figure: `${a.key}.floor` },
      { ratio: `${a.key}.cold/split` },
      { ratio: `${a.key}.split/floor` },
      times.wizer ? { ratio: `${a.key}.wizer/split` } : '—',
      { figure: `${a.key}.memory`, spread: false },
    ]);
  }
  report.table({
    title: 'Start (ms, medians; ± is half the interquartile range)',
    columns: [
      'app',
      'cold',
      'Wizer 11 mono',
      'ours mono',
      'ours split',
      'floor',
      'cold / split',
      'split / floor',
      'Wizer / split',
      'memory',
    ],
    rows,
  });
  report.chart({
    id: 'start',
    kind: 'bars',
    title: 'Start time by way (ms, medians; each app on its own scale)',
    unit: 'ms',
    data: chart,
  });
}

/**
 * Throughput sanity: the same CPU-bound entry (the runtime's loop program, `iterations` long)
 * timed cold and from the split snapshot (the entry's call alone, init excluded); outputs must match
 * and the snapshot must not be slower. `prepare(name, root)` builds a dist and loads its pair;
 * `coldSpec(root, name)` gives the cold start's spec.
 */
export async function measureThroughput(
  report,
  { prefix, runtime, name, iterations, prepare, coldSpec, wasi = {}, rounds = 5 },
) {
  const R = runs(`${prefix}_LOOP_ROUNDS`, rounds, 1);
  const n = runs(`${prefix}_LOOP_N`, iterations, 5_000);
  const root = await loopApp(runtime, n);
  const app = { name: 'loop', args: [] };
  const pair = await prepare('loop', root);
  const cold = await coldSpec(root, 'loop');
  const label = `${name}: ${n.toLocaleString('en')} iterations`;
  const engine = await WebAssembly.compile(pair.engine);
  const a = capture();
  const b = capture();
  const c = await coldStart(cold, app, a);
  const s = await splitStart(engine, pair, app, b, wasi);
  const same = c.code === s.code && a.text().stdout === b.text().stdout;
  report.check(
    'loop.equivalent',
    `${label}: the loop prints the same cold and from the snapshot`,
    same && c.code === 0,
    `cold ${JSON.stringify(a.text().stdout.trim())}, snapshot ${JSON.stringify(b.text().stdout.trim())}`,
  );
  // Warm-ups of both: V8 tiers a hot function up for its next call (wasm has no on-stack
  // replacement), and the cold runtime module may already be warm from the start benchmark.
  for (let i = 0; i < runs(`${prefix}_LOOP_WARMUP`, 2, 0); i++) {
    await coldStart(cold, app);
    await splitStart(engine, pair, app, undefined, wasi);
  }
  const coldRuns = [];
  const snapRuns = [];
  await settle();
  for (let i = 0; i < R; i++) {
    coldRuns.push((await coldStart(cold, app)).runMs);
    snapRuns.push((await splitStart(engine, pair, app, undefined, wasi)).runMs);
  }
  report.figure('loop.cold', `${label}: loop, cold`, coldRuns, 'ms');
  report.figure('loop.split', `${label}: loop, from the snapshot`, snapRuns, 'ms');
  report.ratio('loop.split/cold', `${label}: loop from the snapshot / cold`, 'loop.split', 'loop.cold');
  report.target('loop', `${label}: a snapshot does not slow the loop down`, {
    ratio: 'loop.split/cold',
    op: '<=',
    threshold: 1.1,
  });
  report.table({
    title: 'Throughput: a CPU-bound loop (the entry call alone, ms)',
    columns: ['program', 'cold', 'from the snapshot', 'snapshot / cold', 'target'],
    rows: [
      [
        label,
        { figure: 'loop.cold' },
        { figure: 'loop.split' },
        { ratio: 'loop.split/cold' },
        { target: 'loop' },
      ],
    ],
  });
}

/** The throughput program per runtime: a CPU-bound loop of `n` iterations printing its checksum. */
const LOOPS = {
  lua: (n) => [
    'main.lua',
    `local M = {}\nfunction M.main(args)\n  local acc = 0\n  for i = 1, ${n} do acc = (acc * 31 + i) % 1000003 end\n  print(acc)\n  return 0\nend\nreturn M\n`,
  ],
  python: (n) => [
    'main.py',
    `def main():\n    acc = 0\n    for i in range(1, ${n} + 1):\n        acc = (acc * 31 + i) % 1000003\n    print(acc)\n`,
  ],
  ruby: (n) => [
    'main.rb',
    `def main(argv)\n  acc = 0\n  i = 1\n  while i <= ${n}\n    acc = (acc * 31 + i) % 1000003\n    i += 1\n  end\n  puts acc\n  0\nend\n`,
  ],
  spidermonkey: (n) => [
    'main.js',
    `export function main() {\n  let acc = 0;\n  for (let i = 1; i <= ${n}; i++) acc = (acc * 31 + i) % 1000003;\n  console.log(acc);\n}\n`,
  ],
};

/** Writes the runtime's loop program (its count baked into the source) and returns its directory. */
export function loopApp(runtime, n) {
  const [file, text] = LOOPS[runtime](n);
  return writeApp(join(WORK, runtime, 'loop-src'), { [file]: text });
}
