import { WasmRuntimeError } from '@wasm-runtime/errors';
import { forEachInstruction, parseModule } from '@wasm-runtime/wasm';
import { describe, expect, it } from 'vitest';
import { type PreinitOptions, preinitialize } from '../src/index.js';
import { wat } from './helpers.js';

// Fast tier by default; the long tier: PREINIT_FUZZ_ITERATIONS=100000 npx vitest run test/fuzz.test.ts
const iterations = Number(
  process.env['PREINIT_FUZZ_ITERATIONS'] ?? process.env['WASM_RUNTIME_PREINIT_FUZZ_ITERATIONS'] ?? 400,
);
const seed = Number(process.env['PREINIT_FUZZ_SEED'] ?? 20261121);

// Fixtures whose code has no loops: a mutation can then only make init loop forever by creating
// a loop or a tail call, and such mutants are set aside (a guest that never returns is its own hang).
const fixtures: Array<{ file: string; options: PreinitOptions }> = [
  { file: 'basic/initialize.wat', options: {} },
  { file: 'basic/renames.wat', options: { renameFuncs: [['_start', 'wizer.resume']] } },
  { file: 'tables/mutate.wat', options: {} },
  { file: 'tables/funcref-global.wat', options: {} },
  { file: 'eh/try-catch.wat', options: {} },
  { file: 'bulk/passive.wat', options: {} },
  { file: 'bulk/data-drop.wat', options: {} },
  { file: 'bulk/elem-drop.wat', options: {} },
  { file: 'basic/v128.wat', options: {} },
  { file: 'errors/trap.wat', options: {} },
  { file: 'wasi/random.wat', options: { allowWasi: true, wasi: { stdout: 'ignore', stderr: 'ignore' } } },
];

function rng(s: number): () => number {
  let x = s >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function mutate(bytes: Uint8Array, next: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(next() * n);
  const out = new Uint8Array(bytes);
  switch (pick(5)) {
    case 0:
      return out.subarray(0, pick(out.length));
    case 1: {
      const flips = 1 + pick(4);
      for (let k = 0; k < flips; k++) out[8 + pick(out.length - 8)] = pick(256);
      return out;
    }
    case 2: {
      const at = 8 + pick(out.length - 8);
      out[at] = out[at]! ^ (1 << pick(8));
      return out;
    }
    case 3: {
      const at = 8 + pick(out.length - 8);
      return Uint8Array.from([...out.subarray(0, at), pick(256), ...out.subarray(at)]);
    }
    default: {
      const at = 8 + pick(out.length - 8);
      return Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1 + pick(4))]);
    }
  }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

const UNBOUNDED = new Set(['loop', 'return_call', 'return_call_indirect', 'return_call_ref']);

/** True when the mutant could run forever: it parses and has a loop or a tail call. */
function mayNotTerminate(bytes: Uint8Array): boolean {
  try {
    let found = false;
    forEachInstruction(parseModule(bytes), (r) => {
      if (UNBOUNDED.has(r.name)) found = true;
    });
    return found;
  } catch {
    return false;
  }
}

describe('fuzz: mutated and truncated fixtures', () => {
  it(`give a typed error or a valid module, never an untyped exception (${iterations} mutants, seed ${seed})`, async () => {
    const next = rng(seed);
    const originals = await Promise.all(fixtures.map(async (f) => ({ ...f, bytes: await wat(f.file) })));
    let typed = 0;
    let succeeded = 0;
    let setAside = 0;
    for (let i = 0; i < iterations; i++) {
      const f = originals[i % originals.length]!;
      const mutant = mutate(f.bytes, next);
      if (mayNotTerminate(mutant)) {
        setAside++;
        continue;
      }
      let module: Uint8Array;
      try {
        ({ module } = await preinitialize(mutant, f.options));
      } catch (err) {
        if (!(err instanceof WasmRuntimeError)) {
          throw new Error(
            `mutant ${i} of ${f.file} (seed ${seed}) threw an untyped ${String(err)}\n${hex(mutant)}`,
            {
              cause: err,
            },
          );
        }
        typed++;
        continue;
      }
      // Whatever came out must be a module V8 accepts.
      if (!WebAssembly.validate(module as Uint8Array<ArrayBuffer>)) {
        const reason = await WebAssembly.compile(module as Uint8Array<ArrayBuffer>).then(
          () => '',
          (e: unknown) => String(e),
        );
        expect.fail(
          `mutant ${i} of ${f.file} (seed ${seed}) gave an invalid module: ${reason}\n${hex(mutant)}`,
        );
      }
      succeeded++;
    }
    expect(typed + succeeded + setAside).toBe(iterations);
    expect(typed).toBeGreaterThan(0);
  }, 600_000);
});
