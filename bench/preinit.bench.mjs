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
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchReport, QUICK, runs as runCount } from './lib/results.mjs';
import { REPO, WORK } from './lib/starts.mjs';
import { OURS_BIN, prepareInputs, WIZER_BIN } from './preinit/inputs.mjs';
import { HAVE_GNU_TIME, measure } from './preinit/measure.mjs';

process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning') console.warn(w);
});

const report = new BenchReport('preinit', 'Pre-initialization: ours against Wizer 11');
// A quick run leaves Ruby out (Wizer takes ~30 s and 600 MB on it; ruby.bench.mjs runs Wizer on Ruby).
const ONLY = (process.env.PREINIT_BENCH_INPUTS ?? (QUICK ? 'fixture,lua-hello,starlingmonkey' : ''))
  .split(',')
  .filter(Boolean);
const ROUNDS = process.env.PREINIT_BENCH_ROUNDS
  ? Number(process.env.PREINIT_BENCH_ROUNDS)
  : QUICK
    ? 1
    : undefined;
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
  rows.push({ input, ours: summary('ours'), wizer: summary('wizer'), failed, check, phases, samples: runs });
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

// ---- componentize-js's own build of a JS component (its bundled Wizer 10) against the same build
// with our pre-initializer (`wizerBin`), each a child process, alternating.
const requireFromRoot = createRequire(join(REPO, 'package.json'));
const OURS_WIZER_SH = join(
  dirname(requireFromRoot.resolve('@wasm-runtime/preinit/package.json')),
  'bin',
  'wasm-runtime-wizer',
);
const COMPONENTIZE_CHILD = fileURLToPath(new URL('./preinit/componentize-child.mjs', import.meta.url));
const C_ROUNDS = runCount('PREINIT_BENCH_COMPONENTIZE_ROUNDS', 2, 1);
const builds = { own: [], ours: [] };
const componentOut = { own: join(scratch, 'component.own.wasm'), ours: join(scratch, 'component.ours.wasm') };
process.stdout.write('\ncomponentize-js: ');
for (let round = 0; round < C_ROUNDS; round++) {
  for (const who of round % 2 === 0 ? ['own', 'ours'] : ['ours', 'own']) {
    const r = await measure(
      {
        command: process.execPath,
        args: [COMPONENTIZE_CHILD, componentOut[who], ...(who === 'ours' ? [OURS_WIZER_SH] : [])],
        node: true,
        output: componentOut[who],
        cwd: REPO,
        env: process.env,
      },
      scratch,
    );
    if (!r.ok) throw new Error(`componentize-js (${who}) failed: ${errorText(r.stderr)}`);
    builds[who].push(r);
    process.stdout.write(`${who} ${r.wallS.toFixed(2)}s `);
  }
}
process.stdout.write('\n');
const componentCheck = runCheck({
  fn: 'checkComponents',
  args: [componentOut.ours, componentOut.own, join(WORK, 'componentize-check')],
});
console.log(`componentize-js check: ${componentCheck}`);

// ---- results
const passed = (text) => /^(ok|same)\b/.test(text);
const toolRows = [];
const ratioRows = [];
const chart = [];
const WHO = { ours: 'ours', wizer: 'Wizer 11' };
for (const { input, failed, check, samples } of rows) {
  const id = input.id;
  for (const who of ['ours', 'wizer']) {
    if (failed[who]) {
      toolRows.push([
        input.label,
        WHO[who],
        `fails: ${failed[who].message.split(' | ').at(-1).trim()}`,
        '',
        '',
        '',
        '',
      ]);
      report.note(
        `${input.label}: ${WHO[who]} fails (exit ${failed[who].status}): \`${failed[who].message.replaceAll('`', "'")}\``,
      );
      continue;
    }
    const rs = samples[who];
    report.figure(
      `${id}.${who}.wall`,
      `${input.label}: ${WHO[who]} wall`,
      rs.map((r) => r.wallS),
      's',
    );
    if (rs.every((r) => r.cpuS !== undefined))
      report.figure(
        `${id}.${who}.cpu`,
        `${input.label}: ${WHO[who]} CPU`,
        rs.map((r) => r.cpuS),
        's',
      );
    if (rs.every((r) => r.rssMB !== undefined))
      report.figure(
        `${id}.${who}.rss`,
        `${input.label}: ${WHO[who]} peak RSS`,
        rs.map((r) => r.rssMB),
        'MiB',
      );
    report.figure(`${id}.${who}.size`, `${input.label}: ${WHO[who]} output`, rs.at(-1).outBytes, 'B');
    toolRows.push([
      input.label,
      WHO[who],
      { figure: `${id}.${who}.wall` },
      { figure: `${id}.${who}.cpu` },
      { figure: `${id}.${who}.rss` },
      { figure: `${id}.${who}.size` },
      String(rs.length),
    ]);
    chart.push({
      group: input.label,
      series: WHO[who],
      value: report.figures[`${id}.${who}.wall`].value,
      highlight: who === 'ours',
    });
  }
  report.check(
    id,
    `${input.label}: the snapshots behave alike`,
    passed(check) || check.startsWith('skipped'),
    check,
  );
  if (failed.ours || failed.wizer) continue;
  report.ratio(`${id}.time`, `${input.label}: wall, ours / Wizer`, `${id}.ours.wall`, `${id}.wizer.wall`);
  if (report.figures[`${id}.ours.cpu`] && report.figures[`${id}.wizer.cpu`])
    report.ratio(`${id}.cpu`, `${input.label}: CPU, ours / Wizer`, `${id}.ours.cpu`, `${id}.wizer.cpu`);
  if (report.figures[`${id}.ours.rss`] && report.figures[`${id}.wizer.rss`])
    report.ratio(`${id}.rss`, `${input.label}: peak RSS, ours / Wizer`, `${id}.ours.rss`, `${id}.wizer.rss`);
  report.ratio(`${id}.size`, `${input.label}: output, ours / Wizer`, `${id}.ours.size`, `${id}.wizer.size`);
  report.target(`${id}.time`, `${input.label}: ours ≤ 0.5x Wizer's wall time`, {
    ratio: `${id}.time`,
    op: '<=',
    threshold: TARGET_TIME,
  });
  report.target(`${id}.size`, `${input.label}: ours ≤ Wizer's output size`, {
    ratio: `${id}.size`,
    op: '<=',
    threshold: TARGET_SIZE,
  });
  ratioRows.push([
    input.label,
    { ratio: `${id}.time` },
    report.ratios[`${id}.cpu`] ? { ratio: `${id}.cpu` } : '—',
    report.ratios[`${id}.rss`] ? { ratio: `${id}.rss` } : '—',
    { ratio: `${id}.size` },
    { target: `${id}.time` },
    { target: `${id}.size` },
  ]);
}
const C = { own: "componentize-js's own (Wizer 10)", ours: 'componentize-js + ours (wizerBin)' };
for (const who of ['own', 'ours']) {
  const rs = builds[who];
  report.figure(
    `componentize.${who}.wall`,
    `${C[who]}: wall`,
    rs.map((r) => r.wallS),
    's',
  );
  if (rs.every((r) => r.cpuS !== undefined))
    report.figure(
      `componentize.${who}.cpu`,
      `${C[who]}: CPU`,
      rs.map((r) => r.cpuS),
      's',
    );
  if (rs.every((r) => r.rssMB !== undefined))
    report.figure(
      `componentize.${who}.rss`,
      `${C[who]}: peak RSS`,
      rs.map((r) => r.rssMB),
      'MiB',
    );
  report.figure(`componentize.${who}.size`, `${C[who]}: component`, rs.at(-1).outBytes, 'B');
  toolRows.push([
    'JS component (componentize-js 0.23)',
    C[who],
    { figure: `componentize.${who}.wall` },
    { figure: `componentize.${who}.cpu` },
    { figure: `componentize.${who}.rss` },
    { figure: `componentize.${who}.size` },
    String(rs.length),
  ]);
  chart.push({
    group: 'componentize-js build',
    series: who === 'own' ? 'its own Wizer' : 'ours',
    value: report.figures[`componentize.${who}.wall`].value,
    highlight: who === 'ours',
  });
}
report.check(
  'componentize',
  'componentize-js: the component built with ours answers like its own',
  passed(componentCheck),
  componentCheck,
);
report.ratio(
  'componentize.time',
  'componentize-js build, wall: with ours / its own',
  'componentize.ours.wall',
  'componentize.own.wall',
);
if (report.figures['componentize.ours.cpu'] && report.figures['componentize.own.cpu'])
  report.ratio(
    'componentize.cpu',
    'componentize-js build, CPU: with ours / its own',
    'componentize.ours.cpu',
    'componentize.own.cpu',
  );
report.ratio(
  'componentize.size',
  'componentize-js build, size: with ours / its own',
  'componentize.ours.size',
  'componentize.own.size',
);
report.target('componentize.time', 'componentize-js build with ours no slower than its own', {
  ratio: 'componentize.time',
  op: '<=',
  threshold: 1,
});
ratioRows.push([
  'JS component, componentize-js build (with ours / its own)',
  { ratio: 'componentize.time' },
  report.ratios['componentize.cpu'] ? { ratio: 'componentize.cpu' } : '—',
  '—',
  { ratio: 'componentize.size' },
  { target: 'componentize.time' },
  '',
]);
report.figure('node', "Node's own start (`node -e 0`)", nodeFloor, 's');
report.settings.rounds = ROUNDS ?? 'small inputs 5, large 3';
report.table({
  title: 'Each tool (medians; wall and CPU in s, peak RSS)',
  columns: ['input', 'tool', 'wall', 'CPU', 'peak RSS', 'output', 'runs'],
  rows: toolRows,
});
report.table({
  title: 'Ours against the reference',
  columns: ['input', 'wall', 'CPU', 'peak RSS', 'size', 'time target', 'size target'],
  rows: ratioRows,
});
report.chart({
  id: 'wall',
  kind: 'bars',
  title: 'Pre-initialization wall time (s, medians; each input on its own scale)',
  unit: 's',
  data: chart.map((d) => ({ ...d, label: `${d.value.toFixed(2)} s` })),
});
const sm = rows.find((r) => r.input.id === 'starlingmonkey');
if (sm && report.ratios['starlingmonkey.time'])
  report.headline.push({
    ratio: 'starlingmonkey.time',
    label: 'pre-initializing StarlingMonkey: ours / Wizer 11 wall',
    target: 'starlingmonkey.time',
  });
if (report.ratios['ruby.time'])
  report.headline.push({
    ratio: 'ruby.time',
    label: 'pre-initializing Ruby: ours / Wizer 11 wall',
    target: 'ruby.time',
  });
report.headline.push({
  ratio: 'componentize.time',
  label: 'componentize-js build: with ours / its own',
  target: 'componentize.time',
});
report.save();
