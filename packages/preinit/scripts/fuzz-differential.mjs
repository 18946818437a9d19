#!/usr/bin/env node
// Runs the differential fuzz test (test/differential-fuzz.test.ts: binaryen's wasm-opt -ttf modules
// through wasm-runtime-wizer and the real Wizer 11) on fresh seeds instead of the committed ones.
//
//   node scripts/fuzz-differential.mjs [--from N] [--count N] [--out DIR]
//
// --from: the first seed (default: one derived from the time, printed); --count: how many modules
// (default 1000); --out: where each diverging module is written as <seed>.wasm. Needs wasm-opt
// (binaryen) and the Wizer binary (the root's optional dependency). Exits as vitest does.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { from: { type: 'string' }, count: { type: 'string' }, out: { type: 'string' } },
});
const from = values.from ?? String(Date.now() % 2_000_000_000);
const count = values.count ?? '1000';
for (const [name, value] of [
  ['--from', from],
  ['--count', count],
]) {
  if (!/^\d+$/.test(value)) {
    console.error(`${name} takes a non-negative integer, not ${value}`);
    process.exit(2);
  }
}
console.error(`seeds ${from} to ${Number(from) + Number(count) - 1}`);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync('npx', ['vitest', 'run', 'test/differential-fuzz.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PREINIT_DIFF_FUZZ_FROM: from,
    PREINIT_DIFF_FUZZ_COUNT: count,
    ...(values.out === undefined ? {} : { PREINIT_DIFF_FUZZ_OUT: resolve(values.out) }),
  },
});
process.exit(r.status ?? 1);
