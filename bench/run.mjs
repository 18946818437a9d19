// Runs every benchmark in this folder (files named *.bench.mjs), one after the other, each in its own
// process so one benchmark's heap and JIT state never colour the next. `npm run bench -- <name>` runs one.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
if (benches.length === 0) {
  console.error(`no benchmark matches ${only.join(' ')}`);
  process.exit(1);
}
let failed = 0;
for (const file of benches) {
  console.log(`\n## ${file.replace(/\.bench\.mjs$/, '')}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', file], { cwd: here, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
