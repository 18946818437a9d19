import { describe, expect, it } from 'vitest';
import { i32Const } from './const-expr.js';
import { parseModule } from './parse.js';
import { structurallyEqual, valTypeText } from './values.js';
import { writeModule } from './write.js';

describe('valTypeText', () => {
  it('writes value types as the text format does', () => {
    expect(valTypeText('i32')).toBe('i32');
    expect(valTypeText('externref')).toBe('externref');
    expect(valTypeText({ ref: 'func', nullable: true })).toBe('(ref null func)');
    expect(valTypeText({ ref: 'extern', nullable: false })).toBe('(ref extern)');
    expect(valTypeText({ ref: 3, nullable: false })).toBe('(ref 3)');
  });
});

describe('structurallyEqual', () => {
  it('compares model values member by member and bytes by content', () => {
    const table = { type: { elemType: 'funcref', min: 1, max: undefined, table64: false } };
    expect(structurallyEqual(table, { type: { elemType: 'funcref', min: 1, table64: false } })).toBe(true);
    expect(structurallyEqual(table, { type: { elemType: 'funcref', min: 2, table64: false } })).toBe(false);
    expect(structurallyEqual(table, { type: { elemType: 'funcref', min: 1, max: 1, table64: false } })).toBe(
      false,
    );
    expect(structurallyEqual(i32Const(5), i32Const(5))).toBe(true);
    expect(structurallyEqual(i32Const(5), i32Const(6))).toBe(false);
    expect(structurallyEqual(i32Const(5), [0x41, 5, 0x0b])).toBe(false);
    expect(structurallyEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(structurallyEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(structurallyEqual({ a: 1 }, { b: 1 })).toBe(false);
    expect(structurallyEqual(null, {})).toBe(false);
    expect(structurallyEqual({ ref: 'func', nullable: true }, { ref: 'func', nullable: true })).toBe(true);
  });

  it('sees a parsed section and the same section built by hand as equal, whatever their bytes', () => {
    const built = { kind: 'memory' as const, memories: [{ min: 1, max: 2, shared: false, memory64: false }] };
    const bytes = writeModule({ version: 1, sections: [built] });
    const parsed = parseModule(bytes).sections[0]!;
    expect(parsed).not.toBe(built);
    expect(structurallyEqual(parsed, built)).toBe(true);
    expect(structurallyEqual(parsed, { ...built, memories: [{ ...built.memories[0]!, max: 3 }] })).toBe(
      false,
    );
  });
});
