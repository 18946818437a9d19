import { describe, expect, it } from 'vitest';
import { exceptionForm } from './exceptions.js';
import { parseModule } from './parse.js';

/** A module of one function of type `type` (bytes of a func type) whose body is `code` (no locals). */
function moduleWith(code: number[], type = [0x60, 0x00, 0x00]): Uint8Array {
  const section = (id: number, payload: number[]) => [id, payload.length, ...payload];
  const body = [0x00, ...code, 0x0b];
  return Uint8Array.of(
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x01, ...type]),
    ...section(3, [0x01, 0x00]),
    ...section(10, [0x01, body.length, ...body]),
  );
}

describe('exceptionForm', () => {
  it('says none for code without exception handling', () => {
    expect(exceptionForm(parseModule(moduleWith([0x01])))).toBe('none');
  });

  it.each([
    ['try ... catch_all', [0x06, 0x40, 0x01, 0x19, 0x0b]],
    ['try ... delegate', [0x06, 0x40, 0x01, 0x18, 0x00]],
  ])('says legacy for %s', (_name, code) => {
    expect(exceptionForm(parseModule(moduleWith(code)))).toBe('legacy');
  });

  it('says exnref for try_table (catch_all_ref) and throw_ref', () => {
    // block (result exnref) (try_table (catch_all_ref 0) nop) unreachable end throw_ref
    const code = [0x02, 0x69, 0x1f, 0x40, 0x01, 0x03, 0x00, 0x01, 0x0b, 0x00, 0x0b, 0x0a];
    expect(exceptionForm(parseModule(moduleWith(code)))).toBe('exnref');
  });

  it('says exnref for a function type with an exnref result', () => {
    const code = [0xd0, 0x69]; // ref.null exn
    expect(exceptionForm(parseModule(moduleWith(code, [0x60, 0x00, 0x01, 0x69])))).toBe('exnref');
  });

  it('validates as the form it names in V8 (Node 20 runs legacy only)', () => {
    const legacy = moduleWith([0x06, 0x40, 0x01, 0x19, 0x0b]);
    expect(WebAssembly.validate(legacy as Uint8Array<ArrayBuffer>)).toBe(true);
  });
});
