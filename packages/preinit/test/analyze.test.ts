import { describe, expect, it } from 'vitest';
import { preinitialize } from '../src/index.js';
import { wat } from './helpers.js';

// The scan for table-mutating instructions only decodes bodies holding their opcode bytes (0xfc +
// sub-opcode, 0x26 + table index), and ref.func targets come from declarations outside code: these
// modules put the same bytes in immediates, and the real instructions in other functions or tables,
// so a wrong filter shows.
describe('finding what init can change', () => {
  it('sees table.set on the second table and ref.func in a function without other candidates', async () => {
    const bytes = await wat(`(module
      (table $a 1 funcref)
      (table $b 2 funcref)
      (memory (export "memory") 1)
      (elem declare func $target)
      (func $target (result i32) i32.const 38)
      (func $decoy (result i32)
        ;; immediates 0x26, 0xfc 0x08 and 0xd2 bytes, no table instruction
        i32.const 38 drop
        i32.const 0x2fc drop
        i32.const 0x52 drop
        i32.const 0x7fffffd2)
      (func $make (result funcref) ref.func $target)
      (func (export "wizer-initialize")
        (table.set $b (i32.const 1) (call $make)))
      (func (export "get") (result i32)
        (call_indirect $b (result i32) (i32.const 1))))`);
    const { module, report } = await preinitialize(bytes);
    expect(report.tables.map((t) => [t.index, t.entries])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(module as Uint8Array<ArrayBuffer>));
    expect((instance.exports.get as () => number)()).toBe(38);
  });

  it('leaves tables alone when only immediates look like table instructions', async () => {
    const bytes = await wat(`(module
      (table 1 funcref)
      (memory (export "memory") 1)
      (global $g (mut i32) (i32.const 0))
      (func (export "wizer-initialize")
        i32.const 38 global.set $g
        i32.const 0x7fc global.set $g
        i32.const 0x11fc global.set $g))`);
    const { report } = await preinitialize(bytes);
    expect(report.tables).toEqual([]);
  });

  it('finds ref.func for a mutable funcref global set by init', async () => {
    const bytes = await wat(`(module
      (memory (export "memory") 1)
      (global $fp (mut funcref) (ref.null func))
      (table 1 funcref)
      (elem declare func $seven)
      (func $seven (result i32) i32.const 7)
      (func (export "wizer-initialize") (global.set $fp (ref.func $seven)))
      (func (export "call") (result i32)
        (table.set (i32.const 0) (global.get $fp))
        (call_indirect (result i32) (i32.const 0))))`);
    const { module } = await preinitialize(bytes);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(module as Uint8Array<ArrayBuffer>));
    expect((instance.exports.call as () => number)()).toBe(7);
  });
});
