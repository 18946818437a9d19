import { beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../test/wat.js';
import { decodeConstExpr } from './const-expr.js';
import { MalformedModuleError } from './errors.js';
import { parseModule } from './parse.js';
import { originalSectionBytes } from './raw.js';
import type { Section, SectionOf, WasmModule } from './types.js';
import { writeModule } from './write.js';

let bytes: Uint8Array;
let mod: WasmModule;
const section = <K extends Section['kind']>(m: WasmModule, kind: K): SectionOf<K> =>
  m.sections.find((s): s is SectionOf<K> => s.kind === kind)!;

beforeAll(async () => {
  bytes = await fixture('sections/all.wat');
  mod = parseModule(bytes);
});

describe('parseModule', () => {
  it('reads every section in file order', () => {
    expect(mod.version).toBe(1);
    expect(mod.source).toBe(bytes);
    expect(mod.sections.map((s) => (s.kind === 'custom' ? `custom:${s.name}` : s.kind))).toEqual([
      'type',
      'import',
      'function',
      'table',
      'memory',
      'tag',
      'global',
      'export',
      'start',
      'element',
      'datacount',
      'code',
      'data',
      'custom:first',
      'custom:middle',
      'custom:last',
    ]);
  });

  it('decodes types, imports, tables, memories, tags and exports', () => {
    expect(section(mod, 'type').types[2]).toEqual({
      kind: 'func',
      params: ['i64', 'f32', 'f64', 'v128', 'externref', 'funcref'],
      results: ['i32', 'i64'],
    });
    expect(section(mod, 'import').imports.map((i) => [i.module, i.name, i.desc])).toEqual([
      ['env', 'f', { kind: 'func', type: 1 }],
      ['env', 'table', { kind: 'table', type: { elemType: 'funcref', min: 1, max: 10, table64: false } }],
      ['env', 'memory', { kind: 'memory', type: { min: 1, max: 100, shared: false, memory64: false } }],
      ['env', 'g', { kind: 'global', type: { valType: 'i32', mutable: false } }],
      ['env', 'gm', { kind: 'global', type: { valType: 'i64', mutable: true } }],
      ['env', 'tag', { kind: 'tag', type: { attribute: 0, type: 3 } }],
    ]);
    expect(section(mod, 'function').types).toEqual([0, 1, 2, 0]);
    expect(section(mod, 'table').tables.map((t) => t.type)).toEqual([
      { elemType: 'funcref', min: 2, max: undefined, table64: false },
      { elemType: 'externref', min: 3, max: undefined, table64: false },
      { elemType: 'funcref', min: 4, max: 8, table64: false },
    ]);
    expect(section(mod, 'memory').memories).toEqual([
      { min: 2, max: 3, shared: false, memory64: false },
      { min: 1, max: 4, shared: true, memory64: false },
      { min: 1, shared: false, memory64: true },
    ]);
    expect(section(mod, 'tag').tags).toEqual([{ attribute: 0, type: 4 }]);
    expect(section(mod, 'export').exports).toEqual([
      { name: 'f', kind: 'func', index: 1 },
      { name: 'g', kind: 'func', index: 2 },
      { name: 'table', kind: 'table', index: 1 },
      { name: 'memory', kind: 'memory', index: 1 },
      { name: 'global', kind: 'global', index: 3 },
      { name: 'tag', kind: 'tag', index: 1 },
    ]);
    expect(section(mod, 'start').func).toBe(1);
    expect(section(mod, 'datacount').count).toBe(2);
  });

  it('decodes constant expressions, extended-const included', () => {
    const inits = section(mod, 'global').globals.map((g) => decodeConstExpr(g.init));
    expect(inits[0]).toEqual([{ op: 'i32.const', value: -5 }]);
    expect(inits[1]).toEqual([{ op: 'i64.const', value: 0x7fffffffffffffffn }]);
    expect(inits[2]).toEqual([{ op: 'f32.const', bits: 0x7fa00000 }]);
    expect(inits[3]).toEqual([{ op: 'f64.const', bits: 0xbfe0000000000000n }]);
    expect(inits[4]).toEqual([
      { op: 'v128.const', bytes: Uint8Array.from([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]) },
    ]);
    expect(inits[5]).toEqual([{ op: 'ref.func', index: 1 }]);
    expect(inits[6]).toEqual([{ op: 'ref.null', heap: 'extern' }]);
    expect(inits[7]).toEqual([{ op: 'global.get', index: 0 }]);
    expect(inits[8]!.map((i) => i.op)).toEqual([
      'global.get',
      'i32.const',
      'i32.const',
      'i32.const',
      'i32.sub',
      'i32.mul',
      'i32.add',
    ]);
    expect(inits[9]!.map((i) => i.op)).toEqual([
      'i64.const',
      'i64.const',
      'i64.const',
      'i64.const',
      'i64.sub',
      'i64.mul',
      'i64.add',
    ]);
  });

  it('reads all eight element segment encodings', () => {
    const segs = section(mod, 'element').segments;
    expect(segs.map((s) => s.encoding)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(segs.map((s) => s.mode)).toEqual([
      'active',
      'passive',
      'active',
      'declarative',
      'active',
      'passive',
      'active',
      'declarative',
    ]);
    expect(segs[0]).toMatchObject({ table: 0, elemType: 'funcref', funcs: [1] });
    expect(decodeConstExpr(segs[0]!.offset!)).toEqual([{ op: 'i32.const', value: 0 }]);
    expect(segs[1]).toMatchObject({ funcs: [1, 2], offset: undefined });
    expect(segs[2]).toMatchObject({ table: 3, funcs: [2] });
    expect(segs[3]).toMatchObject({ funcs: [3] });
    expect(segs[4]!.exprs!.map(decodeConstExpr)).toEqual([
      [{ op: 'ref.func', index: 1 }],
      [{ op: 'ref.null', heap: 'func' }],
    ]);
    expect(segs[6]).toMatchObject({ table: 2, elemType: 'externref' });
    expect(segs[7]!.exprs).toHaveLength(2);
  });

  it('reads active, passive and multi-memory data segments as views of the input', () => {
    const segs = section(mod, 'data').segments;
    const text = (d: Uint8Array) => new TextDecoder().decode(d);
    expect(segs.map((s) => [s.mode, s.memory, s.encoding, text(s.data)])).toEqual([
      ['active', 0, 0, 'hello'],
      ['passive', 0, 1, 'passive bytes'],
    ]);
    expect(segs[0]!.data.buffer).toBe(bytes.buffer);
  });

  it('reads data segments for other memories (encoding 2)', () => {
    const data: Section = {
      kind: 'data',
      segments: [
        { mode: 'active', memory: 2, offset: Uint8Array.of(0x41, 0x10, 0x0b), data: Uint8Array.of(7, 8) },
        {
          mode: 'active',
          memory: 0,
          offset: Uint8Array.of(0x42, 0x00, 0x0b),
          data: Uint8Array.of(9),
          encoding: 2,
        },
      ],
    };
    const m = parseModule(writeModule({ version: 1, sections: [data] }));
    expect(m.source!.subarray(8)).toEqual(
      Uint8Array.from([
        0x0b, 0x10, 0x02, 0x02, 0x02, 0x41, 0x10, 0x0b, 0x02, 7, 8, 0x02, 0x00, 0x42, 0x00, 0x0b, 0x01, 9,
      ]),
    );
    expect(section(m, 'data').segments.map((s) => [s.mode, s.memory, s.encoding, [...s.data]])).toEqual([
      ['active', 2, 2, [7, 8]],
      ['active', 0, 2, [9]],
    ]);
  });

  it('keeps function bodies as zero-copy views of the input', () => {
    const code = section(mod, 'code');
    expect(code.bodies).toHaveLength(4);
    for (const body of code.bodies) expect(body.buffer).toBe(bytes.buffer);
    expect(code.bodies[0]).toEqual(Uint8Array.from([0x00, 0x0b]));
  });

  it('reads custom sections', () => {
    const custom = mod.sections.filter((s) => s.kind === 'custom');
    expect(custom.map((s) => [s.name, new TextDecoder().decode(s.data)])).toEqual([
      ['first', 'at the start'],
      ['middle', 'between global and export'],
      ['last', 'at the end'],
    ]);
  });

  it('freezes what it returns so that edits replace objects instead of mutating them', () => {
    const exports = section(mod, 'export');
    expect(() => {
      (exports.exports as unknown as { name: string }[]).push({ name: 'x' });
    }).toThrow(TypeError);
    expect(() => {
      (exports.exports[0] as { name: string }).name = 'renamed';
    }).toThrow(TypeError);
    expect(() => {
      (exports as { exports: unknown }).exports = [];
    }).toThrow(TypeError);
    expect(originalSectionBytes(exports)).toBeDefined();
    expect(originalSectionBytes({ ...exports })).toBeUndefined();
  });
});

describe('writeModule', () => {
  it('writes an unchanged module back byte for byte', () => {
    expect(writeModule(mod)).toEqual(bytes);
  });

  it('encodes every section kind back to the same bytes when canonical', () => {
    // wabt writes minimal LEB128s, so re-encoding copies of the sections must reproduce them.
    const copy: WasmModule = { version: 1, sections: mod.sections.map((s) => ({ ...s }) as Section) };
    for (const s of copy.sections) expect(originalSectionBytes(s)).toBeUndefined();
    expect(writeModule(copy)).toEqual(bytes);
  });

  it('keeps custom sections where they were', () => {
    const custom = (name: string): Section => ({ kind: 'custom', name, data: Uint8Array.of(1, 2, 3) });
    const sections: Section[] = mod.sections.filter((s) => s.kind !== 'custom');
    sections.splice(0, 0, custom('a'));
    sections.splice(5, 0, custom('b'));
    sections.push(custom('c'));
    const reparsed = parseModule(writeModule({ version: 1, sections }));
    expect(reparsed.sections.map((s) => (s.kind === 'custom' ? s.name : '.')).join('')).toBe(
      'a....b.........c',
    );
    expect(writeModule(reparsed)).toEqual(writeModule({ version: 1, sections }));
  });

  it('round-trips non-minimal (padded) LEB128s', () => {
    // An LLVM-style module: 5-byte section sizes and counts, a padded function type index.
    const padded = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x84, 0x80, 0x80, 0x80, 0x00, 0x01, 0x60, 0x00,
      0x00, 0x03, 0x86, 0x80, 0x80, 0x80, 0x00, 0x81, 0x80, 0x80, 0x80, 0x00, 0x00, 0x07, 0x86, 0x80, 0x80,
      0x80, 0x00, 0x01, 0x01, 0x66, 0x00, 0x80, 0x00, 0x0a, 0x88, 0x80, 0x80, 0x80, 0x00, 0x01, 0x82, 0x80,
      0x80, 0x80, 0x00, 0x00, 0x0b,
    ]);
    const m = parseModule(padded);
    expect(section(m, 'function').types).toEqual([0]);
    expect(section(m, 'export').exports).toEqual([{ name: 'f', kind: 'func', index: 0 }]);
    expect(writeModule(m)).toEqual(padded);
    expect(WebAssembly.validate(padded)).toBe(true);
    // Replacing one section re-encodes only that one.
    m.sections[2] = { kind: 'export', exports: [{ name: 'g', kind: 'func', index: 0 }] };
    const edited = writeModule(m);
    expect(edited.subarray(0, 30)).toEqual(padded.subarray(0, 30));
    expect(edited.subarray(30, 38)).toEqual(
      Uint8Array.from([0x07, 0x05, 0x01, 0x01, 0x67, 0x00, 0x00, 0x0a]),
    );
    expect(WebAssembly.validate(edited)).toBe(true);
  });
});

describe('malformed input', () => {
  const fails = (input: number[], section: string | undefined, offset: number, message: RegExp) => {
    try {
      parseModule(Uint8Array.from(input));
      expect.unreachable('parseModule accepted malformed input');
    } catch (error) {
      expect(error).toBeInstanceOf(MalformedModuleError);
      const e = error as MalformedModuleError;
      expect([e.section, e.offset]).toEqual([section, offset]);
      expect(e.message).toMatch(message);
    }
  };
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

  it('names the section and the offset', () => {
    fails([0x00, 0x61, 0x73], 'header', 0, /too short/);
    fails([0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0], 'header', 0, /magic/);
    fails([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00], 'header', 4, /component/);
    fails([...header, 0x0e, 0x00], undefined, 8, /unknown section id 14/);
    fails([...header, 0x01, 0x05, 0x01], 'type', 8, /runs past the end/);
    fails([...header, 0x01, 0x01, 0x01], 'type', 10, /cannot fit/);
    fails([...header, 0x01, 0x04, 0x01, 0x60, 0x01, 0x55], 'type', 13, /unknown value type 0x55/);
    fails([...header, 0x07, 0x03, 0x00, 0x01, 0x00], 'export', 11, /2 unread bytes/);
    fails([...header, 0x03, 0x01, 0x00, 0x01, 0x01, 0x00], 'type', 11, /out of order/);
    fails([...header, 0x03, 0x02, 0x01, 0x00], 'code', 12, /declares 1 functions but the code section has 0/);
    fails([...header, 0x00, 0x03, 0x02, 0xff, 0xfe], 'custom', 10, /UTF-8/);
    fails([...header, 0x06, 0x04, 0x01, 0x7f, 0x00, 0x20], 'global', 13, /0x20 is not allowed in a constant/);
  });
});

describe('proposal encodings (hand-built, then parsed back)', () => {
  it('reads GC recursion groups verbatim and counts their type indices', () => {
    // rec { sub final func (param i32); sub func () } ; struct (field (mut i8)) ; array i16 ; func
    const types = Uint8Array.from([
      0x01,
      0x18,
      0x04, //
      0x4e,
      0x02,
      0x4f,
      0x00,
      0x60,
      0x01,
      0x7f,
      0x00,
      0x50,
      0x00,
      0x60,
      0x00,
      0x00, //
      0x5f,
      0x01,
      0x78,
      0x01, //
      0x5e,
      0x77,
      0x00, //
      0x60,
      0x00,
      0x00,
    ]);
    const bytes = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types]);
    const m = parseModule(bytes);
    const defs = section(m, 'type').types;
    expect(defs.map((t) => (t.kind === 'raw' ? t.count : 'func'))).toEqual([2, 1, 1, 'func']);
    expect(writeModule(m)).toEqual(bytes);
    expect(writeModule({ version: 1, sections: [{ ...section(m, 'type') }] })).toEqual(bytes);
  });

  it('encodes and reads typed references, table inits, table64, memory64 and page sizes', () => {
    const sections: Section[] = [
      {
        kind: 'type',
        types: [
          {
            kind: 'func',
            params: [
              { ref: 0, nullable: false },
              { ref: 'any', nullable: true },
            ],
            results: ['exnref'],
          },
        ],
      },
      {
        kind: 'import',
        imports: [{ module: 'm', name: 't', desc: { kind: 'tag', type: { attribute: 0, type: 0 } } }],
      },
      {
        kind: 'table',
        tables: [
          {
            type: { elemType: { ref: 0, nullable: false }, min: 1, max: 2, table64: false },
            init: refFuncExpr(0),
          },
          { type: { elemType: 'funcref', min: 2 ** 40, table64: true } },
        ],
      },
      {
        kind: 'memory',
        memories: [
          { min: 1, max: 2 ** 48, shared: true, memory64: true },
          { min: 3, shared: false, memory64: false, pageSizeLog2: 0 },
        ],
      },
      {
        kind: 'global',
        globals: [
          { type: { valType: { ref: 'func', nullable: true }, mutable: true }, init: refFuncExpr(0) },
        ],
      },
    ];
    const bytes = writeModule({ version: 1, sections });
    const m = parseModule(bytes);
    expect(m.sections).toEqual(sections.map((s) => expect.objectContaining(s)));
    expect(section(m, 'memory').memories[0]).toEqual({ min: 1, max: 2 ** 48, shared: true, memory64: true });
    expect(section(m, 'table').tables[1]!.type.min).toBe(2 ** 40);
  });
});

function refFuncExpr(index: number): Uint8Array {
  return Uint8Array.of(0xd2, index, 0x0b);
}
