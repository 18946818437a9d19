import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defineToImport,
  forEachInstruction,
  getCustomSections,
  getSection,
  i32Const,
  originalSectionBytes,
  parseModule,
  removeExport,
  type Section,
  setGlobalInit,
  setMemoryLimits,
  writeModule,
} from '../src/index.js';
import { llvmBuild } from './build-llvm.js';

const built = (file: string) => join(llvmBuild, file);
const clangBuilt = existsSync(built('features.wasm'));

function opcodeCounts(bytes: Uint8Array): Map<string, number> {
  const counts = new Map<string, number>();
  forEachInstruction(parseModule(bytes), (r) => {
    counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  });
  return counts;
}

describe.skipIf(!clangBuilt)('modules built by clang/LLVM (skipped: clang is not installed)', () => {
  for (const file of ['features.o', 'features.wasm', 'features-opt.wasm']) {
    it(`round-trips ${file} byte for byte and scans its code`, () => {
      const bytes = new Uint8Array(readFileSync(built(file)));
      const mod = parseModule(bytes);
      expect(writeModule(mod)).toEqual(bytes);
      const counts = opcodeCounts(bytes);
      // setjmp/longjmp lowered to exception handling, plus SIMD, bulk memory, saturating conversion.
      for (const name of [
        'try',
        'catch',
        'v128.load',
        'i8x16.shuffle',
        'f32x4.add',
        'memory.copy',
        'i32.trunc_sat_f64_s',
      ]) {
        expect(counts.get(name) ?? 0, name).toBeGreaterThan(0);
      }
      expect(getSection(mod, 'tag')?.tags).toHaveLength(1);
    });
  }

  it('keeps the padded LEB128s LLVM writes (re-encoding would change the bytes)', () => {
    const bytes = new Uint8Array(readFileSync(built('features.o')));
    const mod = parseModule(bytes);
    expect(getCustomSections(mod).map((s) => s.name)).toEqual(
      expect.arrayContaining(['linking', 'reloc.CODE', 'target_features']),
    );
    const reencoded = writeModule({ version: 1, sections: mod.sections.map((s) => ({ ...s }) as Section) });
    expect(reencoded.length).toBeLessThan(bytes.length);
    expect(parseModule(reencoded).sections.map((s) => s.kind)).toEqual(mod.sections.map((s) => s.kind));
    for (const s of mod.sections) expect(originalSectionBytes(s)).toBeDefined();
  });

  it('writes linked output V8 compiles', async () => {
    for (const file of ['features.wasm', 'features-opt.wasm']) {
      const out = writeModule(parseModule(new Uint8Array(readFileSync(built(file)))));
      await expect(WebAssembly.compile(out)).resolves.toBeInstanceOf(WebAssembly.Module);
    }
  });

  it('edits LLVM output into a module V8 instantiates and runs', async () => {
    const mod = parseModule(new Uint8Array(readFileSync(built('features-opt.wasm'))));
    defineToImport(mod, 'memory', 0, 'env', 'memory');
    setGlobalInit(mod, 0, i32Const(60000));
    setMemoryLimits(mod, 0, { min: 3 });
    removeExport(mod, 'run');
    const untouched = mod.sections.filter((s) => originalSectionBytes(s) !== undefined).map((s) => s.kind);
    expect(untouched).toEqual(
      expect.arrayContaining(['type', 'function', 'table', 'tag', 'element', 'code']),
    );
    const memory = new WebAssembly.Memory({ initial: 3 });
    const stub = () => 0;
    const env = {
      memory,
      malloc: stub,
      free: stub,
      saveSetjmp: stub,
      testSetjmp: stub,
      getTempRet0: stub,
      __wasm_longjmp: stub,
    };
    const { instance } = await WebAssembly.instantiate(writeModule(mod), { env });
    const e = instance.exports as Record<string, (...args: number[]) => number>;
    expect(e.run).toBeUndefined();
    expect(e.sat!(2.9, -3)).toBe(-1);
    new Float32Array(memory.buffer, 1024, 4).set([1, 2, 3, 4]);
    expect(e.sum4!(1024)).toBe(10);
    new TextEncoder().encodeInto('hello', new Uint8Array(memory.buffer, 2048));
    e.copy!(4096, 2048, 5);
    expect(new TextDecoder().decode(new Uint8Array(memory.buffer, 4096, 5))).toBe('hello');
  });
});
