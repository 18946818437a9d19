// Runs every benchmark in this folder (files named *.bench.mjs), one after the other, each in its own
// process so one benchmark's heap and JIT state never colour the next; each merges its result into
// results/latest.json by name. Then regenerates docs/benchmarks.md and its charts from that file.
// `npm run bench -- <name>...` runs some only (the others keep their last results on the page).
//
//   BENCH_QUICK=1 npm run bench      tiny counts: checks the harness, figures not worth reading

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatePage } from './lib/page.mjs';
import { RESULTS_FILE } from './lib/results.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f === `${o}.bench.mjs` || f.startsWith(o)))
  .sort();
if (benches.length === 0) {
  console.error(`no benchmark matches ${only.join(' ')}`);
  process.exit(1);
}
const t0 = performance.now();
const failed = [];
const took = [];
for (const file of benches) {
  const name = file.replace(/\.bench\.mjs$/, '');
  console.log(`\n## ${name}\n`);
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--expose-gc', file], { cwd: here, stdio: 'inherit' });
  took.push(`${name} ${((performance.now() - t) / 1000).toFixed(0)} s`);
  if (r.status !== 0) failed.push(name);
}
const page = await generatePage();
const total = (performance.now() - t0) / 1000;
console.log(`\nresults: ${RESULTS_FILE}\npage: ${page}`);
console.log(`per benchmark: ${took.join(', ')}`);
console.log(`total: ${Math.floor(total / 60)} min ${(total % 60).toFixed(0)} s`);
if (failed.length) console.error(`failed: ${failed.join(', ')}`);
process.exit(failed.length ? 1 : 0);
