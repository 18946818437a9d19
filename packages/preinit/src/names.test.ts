import { parseModule, readNames } from '@wasm-runtime/wasm';
import { describe, expect, it } from 'vitest';
import { wat } from '../test/helpers.js';
import { preinitialize } from './preinit.js';

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
});
