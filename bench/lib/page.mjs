// Generates docs/benchmarks.md from results/latest.json and the hand-written prose of
// page/benchmarks.md: every `<!-- bench:NAME -->` line becomes that benchmark's tables, charts
// (SVG files beside the page), targets and checks; `<!-- bench:headline -->` the headline ratios;
// `<!-- bench:environment -->` the machines the results come from. Nothing else is generated.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { renderSvg } from './charts.mjs';
import { formatValue, renderTable, targetText } from './render.mjs';
import { BENCH_DIR, RESULTS_FILE, readResults } from './results.mjs';

export const TEMPLATE = join(BENCH_DIR, 'page', 'benchmarks.md');
/** Where the page goes: `BENCH_DOCS` (the fast test points it at a temporary directory) or docs/. */
export const DOCS_DIR = process.env.BENCH_DOCS ?? join(BENCH_DIR, '..', 'docs');

const MARKER = /^<!-- bench:([a-z0-9-]+) -->$/;

function environmentLine(r) {
  const e = r.environment;
  return (
    `<small>Measured ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC in ${r.durationS} s: Node ${e.node}, ` +
    `${e.cores} × ${e.cpu}, load average ${e.loadBefore[0]} before, ${e.loadAfter[0]} after` +
    `${r.quick ? '; **quick run (tiny counts): shapes only, not figures to read**' : ''}.</small>`
  );
}

async function section(r, chartsDir, pageDir, written) {
  const out = [environmentLine(r), ''];
  for (const t of r.tables) {
    if (t.title) out.push(`**${t.title}**`, '');
    out.push(renderTable(r, t), '');
    if (t.caption) out.push(t.caption, '');
  }
  for (const c of r.charts) {
    const file = join(chartsDir, `${r.name}-${c.id}.svg`);
    writeFileSync(file, await renderSvg(c));
    written.add(file);
    out.push(`![${c.title}](./${relative(pageDir, file).replaceAll('\\', '/')})`, '');
  }
  const targets = Object.values(r.targets);
  if (targets.length) {
    out.push('Targets:', '');
    for (const t of targets) out.push(`- ${t.label}: ${formatValue(t.value, t.unit)}, ${targetText(t)}`);
    out.push('');
  }
  const checks = Object.values(r.checks);
  if (checks.length) {
    out.push('Equivalence checks:', '');
    for (const c of checks)
      out.push(`- ${c.ok ? 'passed' : '**FAILED**'}: ${c.label}${c.detail ? ` (${c.detail})` : ''}`);
    out.push('');
  }
  for (const n of r.notes) out.push(n, '');
  return out.join('\n').trimEnd();
}

function headline(results) {
  const lines = [];
  for (const r of Object.values(results.benchmarks)) {
    for (const h of r.headline ?? []) {
      const ratio = r.ratios[h.ratio];
      if (!ratio) continue;
      const t = h.target ? r.targets[h.target] : undefined;
      lines.push(
        `| ${r.title} | ${h.label ?? ratio.label} | **${formatValue(ratio.value, 'x')}** | ${t ? targetText(t) : ''} |`,
      );
    }
  }
  if (lines.length === 0) return '_No results yet: run `npm run bench`._';
  return ['| benchmark | ratio | measured | target |', '| --- | --- | ---: | --- |', ...lines].join('\n');
}

function environments(results) {
  const rows = Object.values(results.benchmarks).map(
    (r) =>
      `| ${r.name} | ${r.startedAt.slice(0, 16).replace('T', ' ')} | ${r.durationS} s | ${r.environment.node} | ${r.environment.cores} × ${r.environment.cpu} | ${r.environment.loadBefore.join(' ')} | ${r.environment.loadAfter.join(' ')} |`,
  );
  if (rows.length === 0) return '';
  return [
    '| benchmark | measured (UTC) | took | Node | CPUs | load before (1/5/15 min) | load after |',
    '| --- | --- | ---: | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/**
 * Writes the page and its charts. Options: `results` (file), `template`, `docsDir` (the page is
 * `benchmarks.md` there, its charts in `charts/`). Returns the page's path.
 */
export async function generatePage({ results = RESULTS_FILE, template = TEMPLATE, docsDir = DOCS_DIR } = {}) {
  const data = readResults(results);
  const chartsDir = join(docsDir, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  const written = new Set();
  const used = new Set();
  const lines = readFileSync(template, 'utf8').split('\n');
  const out = [];
  for (const line of lines) {
    const m = MARKER.exec(line.trim());
    if (!m) {
      out.push(line);
      continue;
    }
    const name = m[1];
    if (name === 'headline') out.push(headline(data));
    else if (name === 'environment') out.push(environments(data));
    else {
      used.add(name);
      const r = data.benchmarks[name];
      out.push(
        r
          ? await section(r, chartsDir, docsDir, written)
          : `_Not measured yet: \`npm run bench -- ${name}\`._`,
      );
    }
  }
  const rest = Object.values(data.benchmarks).filter((r) => !used.has(r.name));
  for (const r of rest)
    out.push(
      '',
      `## ${r.title} (\`bench/${r.name}.bench.mjs\`)`,
      '',
      await section(r, chartsDir, docsDir, written),
    );
  // Charts of benchmarks that no longer exist (or no longer draw them) go.
  for (const f of existsSync(chartsDir) ? readdirSync(chartsDir) : []) {
    if (f.endsWith('.svg') && !written.has(join(chartsDir, f))) rmSync(join(chartsDir, f));
  }
  const page = join(docsDir, 'benchmarks.md');
  writeFileSync(page, `${out.join('\n').trimEnd()}\n`);
  return page;
}
