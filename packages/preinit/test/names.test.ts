import { addCustomSection, getCustomSections, parseModule, readNames, writeModule } from '@wasm-runtime/wasm';
import { describe, expect, it } from 'vitest';
import { InitTrapError, preinitialize } from '../src/index.js';
import { wat } from './helpers.js';

describe('name section after a rewrite', () => {
  it('drops data segment names (they would label snapshot chunks) and keeps function and global names', async () => {
    const input = await wat(`(module
      (memory 1)
      (global $counter (mut i32) (i32.const 0))
      (data $greeting (i32.const 16) "hello")
      (func $setup (export "wizer-initialize") (global.set $counter (i32.const 3))))`);
    const before = readNames(parseModule(input))!;
    expect([...before.data.values()]).toEqual(['greeting']);
    const { module } = await preinitialize(input);
    const after = readNames(parseModule(module))!;
    expect(after.data.size).toBe(0);
    expect([...after.functions.values()]).toEqual(['setup']);
    expect([...after.globals.values()]).toEqual(['counter']);
  });

  const withElem = (init: string) => `(module
      (memory 1)
      (table $t 2 funcref)
      (elem $callbacks (i32.const 0) func $f)
      (data $greeting (i32.const 16) "hello")
      (func $f)
      (func (export "wizer-initialize") ${init}))`;

  it('keeps element segment names when init cannot change the tables', async () => {
    const input = await wat(withElem(''));
    expect([...readNames(parseModule(input))!.elements.values()]).toEqual(['callbacks']);
    const after = readNames(parseModule((await preinitialize(input)).module))!;
    expect(after.data.size).toBe(0);
    expect([...after.elements.values()]).toEqual(['callbacks']);
  });

  it('drops element segment names when the tables are rewritten', async () => {
    const input = await wat(withElem('(table.set $t (i32.const 1) (ref.func $f))'));
    const after = readNames(parseModule((await preinitialize(input)).module))!;
    expect(after.elements.size).toBe(0);
    expect([...after.functions.values()]).toContain('f');
  });

  it('leaves a name section it cannot read as it was (it is metadata)', async () => {
    const parsed = parseModule(
      await wat(`(module
        (memory 1)
        (global $g (mut i32) (i32.const 0))
        (data (i32.const 16) "hello")
        (func (export "wizer-initialize") (global.set $g (i32.const 3))))`),
    );
    for (const s of getCustomSections(parsed, 'name')) parsed.sections.splice(parsed.sections.indexOf(s), 1);
    // A data names subsection (9) followed by one whose size runs past the end.
    const malformed = Uint8Array.of(9, 3, 1, 0, 0, 1, 50, 0);
    addCustomSection(parsed, 'name', malformed);
    const { module } = await preinitialize(writeModule(parsed));
    const [name] = getCustomSections(parseModule(module), 'name');
    expect(name?.data).toEqual(malformed);
  });
});

describe('generated functions', () => {
  it('trap offsets stay in the input when probes and getters reuse the input types', async () => {
    // (i32) -> [] is the data probes' type and [] -> [i32 x4] the v128 getters': both reused.
    const bytes = await wat(`(module
      (type (func (param i32)))
      (type (func (result i32 i32 i32 i32)))
      (memory 1)
      (global $v (mut v128) (v128.const i32x4 1 2 3 4))
      (data $p "passive")
      (func $lanes (type 1) (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4))
      (func $fail (type 0) (unreachable))
      (func (export "wizer-initialize")
        (memory.init $p (i32.const 0) (i32.const 0) (i32.const 1))
        (data.drop $p)
        (call $fail (i32.const 0))))`);
    const err = await preinitialize(bytes).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InitTrapError);
    const frames = (err as InitTrapError).frames;
    expect(frames.map((f) => f.name)).toEqual(['fail', 'wizer-initialize']);
    expect(bytes[frames[0]!.offset!]).toBe(0x00);
    expect(bytes[frames[1]!.offset!]).toBe(0x10); // the call
  });
});
