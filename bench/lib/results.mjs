// What a benchmark records: figures (medians with unit, runs and spread), ratios between them,
// targets (met or missed), equivalence checks, tables and charts that refer to them. `save()` merges
// the benchmark's result into results/latest.json by name, so running one benchmark keeps the
// others' last results and the generated page stays whole.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTable } from './render.mjs';
import { summarize } from './stats.mjs';

export const BENCH_DIR = fileURLToPath(new URL('../', import.meta.url));
/** Where results go: `BENCH_RESULTS` (the fast test points it at a temporary file) or results/latest.json. */
export const RESULTS_FILE = process.env.BENCH_RESULTS ?? join(BENCH_DIR, 'results', 'latest.json');
/** `BENCH_QUICK=1`: tiny iteration counts, for the test that keeps the harness from rotting. */
export const QUICK = process.env.BENCH_QUICK === '1';

/** A count of runs: `full` normally, `quick` under BENCH_QUICK, or the value of env var `name` when set. */
export function runs(name, full, quick = 1) {
  const set = process.env[name];
  if (set !== undefined && set !== '') return Number(set);
  return QUICK ? quick : full;
}

const load = () => loadavg().map((l) => Math.round(l * 100) / 100);

/** The machine a result was measured on. */
export function environment() {
  const cpu = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
  };
}

const OPS = { '>=': (a, b) => a >= b, '<=': (a, b) => a <= b, '<': (a, b) => a < b, '>': (a, b) => a > b };

export class BenchReport {
  /** @param {string} name the benchmark's name (its file is `<name>.bench.mjs`) @param {string} title */
  constructor(name, title) {
    this.name = name;
    this.title = title;
    this.startedAt = new Date().toISOString();
    this.t0 = performance.now();
    this.loadBefore = load();
    this.figures = {};
    this.ratios = {};
    this.targets = {};
    this.checks = {};
    this.tables = [];
    this.charts = [];
    this.notes = [];
    this.headline = [];
    this.settings = {};
    console.log(
      `${title}: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), load ${this.loadBefore.join(' ')}${QUICK ? ', QUICK (tiny counts: shapes only)' : ''}`,
    );
  }

  /** Records a figure from samples (or one value); returns its median. */
  figure(id, label, samples, unit) {
    if (this.figures[id]) throw new Error(`figure ${id} recorded twice`);
    this.figures[id] = { label, ...summarize(samples, unit) };
    return this.figures[id].value;
  }

  /** A ratio of two recorded figures (`num / den`); returns it. */
  ratio(id, label, num, den) {
    const a = this.figures[num];
    const b = this.figures[den];
    if (!a || !b) throw new Error(`ratio ${id}: no figure ${a ? den : num}`);
    const value = a.value / b.value;
    this.ratios[id] = { label, value, unit: 'x', num, den };
    return value;
  }

  /**
   * A ratio measured pairwise (one per round, each against a reference timed in the same round):
   * its value is the median of the per-round ratios, steadier on a loaded machine than a ratio of medians.
   */
  pairedRatio(id, label, samples, num, den) {
    const f = summarize(samples, 'x');
    this.ratios[id] = { label, ...f, num, den, paired: true };
    return f.value;
  }

  /** A target on a ratio or figure: `met` when `value op threshold`. */
  target(id, label, { ratio, figure, op, threshold }) {
    const of = ratio !== undefined ? this.ratios[ratio] : this.figures[figure];
    if (!of) throw new Error(`target ${id}: nothing recorded as ${ratio ?? figure}`);
    const met = OPS[op](of.value, threshold);
    this.targets[id] = {
      label,
      op,
      threshold,
      unit: of.unit,
      value: of.value,
      met,
      ...(ratio ? { ratio } : { figure }),
    };
    console.log(
      `target: ${label}: ${of.value.toFixed(2)}${of.unit === 'x' ? 'x' : ` ${of.unit}`} (${op} ${threshold}) ${met ? 'met' : 'MISSED'}`,
    );
    return met;
  }

  /** An equivalence check: what must hold whatever the timings (a failed one fails the run). */
  check(id, label, ok, detail = '') {
    this.checks[id] = { label, ok: Boolean(ok), detail };
    if (!ok) console.log(`CHECK FAILED: ${label}: ${detail}`);
    return ok;
  }

  /** A table of the page: columns, and rows of cells (text, or `{ figure | ratio | target: id }`). */
  table(table) {
    this.tables.push(table);
  }

  /** A chart of the page (see charts.mjs for the kinds). */
  chart(chart) {
    this.charts.push(chart);
  }

  note(text) {
    this.notes.push(text);
  }

  /** Writes the result into RESULTS_FILE (merged by name) and prints its tables; exit 1 on a failed check. */
  save() {
    const result = {
      name: this.name,
      title: this.title,
      quick: QUICK,
      startedAt: this.startedAt,
      durationS: Math.round((performance.now() - this.t0) / 100) / 10,
      environment: { ...environment(), loadBefore: this.loadBefore, loadAfter: load() },
      settings: this.settings,
      figures: this.figures,
      ratios: this.ratios,
      targets: this.targets,
      checks: this.checks,
      headline: this.headline,
      tables: this.tables,
      charts: this.charts,
      notes: this.notes,
    };
    for (const t of this.tables) console.log(`\n${t.title ? `${t.title}\n` : ''}${renderTable(result, t)}`);
    mergeResult(result);
    const failed = Object.values(this.checks).filter((c) => !c.ok);
    console.log(`\nsaved ${this.name} to ${RESULTS_FILE} (${result.durationS} s)`);
    if (failed.length) {
      console.error(`${failed.length} equivalence check(s) failed`);
      process.exitCode = 1;
    }
    return result;
  }
}

/** Reads a results file: `{ benchmarks: { name: result } }` (empty when there is none). */
export function readResults(file = RESULTS_FILE) {
  if (!existsSync(file)) return { benchmarks: {} };
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Puts one benchmark's result into the results file, keeping every other benchmark's. */
export function mergeResult(result, file = RESULTS_FILE) {
  const all = readResults(file);
  all.benchmarks = { ...all.benchmarks, [result.name]: result };
  all.updatedAt = new Date().toISOString();
  const sorted = Object.fromEntries(Object.entries(all.benchmarks).sort(([a], [b]) => a.localeCompare(b)));
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...all, benchmarks: sorted }, null, 2)}\n`);
  renameSync(tmp, file);
}
