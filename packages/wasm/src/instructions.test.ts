import { beforeAll, describe, expect, it } from 'vitest';
import { everyOpcodeWat, WABT_CANNOT } from '../test/every-opcode.js';
import { assemble, disassemble } from '../test/wat.js';
import { getSection } from './edit.js';
import { MalformedModuleError } from './errors.js';
import { decodeInstructions, forEachInstruction, InstructionReader, scanFunctions } from './instructions.js';
import { PREFIX_FC, PREFIX_FD, PREFIX_FE, SINGLE } from './opcodes.js';
import { parseModule } from './parse.js';
import type { WasmModule } from './types.js';
import { writeModule } from './write.js';

const body = (m: WasmModule, i: number) => getSection(m, 'code')!.bodies[i]!;

describe('instruction names and immediate sizes', () => {
  let wasm: Uint8Array;
  beforeAll(async () => {
    wasm = await assemble(everyOpcodeWat());
  });

  it('reads every known instruction as wabt writes and prints it', async () => {
    const mod = parseModule(wasm);
    const ours = decodeInstructions(body(mod, 1)).map((i) => i.name);
    expect(ours.pop()).toBe('end');
    const text = await disassemble(wasm);
    const funcText = text
      .split(/\n {2}\(func /)[2]!
      .split('\n')
      .slice(1);
    const theirs = funcText
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('('))
      .map((l) => l.split(/\s/)[0]!.replace(/\)+$/, ''));
    expect(ours).toEqual(theirs);
    const known = [SINGLE, PREFIX_FC, PREFIX_FD, PREFIX_FE].flatMap((t) => t.names.filter((n) => n !== ''));
    const covered = new Set([...ours, ...WABT_CANNOT]);
    expect(known.filter((n) => !covered.has(n))).toEqual([]);
    expect(known.length).toBeGreaterThan(500);
  });
});

describe('InstructionReader', () => {
  let mod: WasmModule;
  beforeAll(async () => {
    mod = parseModule(
      await assemble(`(module
        (type $pair (func (param i32) (result i32 i64)))
        (memory $a 1) (memory $b i64 1)
        (table 2 funcref)
        (func $f (param i32) (result i32) (local i64 f32) (local v128)
          (block $out (type $pair) (local.get 0) (br_table 0 1 0 (i32.const 2)) (unreachable))
          (drop) (drop)
          (i32.load $b offset=0x100000000 align=2 (i64.const 8))
          (drop (i64.const -81985529216486896))
          (drop (call_indirect 1 (type 1) (i32.const 0) (i32.const -123456)))
          (i8x16.replace_lane 9 (v128.const i64x2 0 0) (i32.const 1)) (drop)
          (memory.init $b 0 (i64.const 0) (i32.const 0) (i32.const 0))
          (table.set (i32.const 0) (ref.null func))
        )
        (data "d"))`),
    );
  });

  it('decodes immediates into its fields', () => {
    const r = new InstructionReader().reset(body(mod, 0), 0, 1000);
    expect(r.localCount).toBe(3);
    const seen: Record<string, unknown> = {};
    while (r.next()) {
      if (r.name === 'block') seen.block = [r.blockType, r.depth];
      if (r.name === 'br_table') seen.br_table = r.brTableTargets();
      if (r.name === 'i32.load') seen.load = [r.memIndex, r.memOffset, r.memAlign];
      if (r.name === 'i64.const' && !('i64' in seen)) seen.i64 = r.i64();
      if (r.name === 'i32.const' && r.i32 < 0) seen.i32 = r.i32;
      if (r.name === 'call_indirect') seen.call_indirect = [r.index, r.index2];
      if (r.name === 'i8x16.replace_lane') seen.lane = r.lane;
      if (r.name === 'v128.const') seen.v128 = r.immediates().length;
      if (r.name === 'memory.init') seen.init = [r.index, r.index2];
      if (r.name === 'table.set') seen.table_set = [r.index, r.offset];
      if (r.name === 'end') seen.lastDepth = r.depth;
    }
    expect(seen).toEqual({
      block: [0, 1],
      br_table: [0, 1, 0],
      load: [1, 2 ** 32, 1],
      i64: 8n,
      i32: -123456,
      call_indirect: [1, 1],
      lane: 9,
      v128: 16,
      init: [0, 1],
      table_set: [0, expect.any(Number)],
      lastDepth: -1,
    });
    const tableSet = seen.table_set as number[];
    expect(body(mod, 0)[tableSet[1]! - 1000]).toBe(0x26);
  });

  it('reads typed function references, GC ref.eq and tail calls from hand-written bytes', () => {
    // call_ref 0, return_call_ref 0, ref.as_non_null, br_on_null 0, br_on_non_null 0, ref.eq,
    // block (result (ref null 0)), end, end.
    const bytes = Uint8Array.of(
      0x00,
      0x14,
      0x00,
      0x15,
      0x00,
      0xd4,
      0xd5,
      0x00,
      0xd6,
      0x00,
      0xd3,
      0x02,
      0x63,
      0x00,
      0x0b,
      0x0b,
    );
    expect(decodeInstructions(bytes).map((i) => i.name)).toEqual([
      'call_ref',
      'return_call_ref',
      'ref.as_non_null',
      'br_on_null',
      'br_on_non_null',
      'ref.eq',
      'block',
      'end',
      'end',
    ]);
  });

  it('names the opcode, the function and the offset of what it cannot read', () => {
    const fails = (bytes: number[], message: RegExp, offset: number) => {
      try {
        decodeInstructions(Uint8Array.from(bytes), 7, 100);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedModuleError);
        expect((error as MalformedModuleError).section).toBe('code');
        expect((error as MalformedModuleError).offset).toBe(offset);
        expect((error as MalformedModuleError).message).toMatch(message);
      }
    };
    fails([0x00, 0x01, 0xfc, 0x63, 0x0b], /unknown opcode 0xfc 99 in function 7/, 102);
    fails([0x00, 0xfb, 0x00, 0x0b], /unknown opcode 0xfb in function 7/, 101);
    fails([0x00, 0x27, 0x0b], /unknown opcode 0x27/, 101);
    fails([0x00, 0x02, 0x40, 0x0b], /ends before its final end/, 104);
    fails([0x00, 0x0b, 0x01], /after the final end/, 102);
    fails([0x00, 0x41, 0x80], /unexpected end of the function body/, 103);
    fails([0x01, 0x01, 0x55, 0x0b], /unknown value type 0x55/, 102);
    fails([0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x01, 0x7f, 0x0b], /declares 4294967296 locals/, 100);
    fails([0x00, 0x28, 0x80, 0x01, 0x00, 0x0b], /alignment flags 128 out of range/, 102);
    fails([0x00, 0x1f, 0x40, 0x01, 0x07, 0x00, 0x0b, 0x0b], /try_table catch kind 7/, 104);
  });
});

describe('scanFunctions', () => {
  it('reports function index, name and absolute offset of matching instructions', async () => {
    const wasm = await assemble(
      `(module
        (import "env" "f" (func $imported))
        (table $t 2 funcref) (elem $e func $plain) (memory 1) (data $d "x")
        (func $plain (nop))
        (func $grows (drop (table.grow $t (ref.null func) (i32.const 1))) (table.set $t (i32.const 0) (ref.func $plain)))
        (func $bulk (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1)) (data.drop $d) (elem.drop $e)
          (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 1)) (table.copy (i32.const 0) (i32.const 1) (i32.const 1))
          (table.fill $t (i32.const 0) (ref.null func) (i32.const 1))))`,
      undefined,
      { names: true },
    );
    const mod = parseModule(wasm);
    const watched = new Set([
      'table.set',
      'table.grow',
      'table.fill',
      'table.copy',
      'table.init',
      'elem.drop',
      'data.drop',
      'memory.init',
    ]);
    const found = scanFunctions(mod, (r) => watched.has(r.name));
    expect(found.map((m) => [m.funcIndex, m.funcName, m.name])).toEqual([
      [2, 'grows', 'table.grow'],
      [2, 'grows', 'table.set'],
      [3, 'bulk', 'memory.init'],
      [3, 'bulk', 'data.drop'],
      [3, 'bulk', 'elem.drop'],
      [3, 'bulk', 'table.init'],
      [3, 'bulk', 'table.copy'],
      [3, 'bulk', 'table.fill'],
    ]);
    expect(wasm[found[1]!.offset]).toBe(0x26);
    for (const m of found.slice(2)) expect(wasm[m.offset]).toBe(0xfc);
    let count = 0;
    forEachInstruction(mod, () => {
      count++;
    });
    expect(count).toBeGreaterThan(20);
    let visited = 0;
    forEachInstruction(mod, (r) => {
      visited++;
      return r.name !== 'table.grow';
    });
    expect(visited).toBeLessThan(count);
  });

  it('reads LEB128 immediates of every length and refuses overlong ones, at their offset', () => {
    const read = (bytes: number[]) => {
      const r = new InstructionReader().reset(Uint8Array.from([0x00, ...bytes, 0x0b]), 0, 100);
      const out: number[] = [];
      while (r.next()) {
        if (r.name === 'call') out.push(r.index);
        if (r.name === 'i32.load') out.push(r.memOffset);
      }
      return out;
    };
    expect(read([0x10, 0x05, 0x10, 0xff, 0xff, 0xff, 0xff, 0x0f])).toEqual([5, 0xffffffff]);
    // i32.load with a memory64 offset of 2^40, then one in the single-byte form.
    expect(
      read([0x41, 0, 0x28, 2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x1a, 0x41, 0, 0x28, 2, 7, 0x1a]),
    ).toEqual([2 ** 40, 7]);
    expect(() => read([0x10, 0xff, 0xff, 0xff, 0xff, 0x1f])).toThrow(
      expect.objectContaining({ offset: 106, message: expect.stringMatching(/too large for u32/) }),
    );
    expect(() => read([0x28, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])).toThrow(
      expect.objectContaining({ offset: 112, message: expect.stringMatching(/too large for u64/) }),
    );
    const truncated = new InstructionReader().reset(Uint8Array.of(0x00, 0x10, 0x80, 0x80));
    expect(() => truncated.next()).toThrow(/end of the function body in a LEB128 integer/);
  });

  it('names the function from the name section in errors', async () => {
    const wasm = await assemble('(module (func $ok nop) (func $broken nop))', undefined, { names: true });
    const mod = parseModule(wasm);
    const code = getSection(mod, 'code')!;
    const bad = Uint8Array.of(0x00, 0xfe, 0x7f, 0x0b);
    mod.sections[mod.sections.indexOf(code)] = { kind: 'code', bodies: [code.bodies[0]!, bad] };
    const edited = parseModule(writeModule(mod));
    expect(() => scanFunctions(edited, () => false)).toThrow(
      /unknown opcode 0xfe 127 in function 1 \(broken\)/,
    );
  });
});
