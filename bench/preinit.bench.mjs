// Our pre-initializer (`wasm-runtime-wizer`, @wasm-runtime/preinit on V8) against Wizer 11 (the
// native binary from npm), side by side in one run, with the same flags, each spawned as a child
// process: wall time, CPU time and peak RSS (GNU time), output size; several rounds, interleaved,
// medians. Inputs: a small .wat fixture, Lua 5.4 (hello and a ~5,000-line app), StarlingMonkey
// (componentize-js's engine and wizer invocation) and Ruby 3.4 from npm. Then a light equivalence
// check of the snapshots and, for ours, the per-phase report of one in-process run.
//
//   node bench/run.mjs preinit                  (npm run bench -- preinit from the root)
//   PREINIT_BENCH_INPUTS=fixture,lua-hello node bench/preinit.bench.mjs
//   PREINIT_BENCH_ROUNDS=1 node bench/preinit.bench.mjs   (one round of everything)
//
// Rounds: 5 for small inputs, 3 for large ones; a tool whose first run takes more than
// PREINIT_BENCH_SLOW_S (10) seconds runs once only, and the table says so. Uses the network on the
// first run (componentize-js from the npm registry); cached afterwards.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OURS_BIN, prepareInputs, WIZER_BIN } from './preinit/inputs.mjs';
import { HAVE_GNU_TIME, measure } from './preinit/measure.mjs';

process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning') console.warn(w);
});

const ONLY = (process.env.PREINIT_BENCH_INPUTS ?? '').split(',').filter(Boolean);
const ROUNDS = process.env.PREINIT_BENCH_ROUNDS ? Number(process.env.PREINIT_BENCH_ROUNDS) : undefined;
const SLOW_S = Number(process.env.PREINIT_BENCH_SLOW_S ?? 10);
const PHASES = process.env.PREINIT_BENCH_PHASES !== '0';
const TARGET_TIME = 0.5;
const TARGET_SIZE = 1.0;
const CHECK_RUNNER = fileURLToPath(new URL('./preinit/check-runner.mjs', import.meta.url));
const PHASES_SCRIPT = fileURLToPath(new URL('./preinit/phases.mjs', import.meta.url));

const scratch = mkdtempSync(join(tmpdir(), 'preinit-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

const median = (xs) => {
  const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Wizer's message without its Rust backtrace. */
function errorText(stderr) {
  const cut = stderr.indexOf('Stack backtrace:');
  const text = (cut >= 0 ? stderr.slice(0, cut) : stderr).trim();
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.slice(-6).join(' | ');
}

/** Runs a check of checks.mjs in a child process; a crash there is reported, not fatal. */
function runCheck(spec) {
  if (spec === undefined) return 'skipped: a tool failed';
  const r = spawnSync(process.execPath, [CHECK_RUNNER, JSON.stringify(spec)], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  return `FAIL: the check process ended with ${r.signal ?? `exit ${r.status}`}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`;
}

const tools = {
  ours: (input, output) => ({
    command: process.execPath,
    args: [OURS_BIN, ...input.flags, '-o', output, input.input],
    node: true,
  }),
  wizer: (input, output) => ({
    command: WIZER_BIN,
    args: [...input.flags, '-o', output, input.input],
    node: false,
  }),
};

console.log(`our bin: ${OURS_BIN}`);
console.log(`Wizer:   ${WIZER_BIN} (11.0.3)`);
console.log(
  `machine: ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ` +
    `RSS and CPU from ${HAVE_GNU_TIME ? '/usr/bin/time -v' : 'a resourceUsage wrapper / VmHWM sampling'}\n`,
);

// The floor under any Node tool: starting a bare Node process.
const nodeFloor = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  nodeFloor.push((performance.now() - t) / 1000);
}

const inputs = await prepareInputs(scratch, ONLY);
const rows = [];
for (const input of inputs) {
  const planned = ROUNDS ?? (input.large ? 3 : 5);
  process.stdout.write(`${input.id}: `);
  const runs = { ours: [], wizer: [] };
  const outputs = {
    ours: join(scratch, `${input.id}.ours.wasm`),
    wizer: join(scratch, `${input.id}.wizer.wasm`),
  };
  const failed = {};
  const roundsOf = { ours: planned, wizer: planned };
  for (let round = 0; round < planned; round++) {
    // Alternate who goes first, so a drift in the machine's load falls on both.
    const order = round % 2 === 0 ? ['ours', 'wizer'] : ['wizer', 'ours'];
    for (const who of order) {
      if (failed[who] || runs[who].length >= roundsOf[who]) continue;
      const r = await measure(
        {
          ...tools[who](input, outputs[who]),
          output: outputs[who],
          cwd: input.cwd,
          env: input.env,
          stdin: input.stdin,
        },
        scratch,
      );
      if (!r.ok) {
        failed[who] = { status: r.status, message: errorText(r.stderr), wallS: r.wallS, rssMB: r.rssMB };
        process.stdout.write(`${who} FAILED (${r.wallS.toFixed(2)} s) `);
        continue;
      }
      runs[who].push(r);
      if (round === 0 && r.wallS > SLOW_S) roundsOf[who] = 1;
      process.stdout.write(`${who} ${r.wallS.toFixed(2)}s `);
    }
  }
  process.stdout.write('\n');
  const summary = (who) =>
    failed[who]
      ? undefined
      : {
          wallS: median(runs[who].map((r) => r.wallS)),
          cpuS: median(runs[who].map((r) => r.cpuS)),
          rssMB: median(runs[who].map((r) => r.rssMB)),
          outBytes: runs[who].at(-1)?.outBytes,
          rounds: runs[who].length,
        };
  const check = runCheck(
    input.check(failed.ours ? undefined : outputs.ours, failed.wizer ? undefined : outputs.wizer),
  );
  let phases;
  if (PHASES && !failed.ours) {
    const p = spawnSync(
      process.execPath,
      [PHASES_SCRIPT, ...input.flags, '-o', join(scratch, 'phases.wasm'), input.input],
      {
        cwd: input.cwd,
        env: input.env,
        input: input.stdin ?? '',
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    try {
      phases = JSON.parse(p.stdout.trim().split('\n').at(-1));
    } catch {
      phases = { error: (p.stderr || p.stdout).slice(0, 300) };
    }
  }
  rows.push({ input, ours: summary('ours'), wizer: summary('wizer'), failed, check, phases });
}

// ---- report
const f = (x, d = 2) => (x === undefined ? '—' : x.toFixed(d));
const pad = (s, n) => String(s).padEnd(n);
const padl = (s, n) => String(s).padStart(n);
const header = [
  pad('input', 16),
  padl('ours s', 7),
  padl('cpu s', 6),
  padl('MB RSS', 7),
  padl('out B', 10),
  padl('n', 2),
  ' │',
  padl('Wizer s', 8),
  padl('cpu s', 6),
  padl('MB RSS', 7),
  padl('out B', 10),
  padl('n', 2),
  ' │',
  padl('time', 6),
  padl('cpu', 6),
  padl('size', 6),
  padl('RSS', 6),
  '  targets (time ≤ 0.5x, size ≤ 1.0x)',
].join(' ');
console.log(`\n${header}\n${'─'.repeat(header.length)}`);
for (const { input, ours, wizer, failed } of rows) {
  const cells = (s, fail) =>
    s
      ? [
          padl(f(s.wallS), 7),
          padl(f(s.cpuS), 6),
          padl(f(s.rssMB, 0), 7),
          padl(s.outBytes ?? '—', 10),
          padl(s.rounds, 2),
        ]
      : [
          padl('FAIL', 7),
          padl('', 6),
          padl(fail?.rssMB ? f(fail.rssMB, 0) : '', 7),
          padl('', 10),
          padl('', 2),
        ];
  const tRatio = ours && wizer ? ours.wallS / wizer.wallS : undefined;
  const sRatio = ours && wizer ? ours.outBytes / wizer.outBytes : undefined;
  const mRatio = ours && wizer && ours.rssMB && wizer.rssMB ? ours.rssMB / wizer.rssMB : undefined;
  const cRatio = ours?.cpuS && wizer?.cpuS ? ours.cpuS / wizer.cpuS : undefined;
  let verdict;
  if (!ours) verdict = 'MISS: ours fails';
  else if (!wizer) verdict = 'n/a: Wizer fails, ours alone';
  else
    verdict = `time ${tRatio <= TARGET_TIME ? 'PASS' : 'MISS'}, size ${sRatio <= TARGET_SIZE ? 'PASS' : 'MISS'}`;
  console.log(
    [
      pad(input.id, 16),
      ...cells(ours, failed.ours),
      ' │',
      ...cells(wizer, failed.wizer).map((c, i) => (i === 0 ? padl(c.trim(), 8) : c)),
      ' │',
      padl(tRatio ? `${tRatio.toFixed(2)}x` : '—', 6),
      padl(cRatio ? `${cRatio.toFixed(2)}x` : '—', 6),
      padl(sRatio ? `${sRatio.toFixed(3)}x` : '—', 6),
      padl(mRatio ? `${mRatio.toFixed(2)}x` : '—', 6),
      ` ${verdict}`,
    ].join(' '),
  );
}
console.log(
  '\ns: median wall time of the child process; cpu s: median user+sys; n: rounds; ratios: ours / Wizer (cpu: of the CPU times, steadier than wall times on a loaded machine; targets apply to wall time).',
);
console.log(
  `Node's own startup (\`node -e 0\`, median of 5): ${f(median(nodeFloor), 3)} s, inside every time of ours.`,
);
const slow = rows.flatMap(({ input, ours, wizer }) =>
  [
    ['ours', ours],
    ['Wizer', wizer],
  ]
    .filter(([, s]) => s && s.rounds === 1 && (ROUNDS ?? 2) > 1)
    .map(([who]) => `${input.id}/${who}`),
);
if (slow.length) console.log(`one round only (first run over ${SLOW_S} s): ${slow.join(', ')}`);

console.log('\nInputs, failures, equivalence:');
for (const { input, failed, check } of rows) {
  console.log(`- ${input.id}: ${input.label}; flags: ${input.flags.join(' ')}`);
  for (const [who, fail] of Object.entries(failed)) {
    console.log(`    ${who} failed (exit ${fail.status}, ${fail.wallS.toFixed(2)} s): ${fail.message}`);
  }
  if (failed.wizer && input.note) console.log(`    (${input.note})`);
  console.log(`    check: ${check}`);
}

if (PHASES) {
  console.log(
    '\nOurs, per phase (ms, one in-process run; total: after module loading, arguments to report):',
  );
  const names = [
    'read',
    'parse',
    'instrument',
    'compile',
    'instantiate',
    'init',
    'snapshot',
    'rewrite',
    'write',
  ];
  console.log(
    [pad('input', 16), ...names.map((n) => padl(n, 10)), padl('total', 8), padl('segments', 9)].join(' '),
  );
  for (const { input, phases } of rows) {
    if (!phases) continue;
    if (phases.error) {
      console.log(`${pad(input.id, 16)} error: ${phases.error}`);
      continue;
    }
    console.log(
      [
        pad(input.id, 16),
        ...names.map((n) => padl(f(phases.timings[n], 0), 10)),
        padl(f(phases.totalMs, 0), 8),
        padl(phases.dataSegments, 9),
      ].join(' '),
    );
  }
}
console.log(
  `\nload average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
