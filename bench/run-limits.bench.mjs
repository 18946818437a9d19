// What bounding a run costs: `run` (the CLI's API, in this process) of a small WASI command with no
// limit, with maxMemory (its memory type rewritten before compiling), and with a timeout (a worker
// thread per run, terminated at the deadline). Interleaved rounds, medians; the unbounded run is the
// path every run without limits takes, unchanged by the limits' code (loaded only when asked for).
//
//   node bench/run.mjs run-limits        (npm run bench -- run-limits from the root)

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@wasm-runtime/cli';
import wabtInit from 'wabt';
import { BenchReport, runs } from './lib/results.mjs';

const report = new BenchReport('run-limits', 'What a bounded run costs');
const ROUNDS = runs('LIMITS_BENCH_ROUNDS', 30, 2);

// Touches a few pages and reads its arguments: a command that does a little real work.
const WAT = `(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (memory (export "memory") 4)
  (func (export "_start") (local $i i32)
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (loop $l
      (i32.store (local.get $i) (local.get $i))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4096))) (i32.const 262144))))))`;

const wabt = await wabtInit();
const dir = mkdtempSync(join(tmpdir(), 'limits-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const module = join(dir, 'small.wasm');
writeFileSync(module, new Uint8Array(wabt.parseWat('small.wat', WAT).toBinary({}).buffer));

const base = { module, args: [], env: {}, dirs: [] };
const cases = [
  ['no limit (in this thread)', base],
  ['maxMemory 16 MiB (in this thread)', { ...base, maxMemory: 16 * 2 ** 20 }],
  ['timeout 10 s (worker thread)', { ...base, timeout: 10_000 }],
  ['timeout + maxMemory (worker thread)', { ...base, timeout: 10_000, maxMemory: 16 * 2 ** 20 }],
];
const samples = cases.map(() => []);
for (const [, options] of cases) if ((await run(options)) !== 0) throw new Error('the guest failed');
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < cases.length; i++) {
    const t0 = performance.now();
    await run(cases[i][1]);
    samples[i].push(performance.now() - t0);
  }
}
const ids = ['none', 'maxMemory', 'timeout', 'both'];
for (const [i, [name]] of cases.entries()) report.figure(ids[i], name, samples[i], 'ms');
const rows = cases.map(([name], i) => {
  if (i > 0) report.ratio(`${ids[i]}/none`, `${name} / no limit`, ids[i], 'none');
  return [name, { figure: ids[i] }, i > 0 ? { ratio: `${ids[i]}/none` } : ''];
});
report.settings = { rounds: ROUNDS };
report.table({
  title: `ms per run (compile + instantiate + run; ${ROUNDS} interleaved rounds, medians)`,
  columns: ['run', 'time', 'vs no limit'],
  rows,
});
report.chart({
  id: 'runs',
  kind: 'bars',
  title: 'A run of a small command, bounded and not (ms)',
  unit: 'ms',
  data: cases.map(([name], i) => ({
    group: 'a run',
    series: name,
    value: report.figures[ids[i]].value,
    label: report.figures[ids[i]].value.toFixed(2),
    highlight: i === 0,
  })),
});
report.save();
