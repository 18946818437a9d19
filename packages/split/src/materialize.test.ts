import { f32Const, f64Const, i32Const, i64Const, type Section, writeModule } from '@wasm-runtime/wasm';
import { describe, expect, it } from 'vitest';
import { materializeApp } from './materialize.js';

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
