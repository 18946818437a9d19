import { describe, expect, it } from 'vitest';
import { lowerCliInput } from './core.js';

/** A memory and a bump allocator standing in for a module's `cabi_realloc`, which it records. */
function guest() {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const calls: [number, number, number, number][] = [];
  let top = 1024;
  const cabi_realloc = (ptr: number, old: number, align: number, size: number) => {
    calls.push([ptr, old, align, size]);
    top = Math.ceil(top / align) * align;
    const at = top;
    top += size;
    if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
    return at;
  };
  return { exports: { memory, cabi_realloc }, calls };
}

/** Reads back the canonical-ABI area as a callee would. */
function lift(memory: WebAssembly.Memory, area: number) {
  const view = new DataView(memory.buffer);
  const word = (at: number) => view.getUint32(at, true);
  const bytes = (at: number) => new Uint8Array(memory.buffer, word(at), word(at + 4)).slice();
  const text = (at: number) => new TextDecoder().decode(bytes(at));
  const list = <T>(at: number, size: number, item: (at: number) => T) =>
    Array.from({ length: word(at + 4) }, (_, i) => item(word(at) + i * size));
  return {
    args: list(area, 8, text),
    env: list(area + 8, 16, (at) => [text(at), text(at + 8)]),
    stdin: bytes(area + 16),
  };
}

describe('lowerCliInput', () => {
  it('writes (list<string>, list<tuple<string, string>>, list<u8>) as the canonical ABI lays them out', () => {
    const g = guest();
    const stdin = new Uint8Array(200_000).map((_, i) => (i * 13) & 255);
    const input = { args: ['app', 'ünï ☃', ''], env: { A: '1', 'B C': 'é=x', EMPTY: '' }, stdin };
    const area = lowerCliInput(g.exports, input, 'dist');
    expect(area % 4).toBe(0);
    const lifted = lift(g.exports.memory, area);
    expect([lifted.args, lifted.env]).toEqual([
      ['app', 'ünï ☃', ''],
      [
        ['A', '1'],
        ['B C', 'é=x'],
        ['EMPTY', ''],
      ],
    ]);
    expect(Buffer.from(lifted.stdin).equals(stdin)).toBe(true);
    // Every block is a fresh allocation with its alignment; empty ones are not allocated.
    expect(g.calls.every(([ptr, old, align, size]) => ptr === 0 && old === 0 && size > 0 && align >= 1)).toBe(
      true,
    );
    expect(g.calls.at(-1)).toEqual([0, 0, 4, 24]);
  });

  it('writes empty lists for an empty input', () => {
    const g = guest();
    const area = lowerCliInput(g.exports, { args: [], env: {}, stdin: new Uint8Array(0) }, 'dist');
    expect(lift(g.exports.memory, area)).toEqual({ args: [], env: [], stdin: new Uint8Array(0) });
  });

  it('refuses a module without cabi_realloc with a typed error', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(() => lowerCliInput({ memory }, { args: [], env: {}, stdin: new Uint8Array(0) }, 'dist')).toThrow(
      expect.objectContaining({ code: 'ERR_DIST_INVALID', message: expect.stringMatching(/cabi_realloc/) }),
    );
  });
});
