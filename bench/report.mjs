// Regenerates docs/benchmarks.md and its charts from results/latest.json without running anything.
//
//   node bench/report.mjs

import { generatePage } from './lib/page.mjs';

console.log(`wrote ${await generatePage()}`);
