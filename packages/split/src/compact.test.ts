import { type DataSegment, decodeConstExpr, i32Const } from '@wasm-runtime/wasm';
import { describe, expect, it } from 'vitest';
import { compactSegments, MIN_ZERO_RUN } from './compact.js';

const seg = (offset: number, bytes: number[], memory = 0): DataSegment => ({
  mode: 'active',
  memory,
  offset: i32Const(offset),
  data: Uint8Array.from(bytes),
});
const view = (segments: readonly DataSegment[]) =>
  segments.map((s) => {
    const [instr] = decodeConstExpr(s.offset!);
    return [instr?.op === 'i32.const' ? instr.value : undefined, [...s.data]];
  });
const zeros = (n: number) => new Array<number>(n).fill(0);

describe('compactSegments', () => {
  it('returns the very same array when there is nothing to drop', () => {
    const segments = [seg(0, [1, 2, 3]), seg(10, [4, ...zeros(MIN_ZERO_RUN - 1), 5])];
    expect(compactSegments(segments)).toBe(segments);
  });

  it('trims leading and trailing zeros, cuts long zero runs and drops all-zero segments', () => {
    const segments = [
      seg(100, [0, 0, 1, 2, ...zeros(MIN_ZERO_RUN), 3, 0]),
      seg(200, zeros(40)),
      seg(300, [7]),
    ];
    expect(view(compactSegments(segments))).toEqual([
      [102, [1, 2]],
      [104 + MIN_ZERO_RUN, [3]],
      [300, [7]],
    ]);
  });

  it('leaves the segments of a memory alone when they overlap (later zeros overwrite earlier bytes)', () => {
    const segments = [seg(0, [1, 1, 1, 1]), seg(2, [0, 0, 0]), seg(0, [0, 0, 9], 1)];
    expect(view(compactSegments(segments))).toEqual([
      [0, [1, 1, 1, 1]],
      [2, [0, 0, 0]],
      [2, [9]],
    ]);
  });
});
