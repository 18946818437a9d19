/**
 * Building an app module's state with the JS API instead of compiling and instantiating it.
 *
 * An app module is memories, globals, exports and data segments, nothing else. V8 compiling it
 * copies and hashes its bytes (about 0.3 ns a byte) before instantiation copies the segments;
 * reading it here costs instead about 0.15 µs a segment. So for an app whose segments are large
 * (a mean of 1 KiB or more) this is faster; for a heap snapshot of tens of thousands of small
 * segments V8's native loop is. `link`'s default (`materializeApp: 'auto'`) picks by that mean.
 *
 * The reader accepts only what it reproduces exactly and declines everything else (returns
 * undefined), so the caller compiles the module and V8 reports malformed input the usual way.
 */

/** What a materialized app gives the engine: no instance, its exports, and their shape. */
export interface MaterializedApp {
  instance: null;
  exports: WebAssembly.Exports;
  shape: readonly WebAssembly.ModuleExportDescriptor[];
}

/** Mean data segment size from which materializing beats compiling (see the module comment). */
export const MATERIALIZE_MIN_MEAN_SEGMENT = 1024;

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const MAX_PAGES = 65536;
/** Rank of each section id an app module may hold, in the order the binary format requires. */
const RANK: Readonly<Record<number, number>> = { 5: 1, 6: 2, 7: 3, 12: 4, 11: 5 };
const utf8 = new TextDecoder('utf-8', { fatal: true });
const scratch = new DataView(new ArrayBuffer(8));

/** Thrown inside the reader to decline; never escapes this module. */
const DECLINE = Symbol('decline');

/** A forward reader over the module's bytes with LEB128 decoding; throws DECLINE on anything odd. */
class Reader {
  p = 8;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    const b = this.bytes[this.p++];
    if (b === undefined) throw DECLINE;
    return b;
  }

  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        // The fifth byte may only carry the top 4 bits.
        if (shift === 28 && b > 0x0f) throw DECLINE;
        return result >>> 0;
      }
    }
    throw DECLINE;
  }

  s32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (shift === 28) {
          // The fifth byte's unused bits must repeat the sign bit.
          const high = b & 0x78;
          if (high !== 0 && high !== 0x78) throw DECLINE;
          return result | 0;
        }
        return b & 0x40 ? result | (-1 << (shift + 7)) : result;
      }
    }
    throw DECLINE;
  }

  s64(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (shift === 63n) {
          if (b !== 0 && b !== 0x7f) throw DECLINE;
        } else if (b & 0x40) result -= 1n << (shift + 7n);
        return BigInt.asIntN(64, result);
      }
    }
    throw DECLINE;
  }

  name(): string {
    const length = this.u32();
    const end = this.p + length;
    if (end > this.bytes.length) throw DECLINE;
    try {
      return utf8.decode(this.bytes.subarray(this.p, end));
    } catch {
      throw DECLINE;
    } finally {
      this.p = end;
    }
  }

  /** A float's bytes as a number; NaNs decline (a JS number cannot carry their payload). */
  float(size: 4 | 8): number {
    if (this.p + size > this.bytes.length) throw DECLINE;
    for (let i = 0; i < size; i++) scratch.setUint8(i, this.bytes[this.p + i]!);
    this.p += size;
    const value = size === 4 ? scratch.getFloat32(0, true) : scratch.getFloat64(0, true);
    if (Number.isNaN(value)) throw DECLINE;
    return value;
  }

  end(): void {
    if (this.byte() !== 0x0b) throw DECLINE;
  }
}

/**
 * Builds an app module's exports with the JS API, exactly as instantiating it would: memories of
 * the declared size with the active data segments copied in order, globals with their values.
 * Returns undefined for anything else (shared or 64-bit memories, custom page sizes, v128 or
 * reference globals, non-constant or extended-constant initializers, passive or out-of-bounds
 * segments, code, imports, malformed bytes).
 */
export function materializeApp(bytes: Uint8Array): MaterializedApp | undefined {
  if (bytes.length < 8 || HEADER.some((b, i) => bytes[i] !== b)) return undefined;
  try {
    return read(new Reader(bytes));
  } catch (error) {
    if (error === DECLINE) return undefined;
    throw error;
  }
}

function read(r: Reader): MaterializedApp {
  const { bytes } = r;
  const memories: WebAssembly.Memory[] = [];
  const globals: WebAssembly.Global[] = [];
  const exports: Record<string, WebAssembly.Memory | WebAssembly.Global> = {};
  const shape: WebAssembly.ModuleExportDescriptor[] = [];
  let rank = 0;
  let dataCount: number | undefined;
  let segments = 0;
  while (r.p < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.p + size;
    if (end > bytes.length) throw DECLINE;
    if (id === 0) {
      r.name();
      if (r.p > end) throw DECLINE;
      r.p = end;
      continue;
    }
    const next = RANK[id];
    if (next === undefined || next <= rank) throw DECLINE;
    rank = next;
    const count = r.u32();
    switch (id) {
      case 5:
        if (count > 1) throw DECLINE;
        for (let i = 0; i < count; i++) memories.push(readMemory(r));
        break;
      case 6:
        for (let i = 0; i < count; i++) globals.push(readGlobal(r));
        break;
      case 7:
        for (let i = 0; i < count; i++) {
          const name = r.name();
          const kind = r.byte();
          const index = r.u32();
          const value = kind === 2 ? memories[index] : kind === 3 ? globals[index] : undefined;
          if (value === undefined || Object.hasOwn(exports, name)) throw DECLINE;
          exports[name] = value;
          shape.push({ name, kind: kind === 2 ? 'memory' : 'global' });
        }
        break;
      case 12:
        dataCount = count; // the section's whole content
        break;
      case 11:
        segments = count;
        copySegments(r, end, count, memories);
        break;
    }
    if (r.p !== end) throw DECLINE;
  }
  if (dataCount !== undefined && dataCount !== segments) throw DECLINE;
  return { instance: null, exports, shape };
}

function readMemory(r: Reader): WebAssembly.Memory {
  const flags = r.u32();
  if (flags !== 0 && flags !== 1) throw DECLINE;
  const initial = r.u32();
  const descriptor: WebAssembly.MemoryDescriptor = { initial };
  if (flags === 1) descriptor.maximum = r.u32();
  if (
    initial > MAX_PAGES ||
    (descriptor.maximum ?? 0) > MAX_PAGES ||
    initial > (descriptor.maximum ?? MAX_PAGES)
  )
    throw DECLINE;
  try {
    return new WebAssembly.Memory(descriptor);
  } catch {
    throw DECLINE; // out of memory: instantiating reports it
  }
}

function readGlobal(r: Reader): WebAssembly.Global {
  const type = r.byte();
  const mut = r.byte();
  if (mut > 1) throw DECLINE;
  const op = r.byte();
  let global: WebAssembly.Global;
  const mutable = mut === 1;
  if (type === 0x7f && op === 0x41) global = new WebAssembly.Global({ value: 'i32', mutable }, r.s32());
  else if (type === 0x7e && op === 0x42) global = new WebAssembly.Global({ value: 'i64', mutable }, r.s64());
  else if (type === 0x7d && op === 0x43)
    global = new WebAssembly.Global({ value: 'f32', mutable }, r.float(4));
  else if (type === 0x7c && op === 0x44)
    global = new WebAssembly.Global({ value: 'f64', mutable }, r.float(8));
  else throw DECLINE;
  r.end();
  return global;
}

/** Copies active `i32.const` segments into their memory, in order (each is bounds-checked first). */
function copySegments(r: Reader, end: number, count: number, memories: WebAssembly.Memory[]): void {
  const { bytes } = r;
  const views = memories.map((m) => new Uint8Array(m.buffer));
  for (let i = 0; i < count; i++) {
    const flags = r.u32();
    const view = flags === 0 ? views[0] : flags === 2 ? views[r.u32()] : undefined;
    if (view === undefined || r.byte() !== 0x41) throw DECLINE;
    const at = r.s32() >>> 0;
    r.end();
    const length = r.u32();
    const from = r.p;
    if (from + length > end || at + length > view.length) throw DECLINE;
    if (length < 16) {
      for (let k = 0; k < length; k++) view[at + k] = bytes[from + k]!;
    } else view.set(bytes.subarray(from, from + length), at);
    r.p = from + length;
  }
}

/**
 * True when materializing an app module is likely faster than compiling it: its data segments
 * average at least {@link MATERIALIZE_MIN_MEAN_SEGMENT} bytes. Reads section headers only.
 */
export function prefersMaterialize(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const r = new Reader(bytes);
  try {
    while (r.p < bytes.length) {
      const id = r.byte();
      const size = r.u32();
      if (id === 11) {
        const start = r.p;
        const count = r.u32();
        return count === 0 || (size - (r.p - start)) / count >= MATERIALIZE_MIN_MEAN_SEGMENT;
      }
      r.p += size;
    }
    return true; // no data at all
  } catch {
    return false;
  }
}
