import {
  type DataSegment,
  encodeSection,
  originalSectionBytes,
  type Section,
  type WasmModule,
} from '@wasm-runtime/wasm';
import { ulebSize } from './segments.js';

/** A module's bytes as consecutive pieces (views of the snapshot and of the input, mostly). */
export interface ModuleParts {
  parts: Uint8Array[];
  /** Total length of the pieces. */
  size: number;
}

const DATA_SECTION_ID = 11;
/** Segment contents shorter than this are copied next to their headers rather than referenced. */
const INLINE_BELOW = 4096;
const BLOCK_SIZE = 256 * 1024;

/** Appends bytes to a list of pieces: small ones copied into blocks, large ones by reference. */
class PieceWriter {
  readonly parts: Uint8Array[] = [];
  private block = new Uint8Array(BLOCK_SIZE);
  private start = 0;
  private at = 0;

  private room(n: number): void {
    if (this.at + n <= this.block.length) return;
    this.flush();
    this.block = new Uint8Array(Math.max(BLOCK_SIZE, n));
    this.start = 0;
    this.at = 0;
  }

  flush(): void {
    if (this.at > this.start) this.parts.push(this.block.subarray(this.start, this.at));
    this.start = this.at;
  }

  u32(n: number): void {
    this.room(5);
    let v = n;
    do {
      let b = v & 0x7f;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.block[this.at++] = b;
    } while (v !== 0);
  }

  bytes(bytes: Uint8Array): void {
    if (bytes.length >= INLINE_BELOW) {
      this.flush();
      this.parts.push(bytes);
      return;
    }
    this.room(bytes.length);
    this.block.set(bytes, this.at);
    this.at += bytes.length;
  }
}

/** The data segment flags the module writer of `@wasm-runtime/wasm` uses (0, 1 or 2). */
function dataFlags(s: DataSegment): number {
  if (s.mode === 'passive') return 1;
  if (s.offset === undefined) throw new RangeError('an active data segment needs an `offset`');
  return s.encoding === 2 || s.memory !== 0 ? 2 : 0;
}

/** Encodes a data section as pieces: headers in shared blocks, large contents as the views they are. */
function dataSectionParts(segments: readonly DataSegment[], into: Uint8Array[]): number {
  let payload = ulebSize(segments.length);
  for (const s of segments) {
    const flags = dataFlags(s);
    payload += ulebSize(flags) + ulebSize(s.data.length) + s.data.length;
    if (flags === 2) payload += ulebSize(s.memory);
    if (flags !== 1) payload += s.offset!.length;
  }
  const w = new PieceWriter();
  w.u32(DATA_SECTION_ID);
  w.u32(payload);
  w.u32(segments.length);
  for (const s of segments) {
    const flags = dataFlags(s);
    w.u32(flags);
    if (flags === 2) w.u32(s.memory);
    if (flags !== 1) w.bytes(s.offset!);
    w.u32(s.data.length);
    w.bytes(s.data);
  }
  w.flush();
  into.push(...w.parts);
  return 1 + ulebSize(payload) + payload;
}

/**
 * Encodes `module` as `writeModule` of `@wasm-runtime/wasm` does (same bytes), but as a list of
 * pieces, so that a 30 MB snapshot is not copied into one buffer on its way to a file. Sections
 * from the input stay views of it; a new data section references the snapshot's memory.
 */
export function encodeModuleParts(module: WasmModule): ModuleParts {
  const header = new Uint8Array(8);
  header.set([0x00, 0x61, 0x73, 0x6d], 0);
  new DataView(header.buffer).setUint32(4, module.version, true);
  const parts: Uint8Array[] = [header];
  let size = 8;
  for (const section of module.sections as readonly Section[]) {
    if (section.kind === 'data' && originalSectionBytes(section) === undefined) {
      size += dataSectionParts(section.segments, parts);
    } else {
      const bytes = encodeSection(section);
      parts.push(bytes);
      size += bytes.length;
    }
  }
  return { parts, size };
}

/** The pieces joined into one buffer. */
export function joinParts({ parts, size }: ModuleParts): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Makes the offset expressions of many data segments (`i32.const`, or `i64.const` for a
 * memory64, then `end`) as views into shared blocks: the codec's general encoder goes through
 * BigInt, about 1 µs per segment.
 */
export class OffsetExprs {
  private block = new Uint8Array(0);
  private at = 0;

  /** The expression for `offset` (an i32.const of `offset | 0` unless `memory64`). */
  make(offset: number, memory64: boolean): Uint8Array {
    if (this.at + 12 > this.block.length) {
      this.block = new Uint8Array(64 * 1024);
      this.at = 0;
    }
    const start = this.at;
    const block = this.block;
    block[this.at++] = memory64 ? 0x42 : 0x41;
    let v = memory64 ? offset : offset | 0;
    for (;;) {
      const byte = ((v % 128) + 128) % 128;
      v = Math.floor(v / 128);
      const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
      block[this.at++] = done ? byte : byte | 0x80;
      if (done) break;
    }
    block[this.at++] = 0x0b;
    return block.subarray(start, this.at);
  }
}
