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
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { build } from '@wasm-runtime/pipeline';
import { openBrowserExample } from '../packages/pipeline/test/support/browser-example.mjs';
import { benchStore, median, ms, REPO } from './lua/common.mjs';

const RUNS = Number(process.env.BROWSER_BENCH_RUNS ?? 20);
const scratch = join(REPO, '.cache', 'bench', 'browser');

console.log(
  `machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ${RUNS} clicks per app\n`,
);

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

const example = await openBrowserExample(dists, { timeout: 120_000 });
try {
  console.log('| app | load (ms) | run p50 (ms) | run min | run max |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const lang of Object.keys(dists)) {
    const status = await example.status(lang);
    const load = Number(/loaded in (\d+) ms/.exec(status.text ?? '')?.[1]);
    const page = await example.page(lang);
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const result = await example.run(lang, { stdin: 'the cat and the hat sat on the mat\n' });
      if (!result.ok || result.exitCode !== 0) throw new Error(`${lang}: ${result.stderr}`);
      runs.push(Number(/took ([\d.]+) ms/.exec((await page.textContent('#status')) ?? '')?.[1]));
    }
    console.log(
      `| templates/${lang} | ${load} | ${ms(median(runs))} | ${ms(Math.min(...runs))} | ${ms(Math.max(...runs))} |`,
    );
  }
} finally {
  await example.close();
}
