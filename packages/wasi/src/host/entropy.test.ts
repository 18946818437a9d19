import { describe, expect, it } from 'vitest';
import { fillRandom } from './entropy.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('fillRandom', () => {
  it('hands out every buffered byte once: small draws across several refills never repeat', () => {
    const seen = new Set<string>();
    const into = new Uint8Array(64);
    // 16-byte draws: 256 fill the 4 KiB buffer, so 1,000 cross three refills; 7-byte draws
    // leave the buffer at offsets a refill must handle.
    for (let i = 0; i < 1000; i++) {
      fillRandom(into, 8, i % 3 === 0 ? 7 : 16);
      seen.add(hex(into.subarray(8, i % 3 === 0 ? 15 : 24)));
    }
    expect(seen.size).toBe(1000);
    expect(hex(into.subarray(0, 8))).toBe('0'.repeat(16));
  });

  it('fills large requests and views of shared memory', () => {
    const big = new Uint8Array(200_000);
    fillRandom(big, 0, big.length);
    // A run of 64 zero bytes in 200 kB of random bytes has a probability of about 2^-512.
    for (let at = 0; at + 64 <= big.length; at += 64)
      expect(big.subarray(at, at + 64).some((b) => b !== 0)).toBe(true);
    const shared = new Uint8Array(new SharedArrayBuffer(1024));
    fillRandom(shared, 0, 32);
    fillRandom(shared, 32, 900);
    expect(shared.subarray(0, 32).some((b) => b !== 0)).toBe(true);
    expect(shared.subarray(32, 932).some((b) => b !== 0)).toBe(true);
    expect(shared.subarray(932).every((b) => b === 0)).toBe(true);
  });
});
