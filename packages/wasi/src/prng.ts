/**
 * xoshiro128** seeded through splitmix32: small, fast, and identical on every platform, so a
 * deterministic run draws the same random bytes everywhere.
 */
export class Prng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: number | bigint = 0) {
    let x = Number(BigInt.asUintN(32, BigInt(seed))) ^ Number(BigInt.asUintN(32, BigInt(seed) >> 32n));
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** The next 32 random bits. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Fill `bytes[offset..offset+length]`. */
  fill(bytes: Uint8Array, offset: number, length: number): void {
    let i = 0;
    for (; i + 4 <= length; i += 4) {
      const v = this.nextU32();
      bytes[offset + i] = v & 0xff;
      bytes[offset + i + 1] = (v >>> 8) & 0xff;
      bytes[offset + i + 2] = (v >>> 16) & 0xff;
      bytes[offset + i + 3] = v >>> 24;
    }
    if (i < length) {
      let v = this.nextU32();
      for (; i < length; i++) {
        bytes[offset + i] = v & 0xff;
        v >>>= 8;
      }
    }
  }

  /** The generator's state, to save and restore. */
  get state(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }
  set state(value: [number, number, number, number]) {
    [this.s0, this.s1, this.s2, this.s3] = value;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
