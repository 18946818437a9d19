import { describe, expect, it } from 'vitest';
import { MalformedModuleError } from './errors.js';
import { encodeS, encodeU, readS32, readS64, readU32 } from './leb128.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('unsigned LEB128', () => {
  it('decodes the spec examples and reports the next offset', () => {
    expect(readU32(bytes(0x00), 0)).toEqual({ value: 0, next: 1 });
    expect(readU32(bytes(0xe5, 0x8e, 0x26), 0)).toEqual({ value: 624485, next: 3 });
    expect(readU32(bytes(0xff, 0x80, 0x80, 0x00, 0x7f), 1)).toEqual({ value: 0, next: 4 });
    expect(readU32(bytes(0xff, 0xff, 0xff, 0xff, 0x0f), 0)).toEqual({ value: 0xffffffff, next: 5 });
  });

  it('accepts redundant padding up to the maximum length', () => {
    expect(readU32(bytes(0x80, 0x80, 0x80, 0x80, 0x00), 0).value).toBe(0);
  });

  it('rejects overlong, oversized and truncated encodings with the byte offset', () => {
    expect(() => readU32(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 0)).toThrow(MalformedModuleError);
    expect(() => readU32(bytes(0xff, 0xff, 0xff, 0xff, 0x1f), 0)).toThrow(/too large for u32/);
    try {
      readU32(bytes(0x01, 0x80, 0x80), 1);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MalformedModuleError);
      expect((error as MalformedModuleError).offset).toBe(3);
      expect((error as MalformedModuleError).code).toBe('ERR_WASM_MALFORMED');
    }
  });

  it('round-trips through encodeU', () => {
    for (const v of [0, 1, 127, 128, 255, 16383, 16384, 2 ** 31, 0xffffffff]) {
      const enc = encodeU(v);
      expect(readU32(enc, 0)).toEqual({ value: v, next: enc.length });
    }
  });
});

describe('signed LEB128', () => {
  it('decodes negative and positive values', () => {
    expect(readS32(bytes(0x7f), 0).value).toBe(-1);
    expect(readS32(bytes(0x3f), 0).value).toBe(63);
    expect(readS32(bytes(0x40), 0).value).toBe(-64);
    expect(readS32(bytes(0xc0, 0xbb, 0x78), 0).value).toBe(-123456);
    expect(readS32(bytes(0x80, 0x80, 0x80, 0x80, 0x78), 0).value).toBe(-(2 ** 31));
    expect(readS64(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f), 0).value).toBe(
      -(2n ** 63n),
    );
  });

  it('rejects values outside the range and bad sign padding', () => {
    expect(() => readS32(bytes(0x80, 0x80, 0x80, 0x80, 0x70), 0)).toThrow(/too large for s32/);
    expect(() => readS32(bytes(0xff, 0xff, 0xff, 0xff, 0x0f), 0)).toThrow(/too large for s32/);
    expect(() => readS32(bytes(0x80), 0)).toThrow(/unexpected end/);
  });

  it('round-trips through encodeS, in the fewest bytes', () => {
    for (const v of [
      0n,
      1n,
      -1n,
      63n,
      64n,
      -64n,
      -65n,
      2n ** 31n - 1n,
      -(2n ** 31n),
      2n ** 63n - 1n,
      -(2n ** 63n),
    ]) {
      const enc = encodeS(v);
      expect(readS64(enc, 0)).toEqual({ value: v, next: enc.length });
    }
    expect(encodeS(-1)).toEqual(bytes(0x7f));
    expect(encodeS(64)).toEqual(bytes(0xc0, 0x00));
  });
});
