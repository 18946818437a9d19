import type { DistManifest } from '@wasm-runtime/pipeline';
import { describe, expect, it } from 'vitest';
import { defaultPoolSize } from './deploy.js';

const MiB = 1024 * 1024;

/** A manifest's split part with one memory of this many bytes. */
function withMemory(bytes: number): Pick<DistManifest, 'split'> {
  return {
    split: {
      imports: [
        {
          kind: 'memory',
          name: 'memory',
          index: 0,
          pages: bytes / 65536,
          maxPages: null,
          shared: false,
          memory64: false,
        },
        { kind: 'global', name: 'global0', index: 0, valType: 'i32', mutable: true },
      ],
    },
  } as unknown as Pick<DistManifest, 'split'>;
}

describe('defaultPoolSize', () => {
  it('pools 4 instances of a small app, fewer of a large one, never none', () => {
    expect(defaultPoolSize(withMemory(1 * MiB))).toBe(4);
    expect(defaultPoolSize(withMemory(16 * MiB))).toBe(4);
    expect(defaultPoolSize(withMemory(20 * MiB))).toBe(3);
    expect(defaultPoolSize(withMemory(40 * MiB))).toBe(1);
    expect(defaultPoolSize(withMemory(200 * MiB))).toBe(1);
  });
});
