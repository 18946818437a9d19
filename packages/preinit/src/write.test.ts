import { i32Const, i64Const, parseModule, setDataSegments, writeModule } from '@wasm-runtime/wasm';
import { describe, expect, it } from 'vitest';
import { encodeModuleParts, joinParts, OffsetExprs } from './write.js';

/** A module with one memory32 and one memory64 memory and no data section yet. */
function twoMemories(): Uint8Array {
  // (module (memory 1) (memory i64 1) (func))
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01,
    0x00, 0x05, 0x05, 0x02, 0x00, 0x01, 0x04, 0x01, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
  ]);
}

describe('encodeModuleParts', () => {
  it('gives the bytes writeModule gives, for every segment form and size', () => {
    const module = parseModule(twoMemories());
    const big = new Uint8Array(70_000).map((_, i) => (i % 251) + 1);
    const segments = [
      { mode: 'active' as const, memory: 0, offset: i32Const(16), data: big.subarray(0, 3) },
      { mode: 'active' as const, memory: 0, offset: i32Const(-1), data: big.subarray(5, 4096 + 5) },
      { mode: 'passive' as const, memory: 0, data: big.subarray(0, 200) },
      { mode: 'passive' as const, memory: 0, data: new Uint8Array(0) },
      { mode: 'active' as const, memory: 1, offset: i64Const(2n ** 40n), data: big },
      { mode: 'active' as const, memory: 0, offset: i32Const(7), data: big.subarray(1, 2), encoding: 2 },
    ];
    for (let k = 0; k < 300; k++)
      segments.push({ mode: 'active', memory: 0, offset: i32Const(k * 100), data: big.subarray(k, k + 50) });
    setDataSegments(module, segments, { dataCount: true });
    const expected = writeModule(module);
    const parts = encodeModuleParts(module);
    expect(parts.size).toBe(expected.length);
    const joined = joinParts(parts);
    expect(Buffer.from(joined).equals(Buffer.from(expected))).toBe(true);
    // The large contents are referenced, not copied.
    expect(parts.parts.some((p) => p.buffer === big.buffer && p.length === big.length)).toBe(true);
  });

  it('gives a module V8 accepts', () => {
    // (module (memory 2)): Node 20 has neither multi-memory nor memory64 for the test above.
    const module = parseModule(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 2]));
    const data = new Uint8Array(10_000).fill(9);
    setDataSegments(module, [
      { mode: 'active', memory: 0, offset: i32Const(3), data },
      { mode: 'active', memory: 0, offset: i32Const(20_000), data: data.subarray(0, 10) },
    ]);
    const joined = joinParts(encodeModuleParts(module));
    expect(WebAssembly.validate(joined)).toBe(true);
    // Instantiation checks that every segment lands in bounds.
    expect(new WebAssembly.Instance(new WebAssembly.Module(joined)).exports).toEqual({});
  });

  it('copies nothing from an unchanged module', () => {
    const bytes = twoMemories();
    const parts = encodeModuleParts(parseModule(bytes));
    expect(Buffer.from(joinParts(parts)).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('OffsetExprs', () => {
  it('encodes i32.const and i64.const offsets as the codec does', () => {
    const offsets = new OffsetExprs();
    const values = [0, 1, 63, 64, 127, 128, 8191, 8192, 2 ** 20, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
    for (let k = 0; k < 6000; k++) values.push((k * 2654435761) % 2 ** 32);
    for (const v of values) expect(Array.from(offsets.make(v, false))).toEqual(Array.from(i32Const(v | 0)));
    for (const v of [...values, 2 ** 40, 2 ** 53 - 1])
      expect(Array.from(offsets.make(v, true))).toEqual(Array.from(i64Const(BigInt(v))));
  });
});
