// The cost of one WASI call from wasm, ours (@wasm-runtime/wasi) against node:wasi and against a bare
// wasm→JS import, measured side by side in this process: a .wat module (assembled with wabt here)
// loops N times over one import; several rounds, interleaved, medians reported.
//
//   node bench/run.mjs wasi            (npm run bench -- wasi from the root)
//   WASI_BENCH_N=1000000 node --expose-gc bench/wasi.bench.mjs   (a quicker run)

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { WASI as NodeWASI } from 'node:wasi';
import { WASI } from '@wasm-runtime/wasi';
import wabtInit from 'wabt';
import { BenchReport, runs } from './lib/results.mjs';

const report = new BenchReport('wasi', 'WASI host calls: ours against node:wasi');

const N = runs('WASI_BENCH_N', 10_000_000, 10_000);
// Writes to a real file cost a system call each (~0.2-1 µs), so they loop fewer times.
const N_FILE = Math.max(1, Math.floor(N / 10));
const ROUNDS = runs('WASI_BENCH_ROUNDS', 5, 1);
// Which hosts to time: WASI_BENCH_HOSTS=ours or =node to time one alone.
const HOSTS = (process.env.WASI_BENCH_HOSTS ?? 'ours,node').split(',');

const WAT = `
(module
  (import "bare" "inc" (func $inc (param i32) (result i32)))
  (import "bare" "i64" (func $i64 (param i32 i64 i32) (result i32)))
  (import "bare" "i32" (func $i32 (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; iovec at 0 = { buf 16, len 1 }; the byte at 16; nwritten at 8; results at 64+
  (data (i32.const 0) "\\10\\00\\00\\00\\01\\00\\00\\00")
  (data (i32.const 16) "x")
  (func (export "_start"))
  (func (export "bare") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (call $inc (local.get $acc)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $acc))
  ;; Context for clock_time_get: a JS import with an i64 parameter (V8 passes a new BigInt per call),
  ;; and the same call through a wasm function that drops the i64 before calling JS.
  (func (export "i64_param") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (drop (call $i64 (i32.const 1) (i64.const 1) (i32.const 64)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.const 0))
  (func $drop_i64 (param i32 i64 i32) (result i32) (call $i32 (local.get 0) (local.get 2)))
  (func (export "i64_trampoline") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (drop (call $drop_i64 (i32.const 1) (i64.const 1) (i32.const 64)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.const 0))
  (func (export "clock_time_get") (param $n i32) (result i32) (local $i i32) (local $err i32)
    (loop $l
      (local.set $err (i32.or (local.get $err) (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 64))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $err))
  (func (export "args_sizes_get") (param $n i32) (result i32) (local $i i32) (local $err i32)
    (loop $l
      (local.set $err (i32.or (local.get $err) (call $args_sizes_get (i32.const 64) (i32.const 68))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $err))
  (func (export "fd_fdstat_get") (param $n i32) (param $fd i32) (result i32) (local $i i32) (local $err i32)
    (loop $l
      (local.set $err (i32.or (local.get $err) (call $fd_fdstat_get (local.get $fd) (i32.const 64))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $err))
  (func (export "fd_write") (param $n i32) (param $fd i32) (result i32) (local $i i32) (local $err i32)
    (loop $l
      (local.set $err (i32.or (local.get $err) (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $err))
  ;; open(dirfd, path at 128 of len) with the fd_write right, created and truncated: the new fd, or -errno
  (func (export "open") (param $dirfd i32) (param $len i32) (result i32) (local $err i32)
    (local.set $err (call $path_open (local.get $dirfd) (i32.const 0) (i32.const 128) (local.get $len)
      (i32.const 9) (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 96)))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.load (i32.const 96))))))
`;

const wabt = await wabtInit();
const bytes = wabt.parseWat('wasi.bench.wat', WAT).toBinary({}).buffer;
const module = await WebAssembly.compile(new Uint8Array(bytes));
const bare = { inc: (x) => x + 1, i64: (a, _b, c) => a + c - a - c, i32: (a, c) => a + c - a - c };

const dir = mkdtempSync(join(tmpdir(), 'wasi-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const args = ['bench', 'a', 'bb'];
const env = { A: '1' };
const preopens = { '/tmp': dir, '/dev': '/dev' };

// Our host: stdout (fd 1) into its in-memory buffer, stderr (fd 2) to a callback that keeps nothing.
const ours = new WASI({ args, env, preopens, stdout: 'buffer', stderr: () => {}, stdin: 'ignore' });
const oursInstance = await WebAssembly.instantiate(module, { ...ours.imports, bare });
ours.initialize?.(oursInstance);
ours.bindMemory?.(oursInstance.exports.memory);

const nodeWasi = new NodeWASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
const nodeInstance = await WebAssembly.instantiate(module, { ...nodeWasi.getImportObject(), bare });
// node:wasi binds memory in start()/initialize(); initialize() refuses a module with _start, so bind by
// a throwaway start of the empty _start.
nodeWasi.start(nodeInstance);

// Preopens are fds 3 (/tmp) and 4 (/dev) in both hosts, in the order given.
const open = (instance, dirfd, name) => {
  const mem = new Uint8Array(instance.exports.memory.buffer);
  const encoded = new TextEncoder().encode(name);
  mem.set(encoded, 128);
  const fd = instance.exports.open(dirfd, encoded.length);
  if (fd < 0) throw new Error(`path_open ${name} failed with errno ${-fd}`);
  return fd;
};
const fds = {
  ours: { null: open(oursInstance, 4, 'null'), file: open(oursInstance, 3, 'ours.bin') },
  node: { null: open(nodeInstance, 4, 'null'), file: open(nodeInstance, 3, 'node.bin') },
};

/** ns per call of one loop, checking the guest saw no error. */
function time(fn, n, ...rest) {
  const t0 = process.hrtime.bigint();
  const result = fn(n, ...rest);
  const t1 = process.hrtime.bigint();
  // The bare loop returns its counter; every WASI loop returns the OR of the errnos it got.
  if (fn !== oursInstance.exports.bare && result !== 0)
    throw new Error(`a WASI call returned errno ${result}`);
  return Number(t1 - t0) / n;
}

const o = oursInstance.exports;
const v = nodeInstance.exports;
const cases = [
  { id: 'bare', name: 'bare wasm→JS import (x+1)' },
  {
    id: 'clock_time_get',
    name: 'clock_time_get',
    ours: () => time(o.clock_time_get, N),
    node: () => time(v.clock_time_get, N),
    vsBare: 2,
  },
  {
    id: 'args_sizes_get',
    name: 'args_sizes_get',
    ours: () => time(o.args_sizes_get, N),
    node: () => time(v.args_sizes_get, N),
    vsBare: 2,
  },
  {
    id: 'fd_fdstat_get',
    name: 'fd_fdstat_get (stdout)',
    ours: () => time(o.fd_fdstat_get, N, 1),
    node: () => time(v.fd_fdstat_get, N, 1),
    vsBare: 2,
  },
  {
    id: 'fd_write.buffer',
    name: "fd_write 1 B, in-memory ('buffer')",
    ours: () => time(o.fd_write, N, 1),
    absNs: 30,
  },
  // A callback receives a copy it may keep (the host's documented contract): shown, no target.
  { id: 'fd_write.callback', name: 'fd_write 1 B, callback sink', ours: () => time(o.fd_write, N, 2) },
  {
    id: 'fd_write.devnull',
    name: 'fd_write 1 B, /dev/null',
    ours: () => time(o.fd_write, N_FILE, fds.ours.null),
    node: () => time(v.fd_write, N_FILE, fds.node.null),
    vsNode: 1,
  },
  {
    id: 'fd_write.file',
    name: 'fd_write 1 B, temp file',
    ours: () => time(o.fd_write, N_FILE, fds.ours.file),
    node: () => time(v.fd_write, N_FILE, fds.node.file),
    vsNode: 1,
  },
];

console.log(
  `N = ${N} calls per loop (${N_FILE} for real files), ${ROUNDS} rounds, medians; Node ${process.version}`,
);
for (const c of cases) {
  if (!HOSTS.includes('ours')) delete c.ours;
  if (!HOSTS.includes('node')) delete c.node;
}
// Warm-up: every loop tiered up before anything is timed.
time(o.bare, N);
for (const c of cases) {
  c.ours?.();
  globalThis.gc?.();
  c.node?.();
}

// Each case is timed next to its own bare-import loop in the same round, so ratios compare runs made
// under the same machine load; the table shows medians of the per-round ratios.
// With both hosts timed in one process, Node 20.20 died in the third round with a V8 fatal error
// (a freed object on this function's stack); with either host timed alone it never did. The loops
// in which our host allocates leave garbage-collection work under way when a node:wasi loop starts;
// a full GC before each node:wasi loop (the runner passes --expose-gc) made the crash go away.
function measure() {
  const samples = new Map(
    cases.map((c) => [c, { ours: [], node: [], bare: [], oursBare: [], oursNode: [] }]),
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) {
      const s = samples.get(c);
      const bareNs = time(o.bare, N);
      s.bare.push(bareNs);
      if (c.ours) s.ours.push(c.ours());
      globalThis.gc?.();
      if (c.node) s.node.push(c.node());
      if (c.ours) s.oursBare.push(s.ours.at(-1) / bareNs);
      if (c.ours && c.node) s.oursNode.push(s.ours.at(-1) / s.node.at(-1));
    }
    // Keep the temp files from growing across rounds.
    writeFileSync(join(dir, 'ours.bin'), '');
    writeFileSync(join(dir, 'node.bin'), '');
  }
  return samples;
}
const samples = measure();

const median = (xs) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const fmt = (x, digits = 1) => (x === null ? '—' : x.toFixed(digits));
const ratio = (x) => (x === null ? '—' : `${x.toFixed(2)}x`);
const rows = [];
let misses = 0;
for (const c of cases) {
  const s = samples.get(c);
  const oursNs = median(s.ours);
  const oursBare = median(s.oursBare);
  const oursNode = median(s.oursNode);
  let target = '';
  let verdict = '';
  if (c.vsBare) {
    target = `≤ ${c.vsBare.toFixed(1)}x bare`;
    verdict = oursBare <= c.vsBare ? 'PASS' : 'MISS';
  } else if (c.absNs) {
    target = `≤ ${c.absNs} ns`;
    verdict = oursNs <= c.absNs ? 'PASS' : 'MISS';
  } else if (c.vsNode) {
    target = `≤ ${c.vsNode.toFixed(1)}x node:wasi`;
    verdict = oursNode <= c.vsNode ? 'PASS' : 'MISS';
  }
  if (verdict === 'MISS') misses++;
  rows.push([
    c.name,
    fmt(oursNs),
    fmt(median(s.node)),
    fmt(median(s.bare)),
    ratio(oursBare),
    ratio(oursNode),
    target,
    verdict,
  ]);
}
const header = ['call', 'ours ns', 'node:wasi ns', 'bare ns', 'ours/bare', 'ours/node', 'target', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => `| ${r.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const r of rows) console.log(line(r));

// Allocation on the hot path: the heap growth over a loop too short to trigger a scavenge, and the
// number of garbage collections during a full loop (none when nothing is allocated per call).
async function allocation(label, fn, n, ...rest) {
  let gcs = 0;
  const observer = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  globalThis.gc?.();
  const short = 100_000;
  const before = process.memoryUsage().heapUsed;
  fn(short, ...rest);
  const perCall = (process.memoryUsage().heapUsed - before) / short;
  await new Promise((r) => setTimeout(r, 10));
  gcs = 0;
  fn(n, ...rest);
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  return { label, perCall, gcs, n };
}
if (!globalThis.gc)
  console.log('\n(without --expose-gc: no GC between hosts, see measure(), and a rougher allocation check)');
console.log('\nallocation on the hot path (heap growth per call over 100k calls; GCs during a full loop):');
const allocs = [
  await allocation('bare import', o.bare, N),
  await allocation('ours clock_time_get', o.clock_time_get, N),
  await allocation('node:wasi clock_time_get', v.clock_time_get, N),
  await allocation('ours args_sizes_get', o.args_sizes_get, N),
  await allocation('ours fd_fdstat_get', o.fd_fdstat_get, N, 1),
  await allocation("ours fd_write 'buffer'", o.fd_write, N, 1),
  await allocation('ours fd_write callback', o.fd_write, N, 2),
  await allocation('ours fd_write temp file', o.fd_write, N_FILE, fds.ours.file),
  await allocation('node:wasi fd_write temp file', v.fd_write, N_FILE, fds.node.file),
];
for (const a of allocs) {
  console.log(
    `  ${a.label.padEnd(30)} ${a.perCall.toFixed(2).padStart(7)} B/call   ${a.gcs} GCs in ${a.n} calls`,
  );
}
// What a JS clock_time_get cannot avoid on this Node: the clock source, and the BigInt V8 makes for
// its i64 `precision` parameter (a wasm trampoline that drops it avoids that).
console.log('\ncontext for clock_time_get (ns per call, GCs during the loop):');
const jsLoop = (fn) => (n) => {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += fn();
  return sum > 0 ? 0 : 1;
};
const context = [
  ['performance.now() from JS', jsLoop(() => performance.now())],
  ['Date.now() from JS', jsLoop(() => Date.now())],
  ['wasm → JS import with an i64 param', o.i64_param],
  ['the same through a wasm trampoline', o.i64_trampoline],
];
for (const [label, fn] of context) {
  fn(N / 10);
  const a = await allocation(label, fn, N);
  const t0 = process.hrtime.bigint();
  fn(N);
  const ns = Number(process.hrtime.bigint() - t0) / N;
  console.log(`  ${label.padEnd(36)} ${ns.toFixed(1).padStart(6)} ns   ${a.gcs} GCs in ${N} calls`);
}

// Deterministic mode, timed last: a second host of ours shares the imports' optimized code with the
// first and would colour every row above if it ran earlier.
const detWasi = new WASI({ args, env, stdout: 'buffer', deterministic: true });
const detInstance = await WebAssembly.instantiate(module, { ...detWasi.imports, bare });
detWasi.bindMemory(detInstance.exports.memory);
{
  const det = detInstance.exports.clock_time_get;
  time(det, N);
  const ratios = [];
  const nss = [];
  for (let round = 0; round < ROUNDS; round++) {
    const bareNs = time(o.bare, N);
    nss.push(time(det, N));
    ratios.push(nss.at(-1) / bareNs);
  }
  const a = await allocation('deterministic', det, N);
  console.log(
    `\nclock_time_get, deterministic mode: ${fmt(median(nss))} ns (${ratio(median(ratios))} bare), ${a.perCall.toFixed(2)} B/call, ${a.gcs} GCs in ${N} calls`,
  );
  report.figure('deterministic.ours', 'clock_time_get, deterministic mode: ours', nss, 'ns');
  report.pairedRatio(
    'deterministic.ours/bare',
    'clock_time_get, deterministic mode: ours / bare',
    ratios,
    'deterministic.ours',
    'bare',
  );
}

console.log(`\n${misses === 0 ? 'all targets met' : `${misses} target(s) missed`}`);

// ---- results
const tableRows = [];
const chart = [];
for (const c of cases) {
  const s = samples.get(c);
  if (c.id === 'bare') {
    report.figure('bare', 'bare wasm→JS import', s.bare, 'ns');
    continue;
  }
  if (s.ours.length) report.figure(`${c.id}.ours`, `${c.name}: ours`, s.ours, 'ns');
  if (s.node.length) report.figure(`${c.id}.node`, `${c.name}: node:wasi`, s.node, 'ns');
  if (s.oursBare.length)
    report.pairedRatio(`${c.id}.ours/bare`, `${c.name}: ours / bare`, s.oursBare, `${c.id}.ours`, 'bare');
  if (s.oursNode.length)
    report.pairedRatio(
      `${c.id}.ours/node`,
      `${c.name}: ours / node:wasi`,
      s.oursNode,
      `${c.id}.ours`,
      `${c.id}.node`,
    );
  let target = '';
  if (c.vsBare && s.oursBare.length) {
    report.target(c.id, `${c.name}: ours ≤ ${c.vsBare}x a bare import`, {
      ratio: `${c.id}.ours/bare`,
      op: '<=',
      threshold: c.vsBare,
    });
    target = { target: c.id };
  } else if (c.absNs && s.ours.length) {
    report.target(c.id, `${c.name}: ours ≤ ${c.absNs} ns`, {
      figure: `${c.id}.ours`,
      op: '<=',
      threshold: c.absNs,
    });
    target = { target: c.id };
  } else if (c.vsNode && s.oursNode.length) {
    report.target(c.id, `${c.name}: ours no slower than node:wasi`, {
      ratio: `${c.id}.ours/node`,
      op: '<=',
      threshold: c.vsNode,
    });
    target = { target: c.id };
  }
  const cell = (kind, id) => (kind[id] ? { [kind === report.figures ? 'figure' : 'ratio']: id } : '—');
  tableRows.push([
    c.name,
    cell(report.figures, `${c.id}.ours`),
    cell(report.figures, `${c.id}.node`),
    cell(report.ratios, `${c.id}.ours/bare`),
    cell(report.ratios, `${c.id}.ours/node`),
    target,
  ]);
  for (const [who, label] of [
    ['ours', 'ours'],
    ['node', 'node:wasi'],
  ]) {
    const f = report.figures[`${c.id}.${who}`];
    if (f)
      chart.push({
        group: c.name,
        series: label,
        value: f.value,
        label: `${f.value.toFixed(1)} ns`,
        highlight: who === 'ours',
      });
  }
}
if (report.figures['deterministic.ours'])
  tableRows.push([
    'clock_time_get, deterministic mode',
    { figure: 'deterministic.ours' },
    '—',
    { ratio: 'deterministic.ours/bare' },
    '—',
    '',
  ]);
report.settings = { calls: N, fileCalls: N_FILE, rounds: ROUNDS };
report.table({
  title: `ns per call (${N.toLocaleString('en')} calls per loop, ${N_FILE.toLocaleString('en')} for real files; ratios: medians of per-round ratios)`,
  columns: ['call', 'ours', 'node:wasi', 'ours / bare', 'ours / node:wasi', 'target'],
  rows: tableRows,
});
report.chart({
  id: 'calls',
  kind: 'bars',
  title: 'ns per call, ours against node:wasi (each call on its own scale)',
  unit: 'ns',
  data: chart,
});
if (report.ratios['fd_fdstat_get.ours/node'])
  report.headline.push({ ratio: 'fd_fdstat_get.ours/node', label: 'WASI fd_fdstat_get: ours / node:wasi' });
if (report.ratios['fd_write.devnull.ours/node'])
  report.headline.push({
    ratio: 'fd_write.devnull.ours/node',
    label: 'WASI fd_write to /dev/null: ours / node:wasi',
    target: 'fd_write.devnull',
  });
report.save();
