import { MalformedModuleError } from './errors.js';

/**
 * LEB128 as the WebAssembly binary format uses it. Readers return the value and the offset just
 * past it, so callers never allocate a cursor object on hot paths.
 */

/** Result of a read: the decoded value and the offset of the next byte. */
export interface Read<T> {
  value: T;
  next: number;
}

/**
 * Reads an unsigned LEB128 of at most `bits` bits (32 by default) starting at `offset`.
 * Rejects encodings longer than ceil(bits/7) bytes and unused bits set in the last byte, as the
 * spec requires.
 */
export function readU32(bytes: Uint8Array, offset: number, bits = 32): Read<number> {
  const maxBytes = Math.ceil(bits / 7);
  let result = 0;
  let shift = 0;
  for (let i = 0; i < maxBytes; i++) {
    const at = offset + i;
    if (at >= bytes.length) throw new MalformedModuleError('unexpected end of input in a LEB128 integer', at);
    const byte = bytes[at]!;
    const last = i === maxBytes - 1;
    if (last) {
      const usedBits = bits - shift;
      if (byte & 0x80 || byte >> usedBits !== 0) {
        throw new MalformedModuleError(`LEB128 integer too large for u${bits}`, at);
      }
    }
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return { value: result, next: at + 1 };
  }
  /* c8 ignore next */
  throw new MalformedModuleError(`LEB128 integer too long for u${bits}`, offset);
}

/** Reads a signed LEB128 of at most 32 bits. */
export function readS32(bytes: Uint8Array, offset: number): Read<number> {
  const { value, next } = readS64(bytes, offset, 32);
  return { value: Number(value), next };
}

/** Reads a signed LEB128 of at most `bits` bits (64 by default) as a bigint. */
export function readS64(bytes: Uint8Array, offset: number, bits = 64): Read<bigint> {
  const maxBytes = Math.ceil(bits / 7);
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < maxBytes; i++) {
    const at = offset + i;
    if (at >= bytes.length) throw new MalformedModuleError('unexpected end of input in a LEB128 integer', at);
    const byte = bytes[at]!;
    result |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if (i === maxBytes - 1) {
      // The unused high bits of the last byte must all equal the sign bit.
      const usedBits = bits - i * 7;
      const rest = (byte & 0x7f) >> (usedBits - 1);
      if (byte & 0x80 || (rest !== 0 && rest !== 0x7f >> (usedBits - 1))) {
        throw new MalformedModuleError(`LEB128 integer too large for s${bits}`, at);
      }
    }
    if ((byte & 0x80) === 0) {
      if (byte & 0x40 && shift < 64n) result -= 1n << shift;
      else if (shift >= 64n) result = BigInt.asIntN(64, result);
      return { value: BigInt.asIntN(bits, result), next: at + 1 };
    }
  }
  /* c8 ignore next */
  throw new MalformedModuleError(`LEB128 integer too long for s${bits}`, offset);
}

/** Encodes an unsigned integer (a number up to 2^53, or a bigint) as LEB128. */
export function encodeU(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  if (v < 0n) throw new RangeError(`encodeU: negative value ${value}`);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

/** Encodes a signed integer as LEB128 in the fewest bytes. */
export function encodeS(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  const out: number[] = [];
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return Uint8Array.from(out);
  }
}
