import type { Preview2Context } from './context.js';
import { WasiTrapError } from './errors.js';

/** Random bytes from preview1's source (seeded in deterministic mode), as a fresh array. */
function draw(c: Preview2Context, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  c.services.random(bytes, 0, length);
  return bytes;
}

function u64(c: Preview2Context): bigint {
  return new DataView(draw(c, 8).buffer).getBigUint64(0, true);
}

/** `list<u8>` of `len` random bytes at the return pointer. */
function bytesTo(c: Preview2Context, fn: string, len: bigint, retptr: number): void {
  const n = Number(BigInt.asUintN(64, len));
  if (!Number.isSafeInteger(n) || n > 0x7fffffff)
    throw new WasiTrapError(fn, `${len} bytes do not fit in a 32-bit memory`);
  const ptr = c.mem.put(fn, draw(c, n));
  c.mem.u32At(fn, retptr, ptr);
  c.mem.u32At(fn, retptr + 4, n);
}

/**
 * `wasi:random/random`, `insecure` and `insecure-seed`: all three draw from the one source
 * preview1's `random_get` uses, so deterministic mode covers them and init's reads are counted.
 */
export function random(c: Preview2Context) {
  return {
    'get-random-bytes': (len: bigint, retptr: number): void => bytesTo(c, 'get-random-bytes', len, retptr),
    'get-random-u64': (): bigint => u64(c),
  };
}

export function insecureRandom(c: Preview2Context) {
  return {
    'get-insecure-random-bytes': (len: bigint, retptr: number): void =>
      bytesTo(c, 'get-insecure-random-bytes', len, retptr),
    'get-insecure-random-u64': (): bigint => u64(c),
  };
}

export function insecureSeed(c: Preview2Context) {
  return {
    'insecure-seed': (retptr: number): void => {
      c.mem.u64At('insecure-seed', retptr, u64(c));
      c.mem.u64At('insecure-seed', retptr + 8, u64(c));
    },
  };
}
