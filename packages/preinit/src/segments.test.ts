import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_DATA_SEGMENTS,
  mergeSmallestGaps,
  NEVER_MERGED_GAP,
  nonZeroRuns,
  planDataSegments,
  segmentEncodedSize,
  segmentHeaderSize,
  slebSize,
  ulebSize,
} from './segments.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Total encoded size of a plan. */
function planSize(segs: { offset: number; bytes: Uint8Array }[], memoryIndex = 0): number {
  return segs.reduce((n, s) => n + segmentEncodedSize(s.offset, s.bytes.length, memoryIndex), 0);
}

/** Rebuilds a memory from a plan, as instantiation would. */
function apply(size: number, segs: { offset: number; bytes: Uint8Array }[]): Uint8Array {
  const mem = new Uint8Array(size);
  for (const s of segs) mem.set(s.bytes, s.offset);
  return mem;
}

/** Byte equality without vitest's slow deep diff of large typed arrays. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/** The optimum by trying every way of splitting the runs (2^(runs-1) plans). */
function bruteForceBest(memory: Uint8Array, memoryIndex = 0): number {
  const runs = nonZeroRuns(memory);
  const n = runs.length / 2;
  if (n === 0) return 0;
  let best = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < 2 ** (n - 1); mask++) {
    let size = 0;
    let segStart = runs[0]!;
    for (let k = 0; k < n; k++) {
      const splitAfter = k === n - 1 || (mask & (1 << k)) !== 0;
      if (splitAfter) {
        size += segmentEncodedSize(segStart, runs[2 * k + 1]! - segStart, memoryIndex);
        if (k < n - 1) segStart = runs[2 * k + 2]!;
      }
    }
    best = Math.min(best, size);
  }
  return best;
}

describe('LEB128 sizes', () => {
  it('matches the encoding boundaries', () => {
    expect([0, 127, 128, 16383, 16384, 2 ** 21, 2 ** 28, 2 ** 32 - 1].map(ulebSize)).toEqual([
      1, 1, 2, 2, 3, 4, 5, 5,
    ]);
    expect([0, 63, 64, -64, -65, 8191, 8192, -(2 ** 31)].map(slebSize)).toEqual([1, 1, 2, 1, 2, 2, 3, 5]);
  });

  it('counts i32.const offsets of 2^31 and up as negative numbers', () => {
    expect(segmentHeaderSize(2 ** 32 - 1)).toBe(1 + 1 + 1 + 1);
    expect(segmentHeaderSize(64)).toBe(1 + 1 + 2 + 1);
    expect(segmentHeaderSize(64, 1)).toBe(2 + 1 + 2 + 1);
  });
});

describe('nonZeroRuns', () => {
  it('finds runs at every alignment, including at both ends', () => {
    const buf = new Uint8Array(40);
    buf.set([1, 2], 0);
    buf.set([3], 5);
    buf.set([4, 5, 6, 7, 8, 9], 11);
    buf[39] = 1;
    expect(Array.from(nonZeroRuns(buf))).toEqual([0, 2, 5, 6, 11, 17, 39, 40]);
    expect(Array.from(nonZeroRuns(buf.subarray(1, 39)))).toEqual([0, 1, 4, 5, 10, 16]);
    expect(Array.from(nonZeroRuns(new Uint8Array(64)))).toEqual([]);
  });

  it('grows past its first capacity (a run every other byte)', () => {
    const buf = new Uint8Array(1 << 16);
    for (let i = 0; i < buf.length; i += 2) buf[i] = 1;
    const runs = nonZeroRuns(buf);
    expect(runs.length).toBe(buf.length);
    expect(runs[runs.length - 2]).toBe(buf.length - 2);
    expect(runs[runs.length - 1]).toBe(buf.length - 1);
  });
});

describe('planDataSegments', () => {
  it('reproduces the memory exactly and emits nothing for an all-zero memory', () => {
    const next = rng(1);
    for (let t = 0; t < 50; t++) {
      const mem = new Uint8Array(1 + Math.floor(next() * 600));
      for (let i = 0; i < mem.length; i++) if (next() < 0.1) mem[i] = 1 + Math.floor(next() * 255);
      const plan = planDataSegments(mem);
      expect(same(apply(mem.length, plan), mem)).toBe(true);
      for (const s of plan) {
        expect(s.bytes[0]).not.toBe(0);
        expect(s.bytes[s.bytes.length - 1]).not.toBe(0);
      }
    }
    expect(planDataSegments(new Uint8Array(65536))).toEqual([]);
  });

  it('is size-optimal: no grouping of the runs encodes smaller (brute force over small memories)', () => {
    const next = rng(7);
    for (let t = 0; t < 300; t++) {
      const mem = new Uint8Array(t % 2 === 0 ? 300 : 1500);
      const runCount = 1 + Math.floor(next() * 11);
      let pos = Math.floor(next() * 20);
      for (let r = 0; r < runCount && pos < mem.length; r++) {
        const len = 1 + Math.floor(next() * (t % 2 === 0 ? 12 : 130));
        for (let i = pos; i < Math.min(mem.length, pos + len); i++) mem[i] = 0xaa;
        pos += len + 1 + Math.floor(next() * (next() < 0.5 ? 8 : 40));
      }
      const memoryIndex = t % 3 === 0 ? 2 : 0;
      const plan = planDataSegments(mem, { memoryIndex });
      expect(planSize(plan, memoryIndex)).toBe(bruteForceBest(mem, memoryIndex));
    }
  });

  it('stays optimal at every offset and length-field size (gaps merged before the exact pass)', () => {
    const next = rng(13);
    const mem = new Uint8Array(4 * 1024 * 1024);
    for (let t = 0; t < 40; t++) {
      mem.fill(0);
      const base = [0, 70, 9000, 1 << 20, 3 << 20][t % 5]!;
      let pos = base;
      const runCount = 2 + Math.floor(next() * 9);
      for (let r = 0; r < runCount; r++) {
        const len = 1 + Math.floor(next() * (next() < 0.2 ? 20_000 : 60));
        mem.fill(0x5a, pos, pos + len);
        pos += len + 1 + Math.floor(next() * 9);
      }
      const memoryIndex = t % 4 === 0 ? 1 : 0;
      const plan = planDataSegments(mem, { memoryIndex });
      expect(planSize(plan, memoryIndex)).toBe(bruteForceBest(mem, memoryIndex));
      expect(same(apply(mem.length, plan), mem)).toBe(true);
    }
  });

  it('merges gaps smaller than a segment header and keeps gaps larger than one', () => {
    const mem = new Uint8Array(100);
    mem[10] = 1;
    mem[13] = 1; // gap 2: merging costs 2 bytes, a new header costs 5
    mem[40] = 1; // gap 26: never worth merging
    const plan = planDataSegments(mem);
    expect(plan.map((s) => [s.offset, s.bytes.length])).toEqual([
      [10, 4],
      [40, 1],
    ]);
  });

  it('accounts for the length field growing past 127 bytes', () => {
    // A 127-byte run and a 1-byte run 2 bytes later: merging would need a 2-byte length field.
    const mem = new Uint8Array(400);
    mem.fill(7, 0, 127);
    mem[129] = 7;
    const plan = planDataSegments(mem);
    expect(planSize(plan)).toBe(bruteForceBest(mem));
  });

  it('bounds the segment count by merging the smallest gaps first', () => {
    const mem = new Uint8Array(30_000);
    // 1,000 isolated bytes with gaps of 20 or 30 zero bytes.
    let pos = 0;
    for (let k = 0; k < 1000; k++) {
      mem[pos] = 1;
      pos += k % 2 === 0 ? 21 : 31;
    }
    expect(planDataSegments(mem).length).toBe(1000);
    const bounded = planDataSegments(mem, { maxSegments: 600 });
    expect(bounded.length).toBe(600);
    expect(same(apply(mem.length, bounded), mem)).toBe(true);
    // The 400 merges took 20-byte gaps only.
    for (const s of bounded) expect(s.bytes.length === 1 || s.bytes.length === 22).toBe(true);
    expect(planDataSegments(mem, { maxSegments: 1 }).length).toBe(1);
  });

  it('keeps the default bound below V8 limits on a pathological memory', () => {
    const mem = new Uint8Array(64 * 65536);
    for (let i = 0; i < mem.length; i += 40) mem[i] = 1;
    const plan = planDataSegments(mem);
    expect(DEFAULT_MAX_DATA_SEGMENTS).toBeLessThanOrEqual(50_000);
    expect(plan.length).toBe(DEFAULT_MAX_DATA_SEGMENTS);
    expect(same(apply(mem.length, plan), mem)).toBe(true);
  });

  it('plans a 64 MiB memory with thousands of runs (its speed is in bench/preinit)', () => {
    const mem = new Uint8Array(64 * 1024 * 1024);
    const next = rng(3);
    for (let k = 0; k < 2000; k++) mem.fill(1 + (k % 200), Math.floor(next() * mem.length), 0);
    for (let k = 0; k < 2000; k++) {
      const at = Math.floor(next() * (mem.length - 100));
      mem.fill(9, at, at + Math.floor(next() * 100));
    }
    const plan = planDataSegments(mem);
    expect(plan.length).toBeGreaterThan(1000);
    expect(same(apply(mem.length, plan), mem)).toBe(true);
  });
});

/** The reference merge: sort every gap by (size, offset) and merge the `n - max` first. */
function referenceMerge(pairs: number[], max: number): number[] {
  const n = pairs.length / 2;
  const gaps = Array.from({ length: n - 1 }, (_, k) => ({ k, size: pairs[2 * k + 2]! - pairs[2 * k + 1]! }));
  gaps.sort((x, y) => x.size - y.size || x.k - y.k);
  const merge = new Set(gaps.slice(0, Math.max(0, n - max)).map((g) => g.k));
  const out: number[] = [pairs[0]!];
  for (let k = 0; k < n - 1; k++) {
    if (merge.has(k)) continue;
    out.push(pairs[2 * k + 1]!, pairs[2 * k + 2]!);
  }
  out.push(pairs[2 * n - 1]!);
  return out;
}

/** Random segments with small gaps, ties, and some gaps past the histogram (4,096 bytes). */
function randomPairs(next: () => number, n: number): number[] {
  const pairs: number[] = [];
  let pos = Math.floor(next() * 10);
  for (let k = 0; k < n; k++) {
    const len = 1 + Math.floor(next() * 20);
    pairs.push(pos, pos + len);
    const r = next();
    const gap =
      r < 0.6
        ? 1 + Math.floor(next() * 12)
        : r < 0.85
          ? 1 + Math.floor(next() * 200)
          : 4000 + Math.floor(next() * 300);
    pos += len + gap;
  }
  return pairs;
}

describe('mergeSmallestGaps', () => {
  it('merges the same gaps as sorting them by size, then offset', () => {
    const next = rng(11);
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(next() * 300);
      const pairs = randomPairs(next, n);
      const max = 1 + Math.floor(next() * n);
      expect(Array.from(mergeSmallestGaps(Float64Array.from(pairs), max))).toEqual(
        referenceMerge(pairs, max),
      );
    }
  });
});

describe('planDataSegments under a bound', () => {
  it('equals the exact plan with its smallest gaps merged, whether or not the exact pass runs', () => {
    const next = rng(5);
    let skipped = 0;
    let exact = 0;
    for (let t = 0; t < 150; t++) {
      const mem = new Uint8Array(4000 + Math.floor(next() * 8000));
      for (let i = 0; i < mem.length; i++) {
        if (next() < 0.05) mem.fill(1 + Math.floor(next() * 255), i, i + 1 + Math.floor(next() * 10));
        if (next() < 0.01) i += Math.floor(next() * 300);
      }
      const best = planDataSegments(mem, { maxSegments: Number.MAX_SAFE_INTEGER });
      const runs = nonZeroRuns(mem);
      let clusters = runs.length > 0 ? 1 : 0;
      for (let k = 2; k < runs.length; k += 2) if (runs[k]! - runs[k - 1]! > NEVER_MERGED_GAP) clusters++;
      const max = 1 + Math.floor(next() * Math.max(1, best.length + 5));
      if (clusters > max) skipped++;
      else exact++;
      const bounded = planDataSegments(mem, { maxSegments: max });
      const expected = referenceMerge(
        best.flatMap((s) => [s.offset, s.offset + s.bytes.length]),
        max,
      );
      expect(bounded.flatMap((s) => [s.offset, s.offset + s.bytes.length])).toEqual(expected);
      expect(same(apply(mem.length, bounded), mem)).toBe(true);
    }
    // Both paths were exercised: the bound below the cluster count skips the exact pass.
    expect(skipped).toBeGreaterThan(10);
    expect(exact).toBeGreaterThan(10);
  });

  it('keeps the exact plan when it fits the bound', () => {
    const mem = new Uint8Array(5000);
    for (let i = 0; i < 3000; i += 3) mem[i] = 1; // gaps of 2: one segment is optimal
    for (let i = 3000; i < mem.length; i += 50) mem[i] = 2;
    const best = planDataSegments(mem, { maxSegments: Number.MAX_SAFE_INTEGER });
    expect(best.length).toBe(40); // 0..3000 and the byte at 3000 form one segment
    expect(planDataSegments(mem, { maxSegments: best.length })).toEqual(best);
    expect(planSize(planDataSegments(mem, { maxSegments: best.length - 1 }))).toBeGreaterThan(planSize(best));
  });
});
