import { MalformedModuleError } from './errors.js';
import type { HeapType, RefTypeShorthand, ValType } from './types.js';

// ignoreBOM: a name may start with U+FEFF, and dropping it would change the bytes written back.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Heap type names by their one-byte encoding. */
export const HEAP_BY_BYTE: ReadonlyMap<number, Exclude<HeapType, number>> = new Map<
  number,
  Exclude<HeapType, number>
>([
  [0x70, 'func'],
  [0x6f, 'extern'],
  [0x69, 'exn'],
  [0x6e, 'any'],
  [0x6d, 'eq'],
  [0x6c, 'i31'],
  [0x6b, 'struct'],
  [0x6a, 'array'],
  [0x71, 'none'],
  [0x72, 'noextern'],
  [0x73, 'nofunc'],
  [0x74, 'noexn'],
]);

/** Value types by their one-byte encoding. */
export const VALTYPE_BY_BYTE: ReadonlyMap<number, Exclude<ValType, object>> = new Map<
  number,
  Exclude<ValType, object>
>([
  [0x7f, 'i32'],
  [0x7e, 'i64'],
  [0x7d, 'f32'],
  [0x7c, 'f64'],
  [0x7b, 'v128'],
  [0x70, 'funcref'],
  [0x6f, 'externref'],
  [0x69, 'exnref'],
  [0x6e, 'anyref'],
  [0x6d, 'eqref'],
  [0x6c, 'i31ref'],
  [0x6b, 'structref'],
  [0x6a, 'arrayref'],
  [0x71, 'nullref'],
  [0x72, 'nullexternref'],
  [0x73, 'nullfuncref'],
  [0x74, 'nullexnref'],
] satisfies [number, NumOrShorthand][]);

type NumOrShorthand = Exclude<ValType, object> | RefTypeShorthand;

/**
 * A bounded reader over the input. Offsets are absolute in `bytes`; reading past `end` (the end
 * of the current section) is a MalformedModuleError naming the section and the offset.
 */
export class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    public end: number,
    public section: string | undefined,
  ) {}

  fail(message: string, at: number = this.pos): never {
    throw new MalformedModuleError(message, at, this.section);
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  u8(): number {
    if (this.pos >= this.end) this.fail(this.endMessage());
    return this.bytes[this.pos++]!;
  }

  private endMessage(): string {
    return this.end < this.bytes.length ? 'unexpected end of section' : 'unexpected end of input';
  }

  /** Unsigned LEB128 of at most `bits` bits (32 or 64; 64-bit values must fit in 2^53). */
  u32(bits = 32): number {
    const start = this.pos;
    const maxBytes = bits === 32 ? 5 : 10;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= this.end) this.fail(`${this.endMessage()} in a LEB128 integer`);
      const byte = this.bytes[this.pos++]!;
      if (i === maxBytes - 1) {
        const unused = bits === 32 ? 0x70 : 0x7e;
        if (byte & 0x80 || byte & unused) this.fail(`LEB128 integer too large for u${bits}`, this.pos - 1);
      }
      result += (byte & 0x7f) * mul;
      if ((byte & 0x80) === 0) {
        if (result > Number.MAX_SAFE_INTEGER) this.fail(`LEB128 integer above 2^53 is not supported`, start);
        return result;
      }
      mul *= 128;
    }
    /* c8 ignore next */
    return this.fail('LEB128 integer too long', start);
  }

  /** Signed LEB128 of at most `bits` bits (32 or 33) as a number. */
  s32(bits = 32): number {
    const maxBytes = 5;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= this.end) this.fail(`${this.endMessage()} in a LEB128 integer`);
      const byte = this.bytes[this.pos++]!;
      if (i === maxBytes - 1) {
        // 4 payload bits are used by s32 (3 + sign for s33): the rest must repeat the sign.
        const high = byte & (bits === 32 ? 0x78 : 0x70);
        if (byte & 0x80 || (high !== 0 && high !== (bits === 32 ? 0x78 : 0x70))) {
          this.fail(`LEB128 integer too large for s${bits}`, this.pos - 1);
        }
      }
      result += (byte & 0x7f) * mul;
      mul *= 128;
      if ((byte & 0x80) === 0) return byte & 0x40 ? result - mul : result;
    }
    /* c8 ignore next */
    return this.fail('LEB128 integer too long');
  }

  /** Signed 64-bit LEB128 as a bigint. */
  s64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail(`${this.endMessage()} in a LEB128 integer`);
      const byte = this.bytes[this.pos++]!;
      if (i === 9 && (byte & 0x80 || (byte !== 0 && byte !== 0x7f))) {
        this.fail('LEB128 integer too large for s64', this.pos - 1);
      }
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) return BigInt.asIntN(64, byte & 0x40 ? result - (1n << shift) : result);
    }
    /* c8 ignore next */
    return this.fail('LEB128 integer too long');
  }

  /** Skips a LEB128 of at most `maxBytes` bytes without decoding it. */
  skipLeb(maxBytes: number): void {
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= this.end) this.fail(`${this.endMessage()} in a LEB128 integer`);
      if ((this.bytes[this.pos++]! & 0x80) === 0) return;
    }
    this.fail('LEB128 integer too long', this.pos - 1);
  }

  /** A zero-copy view of the next `length` bytes. */
  take(length: number): Uint8Array {
    if (length > this.end - this.pos) {
      this.fail(`${length} bytes announced but only ${this.end - this.pos} remain`);
    }
    const view = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return view;
  }

  skip(length: number): void {
    if (length > this.end - this.pos) this.fail(this.endMessage());
    this.pos += length;
  }

  /** A name: u32 length then UTF-8. */
  name(): string {
    const at = this.pos;
    const length = this.u32();
    const raw = this.take(length);
    try {
      return utf8.decode(raw);
    } catch {
      return this.fail('name is not valid UTF-8', at);
    }
  }

  /** A vector length, checked against the bytes left (each entry takes at least `minSize`). */
  count(minSize = 1): number {
    const at = this.pos;
    const n = this.u32();
    if (n * minSize > this.end - this.pos)
      this.fail(`vector of ${n} entries cannot fit in the bytes left`, at);
    return n;
  }

  heapType(): HeapType {
    const byte = this.bytes[this.pos];
    if (byte !== undefined && this.pos < this.end) {
      const name = HEAP_BY_BYTE.get(byte);
      if (name !== undefined) {
        this.pos++;
        return name;
      }
    }
    const at = this.pos;
    const index = this.s32(33);
    if (index < 0) this.fail(`unknown heap type ${index}`, at);
    return index;
  }

  valType(): ValType {
    const at = this.pos;
    const byte = this.u8();
    const simple = VALTYPE_BY_BYTE.get(byte);
    if (simple !== undefined) return simple;
    if (byte === 0x63 || byte === 0x64)
      return Object.freeze({ ref: this.heapType(), nullable: byte === 0x63 });
    return this.fail(`unknown value type 0x${byte.toString(16)}`, at);
  }
}
