import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type CodeSection,
  type FunctionSection,
  forEachInstruction,
  getSection,
  parseModule,
  setSection,
  writeModule,
} from '../src/index.js';
import { llvmBuild } from './build-llvm.js';

/** Finds `relative` in the node_modules folders from this package up to the filesystem root. */
function findInNodeModules(relative: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules', relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function roundTripAndScan(bytes: Uint8Array): { instructions: number; functions: number } {
  const mod = parseModule(bytes);
  expect(sameBytes(writeModule(mod), bytes)).toBe(true);
  let instructions = 0;
  forEachInstruction(mod, () => {
    instructions++;
  });
  return { instructions, functions: getSection(mod, 'code')?.bodies.length ?? 0 };
}

const REAL_MODULES = [
  ['@ruby/3.4-wasm-wasi', 'dist/ruby+stdlib.wasm'],
  ['@bytecodealliance/componentize-js', 'lib/starlingmonkey_embedding.wasm'],
] as const;

describe('large real modules from npm', () => {
  for (const [pkg, file] of REAL_MODULES) {
    const path = findInNodeModules(`${pkg}/${file}`);
    const title =
      path === undefined
        ? `${pkg}/${file}: SKIPPED, the file is absent (install ${pkg} as a devDependency to run this test)`
        : `${pkg}/${file}: round-trips byte for byte and scans every instruction`;
    it.skipIf(path === undefined)(
      title,
      () => {
        const bytes = new Uint8Array(readFileSync(path!));
        const { instructions, functions } = roundTripAndScan(bytes);
        expect(functions).toBeGreaterThan(1000);
        expect(instructions).toBeGreaterThan(functions);
      },
      120_000,
    );
  }
});

const llvm = join(llvmBuild, 'features-opt.wasm');

describe.skipIf(!existsSync(llvm))('a 12 MB code section (skipped: clang is not installed)', () => {
  it('round-trips and scans a 12 MB module of LLVM code (its speed is measured by bench/preinit)', () => {
    // Replicate LLVM's function bodies until the code section is 12 MB.
    const mod = parseModule(new Uint8Array(readFileSync(llvm)));
    const code = getSection(mod, 'code')!;
    const types = getSection(mod, 'function')!.types;
    const bodies: Uint8Array[] = [];
    const funcTypes: number[] = [];
    let size = 0;
    while (size < 12 * 2 ** 20) {
      code.bodies.forEach((b, i) => {
        bodies.push(b);
        funcTypes.push(types[i]!);
        size += b.length;
      });
    }
    setSection(mod, { kind: 'function', types: funcTypes } satisfies FunctionSection);
    setSection(mod, { kind: 'code', bodies } satisfies CodeSection);
    const big = writeModule(mod);
    const { instructions } = roundTripAndScan(big);
    expect(instructions).toBeGreaterThan(1_000_000);
  });
});
