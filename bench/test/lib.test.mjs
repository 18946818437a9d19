// The results file, the page generator and the charts, on results made up here.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSvg } from '../lib/charts.mjs';
import { generatePage } from '../lib/page.mjs';
import { cellText, formatValue, renderTable } from '../lib/render.mjs';
import { mergeResult, readResults } from '../lib/results.mjs';
import { median, summarize } from '../lib/stats.mjs';

const dir = mkdtempSync(join(tmpdir(), 'bench-lib-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function result(name, value) {
  return {
    name,
    title: `The ${name} benchmark`,
    quick: false,
    startedAt: '2026-12-06T10:00:00.000Z',
    durationS: 1.5,
    environment: { node: 'v20.20.2', cpu: 'CPU', cores: 2, loadBefore: [1, 1, 1], loadAfter: [2, 1, 1] },
    settings: {},
    figures: {
      cold: { label: 'cold', ...summarize([value * 10, value * 11, value * 12], 'ms') },
      snap: { label: 'snap', ...summarize([value, value, value * 2], 'ms') },
    },
    ratios: { speedup: { label: 'cold / snap', value: 11, unit: 'x', num: 'cold', den: 'snap' } },
    targets: {
      speedup: {
        label: 'at least 20x',
        op: '>=',
        threshold: 20,
        unit: 'x',
        value: 11,
        met: false,
        ratio: 'speedup',
      },
    },
    checks: { same: { label: 'same output', ok: true, detail: 'exit 0' } },
    headline: [{ ratio: 'speedup', label: `${name}: cold / snapshot`, target: 'speedup' }],
    tables: [
      {
        title: 'Start',
        columns: ['app', 'cold', 'snap', 'ratio', 'target'],
        rows: [['a', { figure: 'cold' }, { figure: 'snap' }, { ratio: 'speedup' }, { target: 'speedup' }]],
      },
    ],
    charts: [
      {
        id: 'start',
        kind: 'bars',
        title: 'Start',
        unit: 'ms',
        data: [
          { group: 'a', series: 'cold', value: value * 11 },
          { group: 'a', series: 'snap', value },
        ],
      },
    ],
    notes: ['A note.'],
  };
}

describe('figures', () => {
  it('summarizes samples with their spread', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(summarize([1, 2, 3, 4, 100], 'ms')).toEqual({
      value: 3,
      unit: 'ms',
      runs: 5,
      min: 1,
      max: 100,
      p25: 2,
      p75: 4,
    });
    expect(summarize(42, 'B')).toMatchObject({ value: 42, runs: 1, min: 42, max: 42 });
    expect(() => summarize([], 'ms')).toThrow(/finite/);
    expect(() => summarize([Number.NaN], 'ms')).toThrow(/finite/);
  });

  it('renders ratios in bold and targets as met or missed', () => {
    const r = result('x', 1);
    expect(formatValue(1234.5, 'ms')).toBe('1,235 ms');
    expect(formatValue(0.0456, 'ms')).toBe('0.046 ms');
    expect(formatValue(26.93, 'x')).toBe('26.9x');
    expect(formatValue(21849, 'B')).toBe('21,849 B');
    expect(cellText(r, { ratio: 'speedup' })).toBe('**11.0x**');
    expect(cellText(r, { target: 'speedup' })).toBe('≥ 20x: **missed**');
    expect(cellText(r, { figure: 'cold' })).toMatch(/^11.0 ms ±\d/);
    expect(cellText(r, { figure: 'missing' })).toBe('—');
    const table = renderTable(r, r.tables[0]).split('\n');
    expect(table[0]).toBe('| app | cold | snap | ratio | target |');
    expect(table).toHaveLength(3);
  });
});

describe('the results file', () => {
  it('merges one benchmark in by name, keeping the others', () => {
    const file = join(dir, 'merge', 'latest.json');
    mergeResult(result('a', 1), file);
    mergeResult(result('b', 2), file);
    mergeResult(result('a', 3), file);
    const all = readResults(file);
    expect(Object.keys(all.benchmarks)).toEqual(['a', 'b']);
    expect(all.benchmarks.a.figures.snap.value).toBe(3);
    expect(all.benchmarks.b.figures.snap.value).toBe(2);
  });
});

describe('the page', () => {
  it('fills the template from the results, draws the charts, keeps the prose', async () => {
    const file = join(dir, 'page', 'latest.json');
    mergeResult(result('alpha', 1), file);
    mergeResult(result('stray', 2), file);
    const template = join(dir, 'template.md');
    writeFileSync(
      template,
      '# Title\n\nProse.\n\n<!-- bench:headline -->\n\n## Alpha\n\n<!-- bench:alpha -->\n\n## Beta\n\n<!-- bench:beta -->\n\n<!-- bench:environment -->\n',
    );
    const docs = join(dir, 'docs');
    const page = readFileSync(await generatePage({ results: file, template, docsDir: docs }), 'utf8');
    expect(page).toContain('# Title\n\nProse.');
    expect(page).toContain(
      '| The alpha benchmark | alpha: cold / snapshot | **11.0x** | ≥ 20x: **missed** |',
    );
    expect(page).toContain('![Start](./charts/alpha-start.svg)');
    expect(page).toContain('- passed: same output (exit 0)');
    expect(page).toContain('_Not measured yet: `npm run bench -- beta`._');
    // A benchmark the template does not name still gets a section.
    expect(page).toContain('## The stray benchmark (`bench/stray.bench.mjs`)');
    expect(page).not.toContain('<!-- bench:');
    const svg = readFileSync(join(docs, 'charts', 'alpha-start.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('snap');
  });

  it('draws lines of a metric against a count', async () => {
    const svg = await renderSvg({
      id: 'lines',
      kind: 'lines',
      title: 'Time against apps',
      unit: 'ms',
      xTitle: 'apps',
      data: [1, 10, 100].flatMap((x) => [
        { x, series: 'split', value: x },
        { x, series: 'mono', value: x * 5 },
      ]),
    });
    expect(svg).toContain('<svg');
    expect(svg).toContain('Time against apps');
    expect(svg).toContain('mono');
  });
});
