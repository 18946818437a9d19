// Apps in headless Chromium (Debian's /usr/bin/chromium), through the example page
// (examples/browser) as a user sees it: the page's own timings (performance.now() in the page).
//   load  loadDistFromUrl: fetch the manifest, the engine (compiled while it downloads), the data
//         module and the run-time files from 127.0.0.1, verify their sha256s, compile
//   run   one click of Run: a fresh instance of the snapshot (WASI host, link the split pair,
//         reseed, main) with stdin typed into the page
// for templates/lua and templates/python, built into the bench's cache.
//
//   npm run bench -- browser        (from the root; builds the packages first)
//   BROWSER_BENCH_RUNS=50 node bench/browser.bench.mjs

import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from '@wasm-runtime/pipeline';
import { openBrowserExample } from '../packages/pipeline/test/support/browser-example.mjs';
import { BenchReport, runs } from './lib/results.mjs';
import { benchStore, REPO } from './lib/starts.mjs';

const report = new BenchReport('browser', 'Apps in a browser (headless Chromium)');
const RUNS = runs('BROWSER_BENCH_RUNS', 20, 2);
const scratch = join(REPO, '.cache', 'bench', 'browser');
const STDIN = 'the cat and the hat sat on the mat\n';

const dists = {};
for (const lang of ['lua', 'python']) {
  const app = join(scratch, lang);
  await rm(app, { recursive: true, force: true });
  await mkdir(app, { recursive: true });
  await cp(join(REPO, 'templates', lang), app, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|dist)$/.test(src),
  });
  dists[lang] = (await build(app, { store: benchStore() })).outDir;
}

const rows = [];
const example = await openBrowserExample(dists, { timeout: 120_000 });
try {
  for (const lang of Object.keys(dists)) {
    const status = await example.status(lang);
    const load = Number(/loaded in (\d+) ms/.exec(status.text ?? '')?.[1]);
    const page = await example.page(lang);
    const times = [];
    let ok = true;
    let detail = '';
    for (let i = 0; i < RUNS; i++) {
      const result = await example.run(lang, { stdin: STDIN });
      if (!result.ok || result.exitCode !== 0) {
        ok = false;
        detail = `exit ${result.exitCode}: ${result.stderr}`;
        break;
      }
      times.push(Number(/took ([\d.]+) ms/.exec((await page.textContent('#status')) ?? '')?.[1]));
    }
    report.check(`${lang}.runs`, `templates/${lang}: every click exited 0`, ok, detail);
    if (!ok) continue;
    report.figure(`${lang}.load`, `templates/${lang}: load the dist`, [load], 'ms');
    report.figure(`${lang}.run`, `templates/${lang}: one run (a fresh instance)`, times, 'ms');
    rows.push([`templates/${lang}`, { figure: `${lang}.load` }, { figure: `${lang}.run` }]);
  }
} finally {
  await example.close();
}
report.settings = { runs: RUNS };
report.table({
  title: 'In the example page (examples/browser), timed by the page',
  columns: ['app', 'load (fetch, verify, compile)', 'one run, median'],
  rows,
});
report.chart({
  id: 'runs',
  kind: 'bars',
  title: 'In the page: loading a dist, and one run (ms; each on its own scale)',
  unit: 'ms',
  data: Object.keys(dists).flatMap((lang) =>
    report.figures[`${lang}.run`] === undefined
      ? []
      : [
          {
            group: 'load the dist',
            series: `templates/${lang}`,
            value: report.figures[`${lang}.load`].value,
          },
          { group: 'one run', series: `templates/${lang}`, value: report.figures[`${lang}.run`].value },
        ].map((d) => ({ ...d, label: d.value.toFixed(1), highlight: false })),
  ),
});
report.save();
