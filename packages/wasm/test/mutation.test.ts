import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeConstExpr,
  forEachInstruction,
  getSection,
  MalformedModuleError,
  parseModule,
  readNames,
  writeModule,
} from '../src/index.js';
import { llvmBuild } from './build-llvm.js';
import { everyOpcodeWat } from './every-opcode.js';
import { assemble, fixture } from './wat.js';

/** Reads everything there is to read; returns 'ok' or 'malformed', throws anything else. */
function readAll(bytes: Uint8Array): 'ok' | 'malformed' {
  try {
    const mod = parseModule(bytes);
    // Buffer.equals: vitest's deep equality is too slow for thousands of arrays.
    const out = writeModule(mod);
    if (!Buffer.from(out).equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))) {
      expect.unreachable('writeModule(parseModule(bytes)) differs from bytes');
    }
    forEachInstruction(mod, () => {});
    readNames(mod);
    for (const g of getSection(mod, 'global')?.globals ?? []) decodeConstExpr(g.init);
    return 'ok';
  } catch (error) {
    if (error instanceof MalformedModuleError) {
      expect(error.offset).toBeGreaterThanOrEqual(0);
      expect(error.offset).toBeLessThanOrEqual(bytes.length);
      return 'malformed';
    }
    throw error;
  }
}

/** A small deterministic PRNG (xorshift32), so failures reproduce. */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

async function fixtures(): Promise<[string, Uint8Array][]> {
  const out: [string, Uint8Array][] = [
    ['sections/all.wat', await fixture('sections/all.wat')],
    ['edit/app.wat', await fixture('edit/app.wat', undefined, { names: true })],
    ['every opcode', await assemble(everyOpcodeWat())],
  ];
  const llvm = join(llvmBuild, 'features.o');
  if (existsSync(llvm)) out.push(['features.o (clang)', new Uint8Array(readFileSync(llvm))]);
  return out;
}

describe('truncated and corrupted input', () => {
  it('gives a module or a MalformedModuleError at every truncation point', async () => {
    for (const [name, bytes] of await fixtures()) {
      const results = { ok: 0, malformed: 0 };
      for (let n = 0; n < bytes.length; n++) results[readAll(bytes.subarray(0, n))]++;
      expect(results.malformed, name).toBeGreaterThan(bytes.length / 2);
      expect(readAll(bytes), name).toBe('ok');
    }
  });

  it('gives a module or a MalformedModuleError for random byte changes', async () => {
    const random = prng(0x5eed);
    for (const [, bytes] of await fixtures()) {
      const copy = new Uint8Array(bytes);
      for (let i = 0; i < 1500; i++) {
        const at = 8 + Math.floor(random() * (copy.length - 8));
        const old = copy[at]!;
        const flips = random() < 0.5 ? [0x80, 0x01, 0xff, 0x00, 0x7f] : [Math.floor(random() * 256)];
        for (const value of flips) {
          copy[at] = value;
          readAll(copy);
        }
        copy[at] = old;
      }
    }
  });
});
