import { describe, expect, it } from 'vitest';
import {
  constExprFor,
  constExprValue,
  decodeConstExpr,
  f32Const,
  f64Const,
  globalGet,
  i32Const,
  i64Const,
  refFunc,
  refNull,
  v128Const,
} from './const-expr.js';
import { MalformedModuleError } from './errors.js';
import { parseModule } from './parse.js';
import { writeModule } from './write.js';

describe('constant expression builders', () => {
  it('encode each constant and decode back', () => {
    expect(i32Const(-1)).toEqual(Uint8Array.of(0x41, 0x7f, 0x0b));
    expect(i32Const(0xffffffff)).toEqual(i32Const(-1));
    expect(decodeConstExpr(i32Const(2 ** 31 - 1))).toEqual([{ op: 'i32.const', value: 2 ** 31 - 1 }]);
    expect(decodeConstExpr(i64Const(-(2n ** 63n)))).toEqual([{ op: 'i64.const', value: -(2n ** 63n) }]);
    expect(decodeConstExpr(i64Const(2n ** 64n - 1n))).toEqual([{ op: 'i64.const', value: -1n }]);
    expect(decodeConstExpr(f32Const(0x7fc00001))).toEqual([{ op: 'f32.const', bits: 0x7fc00001 }]);
    expect(decodeConstExpr(f64Const(0x7ff8000000000001n))).toEqual([
      { op: 'f64.const', bits: 0x7ff8000000000001n },
    ]);
    const lanes = Uint8Array.from({ length: 16 }, (_, i) => i);
    expect(decodeConstExpr(v128Const(lanes))).toEqual([{ op: 'v128.const', bytes: lanes }]);
    expect(() => v128Const(new Uint8Array(15))).toThrow(RangeError);
    expect(decodeConstExpr(globalGet(300))).toEqual([{ op: 'global.get', index: 300 }]);
    expect(decodeConstExpr(refFunc(7))).toEqual([{ op: 'ref.func', index: 7 }]);
    expect(decodeConstExpr(refNull('func'))).toEqual([{ op: 'ref.null', heap: 'func' }]);
    expect(decodeConstExpr(refNull(5))).toEqual([{ op: 'ref.null', heap: 5 }]);
  });

  it('make the constant for a value the JS API returns', () => {
    expect(constExprFor('i32', -7)).toEqual(i32Const(-7));
    expect(constExprFor('i64', 2n ** 40n)).toEqual(i64Const(2n ** 40n));
    expect(constExprFor('f32', 1.5)).toEqual(f32Const(0x3fc00000));
    expect(constExprFor('f64', -0)).toEqual(f64Const(0x8000000000000000n));
    expect(constExprFor('externref', null)).toEqual(refNull('extern'));
    expect(constExprFor('nullfuncref', null)).toEqual(refNull('nofunc'));
    expect(constExprFor({ ref: 3, nullable: true }, null)).toEqual(refNull(3));
    expect(() => constExprFor('i32', 'x')).toThrow(/cannot make a constant expression of type "i32"/);
    expect(() => constExprFor('funcref', () => 0)).toThrow(RangeError);
  });

  it('reads the single value of a one-instruction expression', () => {
    expect(constExprValue(i32Const(3))).toEqual({ op: 'i32.const', value: 3 });
    expect(constExprValue(Uint8Array.of(0x41, 1, 0x41, 2, 0x6a, 0x0b))).toBeUndefined();
  });

  it('rejects what is not one whole constant expression', () => {
    expect(() => decodeConstExpr(Uint8Array.of(0x41, 0x01))).toThrow(MalformedModuleError);
    expect(() => decodeConstExpr(Uint8Array.of(0x41, 0x01, 0x0b, 0x0b))).toThrow(/bytes after the end/);
    expect(() => decodeConstExpr(Uint8Array.of(0x20, 0x00, 0x0b))).toThrow(/0x20 is not allowed/);
    expect(() => decodeConstExpr(Uint8Array.of(0xfd, 0x0d, 0x0b))).toThrow(/0xfd 13 is not allowed/);
  });
});

describe('module-level checks', () => {
  it('keeps a byte-order mark at the start of a name', () => {
    const bytes = writeModule({
      version: 1,
      sections: [{ kind: 'custom', name: '\ufeffbom', data: Uint8Array.of(1) }],
    });
    const mod = parseModule(bytes);
    expect(mod.sections[0]).toMatchObject({ name: '\ufeffbom' });
    expect(writeModule({ version: 1, sections: [{ ...mod.sections[0]! }] })).toEqual(bytes);
  });

  it('rejects a data count that does not match the data section', () => {
    const bytes = writeModule({ version: 1, sections: [{ kind: 'datacount', count: 2 }] });
    expect(() => parseModule(bytes)).toThrow(/data count section says 2 segments but the data section has 0/);
  });
});
