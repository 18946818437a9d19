// Every benchmark run through run.mjs with tiny counts (BENCH_QUICK=1), its results into a temporary
// latest.json and its page into a temporary docs directory, so the harness cannot rot. Asserts the
// shapes of what each records and that its equivalence checks hold; never a timing.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bench-quick-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const resultsFile = join(dir, 'latest.json');
const docs = join(dir, 'docs');
const env = { ...process.env, BENCH_QUICK: '1', BENCH_RESULTS: resultsFile, BENCH_DOCS: docs };
// Minutes each on a busy 2-core machine: builds (cached after the first), Wizer, componentize-js.
const HEAVY = 1_500_000;

const names = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => f.replace(/\.bench\.mjs$/, ''))
  .sort();

function runBench(name) {
  const r = spawnSync(process.execPath, ['run.mjs', name], {
    cwd: here,
    env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0)
    throw new Error(
      `npm run bench -- ${name} failed (${r.status}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`,
    );
  return { ...r, results: JSON.parse(readFileSync(resultsFile, 'utf8')) };
}

/** What every result holds, whatever the benchmark. */
function expectShape(r, name) {
  expect(r.name).toBe(name);
  expect(r.quick).toBe(true);
  expect(r.environment).toMatchObject({
    node: process.version,
    cores: expect.any(Number),
    cpu: expect.any(String),
  });
  expect(r.environment.loadBefore).toHaveLength(3);
  expect(r.environment.loadAfter).toHaveLength(3);
  expect(Object.keys(r.figures).length).toBeGreaterThan(0);
  // Every benchmark's figures are drawn on the page, not only tabulated.
  expect(r.charts.length, `${name} draws no chart`).toBeGreaterThan(0);
  for (const [id, f] of Object.entries(r.figures)) {
    expect(f, id).toMatchObject({
      unit: expect.any(String),
      runs: expect.any(Number),
      label: expect.any(String),
    });
    for (const k of ['value', 'min', 'max', 'p25', 'p75'])
      expect(Number.isFinite(f[k]), `${id}.${k}`).toBe(true);
    expect(f.min <= f.value && f.value <= f.max, id).toBe(true);
  }
  for (const [id, ratio] of Object.entries(r.ratios)) {
    expect(Number.isFinite(ratio.value), id).toBe(true);
    expect(r.figures[ratio.num], `${id} numerator`).toBeDefined();
  }
  for (const [id, t] of Object.entries(r.targets)) expect(typeof t.met, id).toBe('boolean');
  // Equivalence checks are what must hold at any count.
  for (const [id, c] of Object.entries(r.checks)) expect(c.ok, `${id}: ${c.label}: ${c.detail}`).toBe(true);
  // Every cell of every table refers to something recorded.
  for (const t of r.tables) {
    for (const row of t.rows) {
      expect(row).toHaveLength(t.columns.length);
      for (const cell of row) {
        if (cell?.figure) expect(r.figures[cell.figure], cell.figure).toBeDefined();
        if (cell?.ratio) expect(r.ratios[cell.ratio], cell.ratio).toBeDefined();
        if (cell?.target) expect(r.targets[cell.target], cell.target).toBeDefined();
      }
    }
  }
  for (const c of r.charts) {
    expect(c.data.length, c.id).toBeGreaterThan(0);
    for (const d of c.data) expect(Number.isFinite(d.value), c.id).toBe(true);
  }
}

/** The start suite's ways, for each app; Wizer's where it made a snapshot, its refusal otherwise. */
function expectStarts(r, apps) {
  for (const app of apps) {
    for (const way of ['cold', 'mono', 'split', 'floor'])
      expect(r.figures[`${app}.${way}`], `${app}.${way}`).toBeDefined();
    expect(r.checks[`${app}.split`]).toBeDefined();
    expect(r.checks[`${app}.mono`]).toBeDefined();
    const wizer = r.figures[`${app}.wizer`] !== undefined;
    expect(
      wizer || r.notes.some((n) => n.includes('Wizer 11 refuses')),
      `${app}: Wizer's figure or its refusal`,
    ).toBe(true);
    if (wizer) expect(r.checks[`${app}.wizer`]).toBeDefined();
  }
  expect(r.figures['loop.cold']).toBeDefined();
  expect(r.figures['loop.split']).toBeDefined();
  expect(r.checks['loop.equivalent'].ok).toBe(true);
  expect(r.charts.map((c) => c.id)).toContain('start');
}

const seen = [];
describe.sequential('every benchmark, quick', () => {
  it('finds the benchmarks', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'lua',
        'python',
        'ruby',
        'spidermonkey',
        'preinit',
        'wasi',
        'split',
        'wasmtime',
        'workers',
        'pool',
        'browser',
        'run-limits',
      ]),
    );
  });

  for (const name of names) {
    it(
      name,
      () => {
        const { results, stdout } = runBench(name);
        expect(stdout).toMatch(/total: \d+ min \d+ s/);
        const r = results.benchmarks[name];
        expectShape(r, name);
        // Running one benchmark keeps the others' results.
        for (const other of seen) expect(results.benchmarks[other], other).toBeDefined();
        seen.push(name);
        if (name === 'lua') {
          expectStarts(r, ['hello', 'large']);
          expect(r.notes.join('\n')).toMatch(/Wizer 11 refuses.*exceptions/);
        }
        if (name === 'python') expectStarts(r, ['hello', 'large']);
        if (name === 'ruby') {
          expectStarts(r, ['words']);
          expect(r.figures['words.wizer']).toBeDefined();
        }
        if (name === 'spidermonkey') expectStarts(r, ['simple', 'graph']);
        if (name === 'preinit') {
          for (const who of ['own', 'ours']) expect(r.figures[`componentize.${who}.wall`]).toBeDefined();
          expect(r.checks.componentize.ok).toBe(true);
          expect(r.ratios['starlingmonkey.time']).toBeDefined();
          expect(r.notes.join('\n')).toMatch(/Wizer 11 fails.*exceptions/);
        }
        if (name === 'split') {
          for (const count of [1, 3])
            for (const way of ['split', 'mono']) expect(r.figures[`${count}.${way}.total`]).toBeDefined();
          expect(r.charts.map((c) => c.kind)).toEqual(['lines', 'lines']);
          expect(r.checks.engine.ok).toBe(true);
        }
        if (name === 'wasi') expect(r.figures['fd_write.devnull.node']).toBeDefined();
        if (name === 'pool')
          for (const part of ['copy', 'globals', 'host', 'reseed', 'main'])
            expect(r.figures[`hello.part.${part}`], part).toBeDefined();
      },
      HEAVY,
    );
  }

  it('the page shows every benchmark, with its charts', () => {
    const page = readFileSync(join(docs, 'benchmarks.md'), 'utf8');
    expect(page).not.toContain('Not measured yet');
    expect(page).not.toContain('<!-- bench:');
    expect(page).toContain('quick run (tiny counts)');
    const charts = readdirSync(join(docs, 'charts'));
    for (const c of [
      'lua-start.svg',
      'python-start.svg',
      'ruby-start.svg',
      'spidermonkey-start.svg',
      'split-time.svg',
      'split-memory.svg',
      'preinit-wall.svg',
    ]) {
      expect(charts).toContain(c);
      expect(page).toContain(`./charts/${c}`);
    }
  });
});
