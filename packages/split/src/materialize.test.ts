import {
  encodeS,
  encodeU,
  f32Const,
  f64Const,
  i32Const,
  i64Const,
  type Section,
  writeModule,
} from '@wasm-runtime/wasm';
import { describe, expect, it } from 'vitest';
import { MATERIALIZE_MIN_MEAN_SEGMENT, materializeApp, prefersMaterialize } from './materialize.js';

const bits32 = (x: number) => {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, x);
  return v.getUint32(0);
};
const bits64 = (x: number) => {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  return v.getBigUint64(0);
};

function app(globals: { valType: 'i32' | 'i64' | 'f32' | 'f64'; init: Uint8Array }[], extra: Section[] = []) {
  return writeModule({
    version: 1,
    sections: [
      { kind: 'memory', memories: [{ min: 1, max: 3, shared: false, memory64: false }] },
      {
        kind: 'global',
        globals: globals.map((g) => ({ type: { valType: g.valType, mutable: true }, init: g.init })),
      },
      {
        kind: 'export',
        exports: [
          { name: 'memory', kind: 'memory', index: 0 },
          ...globals.map((_, i) => ({ name: `global${i}`, kind: 'global' as const, index: i })),
        ],
      },
      {
        kind: 'data',
        segments: [
          { mode: 'active', memory: 0, offset: i32Const(10), data: new Uint8Array([1, 2, 3]) },
          { mode: 'active', memory: 0, offset: i32Const(11), data: new Uint8Array([9]) },
        ],
      },
      ...extra,
    ],
  });
}

describe('materializeApp', () => {
  it('builds the same memories and globals as instantiating the module', () => {
    const bytes = app([
      { valType: 'i32', init: i32Const(-5) },
      { valType: 'i64', init: i64Const(2n ** 40n) },
      { valType: 'f32', init: f32Const(bits32(1.5)) },
      { valType: 'f64', init: f64Const(bits64(-0.25)) },
    ]);
    const made = materializeApp(bytes);
    const real = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).exports;
    expect(made).toBeDefined();
    const values = (e: WebAssembly.Exports) =>
      Object.entries(e).map(([k, v]) =>
        v instanceof WebAssembly.Memory
          ? [k, v.buffer.byteLength, [...new Uint8Array(v.buffer, 8, 8)]]
          : [k, (v as WebAssembly.Global).value],
      );
    expect(values(made!.exports)).toEqual(values(real));
    expect(made!.shape.map((s) => s.kind)).toEqual(['memory', 'global', 'global', 'global', 'global']);
    const memory = made!.exports['memory'] as WebAssembly.Memory;
    expect(memory.grow(2)).toBe(1);
    expect(() => memory.grow(1)).toThrow(RangeError);
  });

  it('declines what the JS API cannot reproduce exactly', () => {
    expect(materializeApp(app([{ valType: 'f32', init: f32Const(0x7fc00001) }]))).toBeUndefined();
    const code: Section[] = [{ kind: 'custom', name: 'ok', data: new Uint8Array(0) }];
    expect(materializeApp(app([], code))).toBeDefined();
    expect(materializeApp(new Uint8Array([0, 1, 2]))).toBeUndefined();
  });
});

/** Everything an engine can observe of an app's exports: names, kinds, memory bytes, global values. */
function observe(exports: WebAssembly.Exports) {
  return Object.entries(exports).map(([name, v]) => {
    if (v instanceof WebAssembly.Memory) {
      return { name, pages: v.buffer.byteLength / 65536, bytes: Buffer.from(v.buffer).toString('base64') };
    }
    const g = v as WebAssembly.Global;
    const value = g.value;
    let mutable = true;
    try {
      g.value = value; // throws for an immutable global
    } catch {
      mutable = false;
    }
    return { name, value: g.value, mutable };
  });
}

/** What V8 makes of the bytes: the exports' observation, or null when it rejects them. */
function v8(bytes: Uint8Array) {
  try {
    return observe(
      new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).exports,
    );
  } catch {
    return null;
  }
}

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** A random app module: one memory (or none), globals of every plain type, data segments anywhere. */
function randomApp(next: () => number): Uint8Array {
  const int = (n: number) => Math.floor(next() * n);
  const pages = int(3);
  const hasMemory = next() < 0.9;
  const inits: { valType: 'i32' | 'i64' | 'f32' | 'f64'; init: Uint8Array }[] = [];
  for (let i = int(4); i > 0; i--) {
    const pick = int(4);
    if (pick === 0) inits.push({ valType: 'i32', init: i32Const((next() * 2 ** 32) | 0) });
    if (pick === 1)
      inits.push({ valType: 'i64', init: i64Const(BigInt.asIntN(64, BigInt(int(2 ** 31)) << 33n)) });
    if (pick === 2) inits.push({ valType: 'f32', init: f32Const(bits32(next() * 1000 - 500)) });
    if (pick === 3) inits.push({ valType: 'f64', init: f64Const(bits64(next() * 1e9)) });
  }
  const segments = [];
  for (let i = hasMemory ? int(6) : 0; i > 0; i--) {
    const length = int(4) === 0 ? 0 : 1 + int(next() < 0.5 ? 8 : 3000);
    const edge = int(8) === 0;
    const offset = edge ? pages * 65536 - length + int(3) - 1 : int(Math.max(1, pages * 65536 - length));
    const data = new Uint8Array(length).map(() => 1 + int(255));
    segments.push({ mode: 'active' as const, memory: 0, offset: i32Const(offset), data });
  }
  const sections: Section[] = [];
  if (hasMemory) {
    const max = next() < 0.5 ? undefined : pages + int(4);
    sections.push({
      kind: 'memory',
      memories: [{ min: pages, ...(max === undefined ? {} : { max }), shared: false, memory64: false }],
    });
  }
  if (inits.length > 0) {
    sections.push({
      kind: 'global',
      globals: inits.map((g) => ({ type: { valType: g.valType, mutable: next() < 0.7 }, init: g.init })),
    });
  }
  sections.push({
    kind: 'export',
    exports: [
      ...(hasMemory ? [{ name: 'memory', kind: 'memory' as const, index: 0 }] : []),
      ...inits.map((_, i) => ({ name: `g${i}`, kind: 'global' as const, index: i })),
    ],
  });
  if (next() < 0.3) sections.push({ kind: 'datacount', count: segments.length });
  if (segments.length > 0 || next() < 0.5) sections.push({ kind: 'data', segments });
  return writeModule({ version: 1, sections });
}

describe('materializeApp against V8', () => {
  it('gives exactly what instantiating gives, or declines, on random app modules', () => {
    const next = rng(7);
    let made = 0;
    for (let n = 0; n < 400; n++) {
      const bytes = randomApp(next);
      const real = v8(bytes);
      const ours = materializeApp(bytes);
      if (ours === undefined) {
        // Declining is only for what V8 rejects (an out-of-bounds segment here).
        expect(real).toBeNull();
        continue;
      }
      made++;
      expect(observe(ours.exports)).toEqual(real);
      expect(ours.shape).toEqual(
        WebAssembly.Module.exports(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).map((e) => ({
          name: e.name,
          kind: e.kind,
        })),
      );
    }
    expect(made).toBeGreaterThan(250);
  });

  it('never accepts bytes V8 rejects, nor builds other state, after random corruption', () => {
    const next = rng(11);
    let accepted = 0;
    for (let n = 0; n < 3000; n++) {
      const bytes = randomApp(next).slice();
      const cut = next() < 0.3;
      const mutated = cut ? bytes.subarray(0, Math.floor(next() * bytes.length)) : bytes;
      if (!cut)
        for (let k = 1 + Math.floor(next() * 3); k > 0; k--)
          mutated[Math.floor(next() * mutated.length)] = Math.floor(next() * 256);
      const ours = materializeApp(mutated);
      if (ours === undefined) continue;
      accepted++;
      expect(observe(ours.exports)).toEqual(v8(mutated));
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it('reads LEB128 edge cases as V8 does: padded forms accepted, overlong and bad top bits declined', () => {
    const module = (offset: number[], size: number[]) =>
      new Uint8Array([
        ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
        ...[0x05, 0x03, 0x01, 0x00, 0x01], // one memory, 1 page
        ...[0x07, 0x0a, 0x01, 0x06, ...new TextEncoder().encode('memory'), 0x02, 0x00],
        ...[
          0x0b,
          ...encodeU(5 + offset.length + size.length),
          0x01,
          0x00,
          0x41,
          ...offset,
          0x0b,
          ...size,
          0x07,
        ],
      ]);
    const cases: [number[], number[]][] = [
      [[...encodeS(100)], [0x01]],
      [
        [0xe4, 0x80, 0x80, 0x80, 0x00],
        [0x81, 0x80, 0x80, 0x80, 0x00],
      ], // 100 and 1, padded to five bytes
      [[0xe4, 0x80, 0x80, 0x80, 0x80, 0x00], [0x01]], // six bytes: too long
      [[0xe4, 0x80, 0x80, 0x80, 0x10], [0x01]], // unused top bits that are not the sign
      [[0x01], [0x81, 0x80, 0x80, 0x80, 0x10]], // an unsigned fifth byte over 0x0f
      [[...encodeS(-1)], [0x01]], // offset 0xffffffff: out of bounds
      [[...encodeS(65535)], [0x01]], // the last byte of the page
      [[...encodeS(65535)], [0x02]], // one past it
    ];
    for (const [offset, size] of cases) {
      const bytes = module(offset, size);
      const real = v8(bytes);
      const ours = materializeApp(bytes);
      if (real === null) expect(ours).toBeUndefined();
      else if (ours !== undefined) expect(observe(ours.exports)).toEqual(real);
      else expect.unreachable(`declined bytes V8 accepts: offset ${offset} size ${size}`);
    }
  });
});

describe('prefersMaterialize', () => {
  const withSegments = (count: number, size: number) =>
    writeModule({
      version: 1,
      sections: [
        { kind: 'memory', memories: [{ min: 16, shared: false, memory64: false }] },
        {
          kind: 'data',
          segments: Array.from({ length: count }, (_, i) => ({
            mode: 'active' as const,
            memory: 0,
            offset: i32Const(i * size),
            data: new Uint8Array(size).fill(1),
          })),
        },
      ],
    });

  it('prefers the JS API for large segments and V8 for many small ones', () => {
    expect(prefersMaterialize(withSegments(16, 64 * 1024))).toBe(true);
    expect(prefersMaterialize(withSegments(4, MATERIALIZE_MIN_MEAN_SEGMENT))).toBe(true);
    expect(prefersMaterialize(withSegments(2000, 40))).toBe(false);
    expect(prefersMaterialize(withSegments(0, 0))).toBe(true);
    expect(prefersMaterialize(new Uint8Array([0, 1]))).toBe(false);
  });
});
