/**
 * The data-segment planner: which active data segments reproduce a memory's contents in the fewest
 * encoded bytes, under a bound on the number of segments.
 */

/** One planned active data segment: `bytes` is a view into the memory it was planned from. */
export interface PlannedSegment {
  /** Byte offset in the memory. */
  offset: number;
  /** The segment's contents (a subarray of the snapshot, not a copy). */
  bytes: Uint8Array;
}

/** How segments are encoded and bounded. */
export interface PlanOptions {
  /** Memory the segments initialize (changes the header size). Default 0. */
  memoryIndex?: number;
  /** Whether the memory is a memory64 (offsets are `i64.const`). Default false. */
  memory64?: boolean;
  /**
   * Upper bound on the number of segments; when the size-optimal plan has more, the smallest gaps
   * are merged first. Default {@link DEFAULT_MAX_DATA_SEGMENTS}.
   */
  maxSegments?: number;
}

/**
 * Default bound on the number of data segments per module. Wizer uses 10,000; V8 rejects modules
 * with more than 100,000 data segments in total, so 10,000 leaves room for ten memories.
 */
export const DEFAULT_MAX_DATA_SEGMENTS = 10_000;

/** Size in bytes of the unsigned LEB128 encoding of `n` (n ≥ 0, up to 2^53). */
export function ulebSize(n: number): number {
  let size = 1;
  let v = n;
  while (v >= 128) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

/** Size in bytes of the signed LEB128 encoding of `n` (a safe integer). */
export function slebSize(n: number): number {
  let size = 1;
  let v = n;
  while (v >= 64 || v < -64) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

/** Encoded size of everything in an active data segment except its length field and contents. */
export function segmentHeaderSize(offset: number, memoryIndex = 0, memory64 = false): number {
  const flags = memoryIndex === 0 ? 1 : 1 + ulebSize(memoryIndex);
  // The offset of a memory32 segment is an i32.const, so offsets of 2^31 and up encode as negative numbers.
  const value = memory64 ? offset : offset | 0;
  return flags + 1 + slebSize(value) + 1;
}

/** Encoded size of one active data segment of `length` bytes at `offset`. */
export function segmentEncodedSize(
  offset: number,
  length: number,
  memoryIndex = 0,
  memory64 = false,
): number {
  return segmentHeaderSize(offset, memoryIndex, memory64) + ulebSize(length) + length;
}

/**
 * Finds the maximal runs of non-zero bytes of `memory`: `[start0, end0, start1, end1, ...]`, ends
 * exclusive. Works a 32-bit word at a time where it can: all-zero words are skipped outside a run,
 * words without a zero byte inside one.
 */
export function nonZeroRuns(memory: Uint8Array): number[] {
  const runs: number[] = [];
  const n = memory.length;
  const head = memory.byteOffset % 4 === 0 ? 0 : Math.min(n, 4 - (memory.byteOffset % 4));
  const wordCount = Math.floor((n - head) / 4);
  const words = new Uint32Array(memory.buffer, memory.byteOffset + head, wordCount);
  const tail = head + wordCount * 4;
  let runStart = -1;
  for (let i = 0; i < head; i++) {
    if (memory[i] !== 0) {
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      runs.push(runStart, i);
      runStart = -1;
    }
  }
  for (let w = 0; w < wordCount; w++) {
    const word = words[w]!;
    if (runStart < 0) {
      if (word === 0) continue;
      // Little-endian: the lowest byte of the word is the first in memory.
    } else if (((word - 0x01010101) & ~word & 0x80808080) === 0) {
      continue; // no zero byte: the run goes on
    }
    const at = head + w * 4;
    for (let k = 0; k < 4; k++) {
      if (((word >>> (8 * k)) & 0xff) !== 0) {
        if (runStart < 0) runStart = at + k;
      } else if (runStart >= 0) {
        runs.push(runStart, at + k);
        runStart = -1;
      }
    }
  }
  for (let i = tail; i < n; i++) {
    if (memory[i] !== 0) {
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      runs.push(runStart, i);
      runStart = -1;
    }
  }
  if (runStart >= 0) runs.push(runStart, n);
  return runs;
}

/**
 * Splitting a segment at a gap of g zero bytes costs at most one more header and length field
 * (18 + 10 bytes at worst) and saves g: no optimal plan spans a gap longer than this.
 */
const NEVER_MERGED_GAP = 28;

/**
 * Plans the active data segments that reproduce `memory` (a fresh memory is zero-filled, so only
 * non-zero bytes need a segment). The plan has the smallest total encoded size among all ways of
 * grouping consecutive non-zero runs into segments (exact, linear-time dynamic program); if it has
 * more than `maxSegments` segments, the smallest gaps are then merged until it fits.
 */
export function planDataSegments(memory: Uint8Array, options: PlanOptions = {}): PlannedSegment[] {
  return planMemory(memory, options).segments;
}

/** {@link planDataSegments}, plus the number of non-zero bytes it found (for reports). */
export function planMemory(
  memory: Uint8Array,
  options: PlanOptions = {},
): { segments: PlannedSegment[]; nonZeroBytes: number } {
  const memoryIndex = options.memoryIndex ?? 0;
  const memory64 = options.memory64 ?? false;
  const maxSegments = Math.max(1, options.maxSegments ?? DEFAULT_MAX_DATA_SEGMENTS);
  const runs = nonZeroRuns(memory);
  const count = runs.length / 2;
  if (count === 0) return { segments: [], nonZeroBytes: 0 };
  const starts = new Float64Array(count);
  const ends = new Float64Array(count);
  let nonZeroBytes = 0;
  for (let k = 0; k < count; k++) {
    starts[k] = runs[2 * k]!;
    ends[k] = runs[2 * k + 1]!;
    nonZeroBytes += ends[k]! - starts[k]!;
  }
  const start = (k: number): number => starts[k]!;
  const end = (k: number): number => ends[k]!;

  // f[j]: least encoded size of runs 0..j-1 split into segments, the last ending at run j-1.
  // A segment over runs i..j-1 costs header(start_i) + uleb(len) + len with len = end_{j-1} - start_i,
  // so f[j] = end_{j-1} + min_i (a[i] + uleb(end_{j-1} - start_i)) with a[i] = f[i] + header(start_i) - start_i.
  // uleb(len) takes five values; for each one the admissible i form a window sliding right as j grows,
  // so one monotone deque per LEB length gives the exact minimum in linear time.
  const f = new Float64Array(count + 1);
  const choice = new Int32Array(count + 1);
  const a = new Float64Array(count);
  const classes = 5;
  const deques: Int32Array[] = [];
  const heads = new Int32Array(classes);
  const tails = new Int32Array(classes);
  const added = new Int32Array(classes);
  for (let c = 0; c < classes; c++) deques.push(new Int32Array(count));
  const lenMins = [1, 128, 128 ** 2, 128 ** 3, 128 ** 4];
  const lenMaxs = [127, 128 ** 2 - 1, 128 ** 3 - 1, 128 ** 4 - 1, 128 ** 5 - 1];
  let clusterStart = 0;
  for (let j = 1; j <= count; j++) {
    const i = j - 1;
    if (i > 0 && start(i) - end(i - 1) > NEVER_MERGED_GAP) {
      // No segment crosses this gap: start afresh, with no earlier run as a candidate.
      clusterStart = i;
      for (let c = 0; c < classes; c++) {
        heads[c] = 0;
        tails[c] = 0;
        added[c] = i;
      }
    }
    a[i] = f[i]! + segmentHeaderSize(start(i), memoryIndex, memory64) - start(i);
    const e = end(j - 1);
    const span = e - start(clusterStart);
    let best = Number.POSITIVE_INFINITY;
    let bestI = -1;
    for (let c = 0; c < classes; c++) {
      const lenMin = lenMins[c]!;
      if (span < lenMin) break; // no run of this cluster starts early enough for this LEB size
      const lenMax = lenMaxs[c]!;
      const dq = deques[c]!;
      // Admit every run whose start leaves a length of at least lenMin.
      while (added[c]! < j && e - start(added[c]!) >= lenMin) {
        const k = added[c]!;
        while (tails[c]! > heads[c]! && a[dq[tails[c]! - 1]!]! >= a[k]!) tails[c]!--;
        dq[tails[c]!] = k;
        tails[c]!++;
        added[c]!++;
      }
      // Retire runs whose start is so early that the length no longer fits in this LEB size.
      while (tails[c]! > heads[c]! && e - start(dq[heads[c]!]!) > lenMax) heads[c]!++;
      if (tails[c]! > heads[c]!) {
        const k = dq[heads[c]!]!;
        const cost = a[k]! + c + 1;
        if (cost < best || (cost === best && k > bestI)) {
          best = cost;
          bestI = k;
        }
      }
    }
    f[j] = e + best;
    choice[j] = bestI;
  }

  const bounds: number[] = [];
  for (let j = count; j > 0; j = choice[j]!) bounds.push(start(choice[j]!), end(j - 1));
  // bounds holds [start, end] pairs from last to first.
  const segs: Array<[number, number]> = [];
  for (let k = bounds.length - 2; k >= 0; k -= 2) segs.push([bounds[k]!, bounds[k + 1]!]);

  const merged = segs.length > maxSegments ? mergeSmallestGaps(segs, maxSegments) : segs;
  return { segments: merged.map(([s, e]) => ({ offset: s, bytes: memory.subarray(s, e) })), nonZeroBytes };
}

/** Merges the `segs.length - max` smallest gaps (ties: lowest offset first). */
function mergeSmallestGaps(segs: Array<[number, number]>, max: number): Array<[number, number]> {
  const gaps = segs.slice(1).map((s, k) => ({ k, size: s[0] - segs[k]![1] }));
  gaps.sort((x, y) => x.size - y.size || x.k - y.k);
  const mergeAfter = new Uint8Array(segs.length);
  for (const g of gaps.slice(0, segs.length - max)) mergeAfter[g.k] = 1;
  const out: Array<[number, number]> = [];
  let cur = segs[0]!;
  for (let k = 1; k < segs.length; k++) {
    const next = segs[k]!;
    if (mergeAfter[k - 1] === 1) cur = [cur[0], next[1]];
    else {
      out.push(cur);
      cur = next;
    }
  }
  out.push(cur);
  return out;
}
