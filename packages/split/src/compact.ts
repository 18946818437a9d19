import { type DataSegment, decodeConstExpr, i32Const, i64Const } from '@wasm-runtime/wasm';

/** Zero runs at least this long inside a segment are cut out (a segment header costs up to ~10 bytes). */
export const MIN_ZERO_RUN = 16;

/**
 * Drops the zero bytes of active data segments that a fresh memory already holds: leading and
 * trailing zeros, and zero runs of `MIN_ZERO_RUN` bytes or more inside a segment (which is cut in
 * two). Only sound where no other segment writes the same bytes, so a memory whose segments
 * overlap is left as it is. Returns the input array itself when nothing changes.
 */
export function compactSegments(segments: readonly DataSegment[]): readonly DataSegment[] {
  const ranges = segments.map((s) => {
    const start = offsetOf(s);
    return start === undefined ? undefined : { memory: s.memory, start, end: start + BigInt(s.data.length) };
  });
  const overlapping = new Set<number>();
  const byMemory = new Map<number, { start: bigint; end: bigint }[]>();
  for (const r of ranges) {
    if (r === undefined) continue;
    const list = byMemory.get(r.memory) ?? [];
    list.push(r);
    byMemory.set(r.memory, list);
  }
  for (const [memory, list] of byMemory) {
    list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    for (let i = 1; i < list.length; i++) if (list[i]!.start < list[i - 1]!.end) overlapping.add(memory);
  }
  let changed = false;
  const out: DataSegment[] = [];
  segments.forEach((s, i) => {
    const range = ranges[i];
    if (range === undefined || overlapping.has(s.memory) || s.offset === undefined) {
      out.push(s);
      return;
    }
    const pieces = nonZeroPieces(s.data);
    if (pieces.length === 1 && pieces[0]![0] === 0 && pieces[0]![1] === s.data.length) {
      out.push(s);
      return;
    }
    changed = true;
    const is64 = decodeConstExpr(s.offset)[0]?.op === 'i64.const';
    for (const [from, to] of pieces) {
      const at = range.start + BigInt(from);
      out.push({
        mode: 'active',
        memory: s.memory,
        offset: is64 ? i64Const(at) : i32Const(Number(BigInt.asIntN(32, at))),
        data: s.data.subarray(from, to),
      });
    }
  });
  return changed ? out : segments;
}

/** The offset of an active segment whose offset is one plain constant. */
function offsetOf(s: DataSegment): bigint | undefined {
  if (s.mode !== 'active' || s.offset === undefined) return undefined;
  const instrs = decodeConstExpr(s.offset);
  const [instr] = instrs;
  if (instrs.length !== 1 || instr === undefined) return undefined;
  if (instr.op === 'i32.const') return BigInt(instr.value >>> 0);
  if (instr.op === 'i64.const') return BigInt.asUintN(64, instr.value);
  return undefined;
}

/** [from, to) ranges of `data` to keep. */
function nonZeroPieces(data: Uint8Array): [number, number][] {
  const pieces: [number, number][] = [];
  let i = 0;
  while (i < data.length) {
    while (i < data.length && data[i] === 0) i++;
    if (i === data.length) break;
    const from = i;
    let end = i;
    while (i < data.length) {
      if (data[i] !== 0) {
        end = ++i;
        continue;
      }
      let j = i;
      while (j < data.length && data[j] === 0) j++;
      if (j === data.length || j - i >= MIN_ZERO_RUN) {
        i = j;
        break;
      }
      i = j;
    }
    pieces.push([from, end]);
  }
  return pieces;
}
