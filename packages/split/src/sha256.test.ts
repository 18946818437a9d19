import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { portableSha256Hex, sha256Hex } from './sha256.js';

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 vectors', () => {
    const abc = new TextEncoder().encode('abc');
    expect(sha256Hex(abc)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(portableSha256Hex(abc)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(portableSha256Hex(new Uint8Array(0))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('the portable implementation agrees with node:crypto at every block boundary', () => {
    const data = new Uint8Array(300).map((_, i) => (i * 131 + 7) & 0xff);
    for (const n of [1, 55, 56, 63, 64, 65, 119, 120, 128, 200, 300]) {
      const slice = data.subarray(0, n);
      expect(portableSha256Hex(slice), `length ${n}`).toBe(createHash('sha256').update(slice).digest('hex'));
    }
  });
});
