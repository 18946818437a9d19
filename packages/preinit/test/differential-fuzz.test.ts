import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { f32Const, getSection, parseModule, setSection, writeModule } from '@wasm-runtime/wasm';
import { describe, expect, it } from 'vitest';
import { preinitialize } from '../src/index.js';
import { compare, differential, fuzzSupport, instantiate, type Outcome } from './fuzz/differential.js';
import { generate, wasmOpt } from './fuzz/generate.js';
import { fixturesDir, wat, wizerAvailable } from './helpers.js';

// Differential fuzzing against the real Wizer 11 (issue 10). The CI tier runs the committed seeds;
// scripts/fuzz-differential.mjs runs any number of fresh ones:
//   PREINIT_DIFF_FUZZ_FROM=1000000 PREINIT_DIFF_FUZZ_COUNT=5000 npx vitest run test/differential-fuzz.test.ts
// PREINIT_DIFF_FUZZ_OUT=<dir> keeps each diverging module there as <seed>.wasm.
const from = process.env['PREINIT_DIFF_FUZZ_FROM'];
const count = Number(process.env['PREINIT_DIFF_FUZZ_COUNT'] ?? 0);
const out = process.env['PREINIT_DIFF_FUZZ_OUT'];
const seedsFile = join(fixturesDir, '..', 'fuzz', 'seeds.txt');
const seeds: number[] =
  from === undefined
    ? (await readFile(seedsFile, 'utf8'))
        .split('\n')
        .filter((l) => /^\d+$/.test(l.trim()))
        .map(Number)
    : Array.from({ length: count || 1000 }, (_, k) => Number(from) + k);
/**
 * Modules in flight: wasm-opt and Wizer run as child processes while ours runs here. The committed
 * seeds take about 2 minutes on a busy 2-core machine, hence the timeout of 20 minutes.
 */
const CONCURRENCY = 2;

describe.skipIf(!wizerAvailable || !wasmOpt.available)(
  `differential fuzz: binaryen's translate-to-fuzz modules through ours and Wizer 11 (${wasmOpt.version})`,
  () => {
    it(
      `agrees on memory, globals (bit for bit) and every export's results and traps (${seeds.length} seeds)`,
      async () => {
        const outcomes = new Map<number, Outcome>();
        let at = 0;
        const worker = async () => {
          while (at < seeds.length) {
            const seed = seeds[at++]!;
            const bytes = await generate(seed);
            const result = await differential(bytes);
            outcomes.set(seed, result);
            if (result.kind === 'divergence' && out !== undefined) {
              await mkdir(out, { recursive: true });
              await writeFile(join(out, `${seed}.wasm`), bytes);
            }
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        const tally: Record<string, number> = {};
        for (const o of outcomes.values()) tally[o.kind] = (tally[o.kind] ?? 0) + 1;
        const refusals = new Map<string, number>();
        for (const o of outcomes.values()) {
          if (o.kind !== 'both-refused') continue;
          const key = `ours: ${o.ours.split('\n')[0]!.slice(0, 100)} | Wizer: ${o.wizer.split('\n').slice(-1)[0]!.slice(0, 100)}`;
          refusals.set(key, (refusals.get(key) ?? 0) + 1);
        }
        console.log(
          `differential fuzz over ${seeds.length} seeds: ${JSON.stringify(tally)}\n` +
            [...refusals].map(([why, n]) => `  both refused (${n}): ${why}`).join('\n'),
        );
        const divergences = [...outcomes].filter(
          ([, o]) => o.kind === 'divergence' || o.kind === 'invalid-input',
        );
        expect(
          divergences.map(
            ([seed, o]) => `seed ${seed}: ${'detail' in o ? o.detail : 'reason' in o ? o.reason : ''}`,
          ),
        ).toEqual([]);
        // The test compares modules, not only refusals: most seeds must reach a comparison, through
        // Wizer and (for what Wizer refuses, such as data.drop) through V8.
        expect(tally['compared-with-wizer'] ?? 0).toBeGreaterThan(seeds.length / 4);
        expect(tally['compared-with-v8'] ?? 0).toBeGreaterThan(0);
      },
      Math.max(1_200_000, seeds.length * 10_000),
    );
  },
);

describe.skipIf(wizerAvailable && wasmOpt.available)('differential fuzz', () => {
  it.skip('SKIPPED: needs the Wizer 11 binary and binaryen wasm-opt (scripts/setup-toolchain installs it)', () => {});
});

describe('the differential comparison', () => {
  it('sees a NaN payload that changed, a value JS reads as the same NaN', async () => {
    const { module } = await preinitialize(await wat('basic/nan-globals.wat'));
    const canonical = parseModule(module);
    const globals = getSection(canonical, 'global')!.globals;
    setSection(canonical, {
      kind: 'global',
      globals: globals.map((g, i) => (i === 0 ? { ...g, init: f32Const(0x7fc00000) } : g)),
    });
    const support = new WebAssembly.Instance(
      new WebAssembly.Module(fuzzSupport(module) as Uint8Array<ArrayBuffer>),
    );
    expect(compare(instantiate(module, support), instantiate(module, support), ['run'])).toBeUndefined();
    expect(compare(instantiate(module, support), instantiate(writeModule(canonical), support), [])).toMatch(
      /state after init differs/,
    );
  });
});
