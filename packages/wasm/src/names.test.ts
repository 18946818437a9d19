import { describe, expect, it } from 'vitest';
import { assemble } from '../test/wat.js';
import { getCustomSections, getDataSegments } from './edit.js';
import { MalformedModuleError } from './errors.js';
import { offsetIn, readNames, setNames } from './names.js';
import { parseModule } from './parse.js';
import type { WasmModule } from './types.js';
import { writeModule } from './write.js';

const sub = (id: number, ...content: number[]) => [id, content.length, ...content];
// Function 0 "f", local 0 of function 0 "x" (a subsection setNames does not model), data 0 "d".
const functionNames = sub(1, 1, 0, 1, 0x66);
const localNames = sub(2, 1, 0, 1, 0, 1, 0x78);
const dataNames = sub(9, 1, 0, 1, 0x64);

function withNames(...subsections: number[][]): WasmModule {
  const data = Uint8Array.from(subsections.flat());
  return parseModule(
    writeModule({
      version: 1,
      sections: [
        { kind: 'memory', memories: [{ min: 1, shared: false, memory64: false }] },
        { kind: 'custom', name: 'name', data },
        { kind: 'custom', name: 'other', data: Uint8Array.of(7) },
      ],
    }),
  );
}
const nameBytes = (m: WasmModule) => [...getCustomSections(m, 'name')[0]!.data];

describe('setNames', () => {
  it('removes a subsection and keeps the others byte for byte, local names included', () => {
    const m = withNames(functionNames, localNames, dataNames);
    setNames(m, { data: new Map() });
    expect(nameBytes(m)).toEqual([...functionNames, ...localNames]);
    expect(m.sections.map((s) => (s.kind === 'custom' ? s.name : s.kind))).toEqual([
      'memory',
      'name',
      'other',
    ]);
    expect(readNames(m)!.functions.get(0)).toBe('f');
    expect(readNames(m)!.data.size).toBe(0);
  });

  it('writes name maps sorted by index, each subsection where its id orders it', () => {
    const m = withNames(functionNames, localNames, dataNames);
    setNames(m, {
      globals: new Map([
        [3, 'g'],
        [1, 'b'],
      ]),
      module: 'm',
      functions: new Map([[0, 'main']]),
    });
    expect(nameBytes(m)).toEqual([
      ...sub(0, 1, 0x6d),
      ...sub(1, 1, 0, 4, 0x6d, 0x61, 0x69, 0x6e),
      ...localNames,
      ...sub(7, 2, 1, 1, 0x62, 3, 1, 0x67),
      ...dataNames,
    ]);
    const names = readNames(parseModule(writeModule(m)))!;
    expect(names.module).toBe('m');
    expect([...names.globals]).toEqual([
      [1, 'b'],
      [3, 'g'],
    ]);
    setNames(m, { module: undefined, globals: new Map() });
    expect(nameBytes(m)).toEqual([...sub(1, 1, 0, 4, 0x6d, 0x61, 0x69, 0x6e), ...localNames, ...dataNames]);
  });

  it('leaves the section object alone when nothing changes, and adds a section only when there is something to write', () => {
    const m = withNames(functionNames);
    const section = getCustomSections(m, 'name')[0];
    setNames(m, { data: new Map(), functions: new Map([[0, 'f']]) });
    expect(getCustomSections(m, 'name')[0]).toBe(section);

    const bare: WasmModule = {
      version: 1,
      sections: [{ kind: 'memory', memories: [{ min: 0, shared: false, memory64: false }] }],
    };
    setNames(bare, { data: new Map(), module: undefined });
    expect(bare.sections).toHaveLength(1);
    setNames(bare, { memories: new Map([[0, 'heap']]) });
    expect(bare.sections.at(-1)).toMatchObject({ kind: 'custom', name: 'name' });
    expect(readNames(parseModule(writeModule(bare)))!.memories.get(0)).toBe('heap');
  });

  it('keeps the section (empty) when every subsection goes', () => {
    const m = withNames(dataNames);
    setNames(m, { data: new Map() });
    expect(nameBytes(m)).toEqual([]);
  });

  it('drops stale data segment names of a module wabt named, and the module still validates', async () => {
    const bytes = await assemble(
      `(module (memory 1) (global $counter (mut i32) (i32.const 0))
        (data $greeting (i32.const 16) "hello") (func $setup (local $tmp i32)))`,
      undefined,
      { names: true },
    );
    const m = parseModule(bytes);
    expect([...readNames(m)!.data.values()]).toEqual(['greeting']);
    setNames(m, { data: new Map() });
    const out = writeModule(m);
    expect(WebAssembly.validate(out)).toBe(true);
    const after = readNames(parseModule(out))!;
    expect(after.data.size).toBe(0);
    expect([...after.functions.values()]).toEqual(['setup']);
    expect([...after.globals.values()]).toEqual(['counter']);
  });

  it('throws MalformedModuleError on a malformed name section, with its module offset', () => {
    const m = withNames([1, 9, 1]);
    expect(() => setNames(m, { data: new Map() })).toThrow(MalformedModuleError);
    expect(() => setNames(m, { data: new Map() })).toThrow(
      expect.objectContaining({
        section: 'custom "name"',
        message: expect.stringMatching(/subsection 1 runs past/),
      }),
    );
  });
});

describe('offsetIn', () => {
  it('gives the module offset of a view of the parsed input, and undefined for other bytes', () => {
    const inner = writeModule({
      version: 1,
      sections: [
        { kind: 'memory', memories: [{ min: 1, shared: false, memory64: false }] },
        {
          kind: 'data',
          segments: [
            { mode: 'active', memory: 0, offset: Uint8Array.of(0x41, 0, 0x0b), data: Uint8Array.of(9, 8, 7) },
          ],
        },
      ],
    });
    // The module sits inside a larger buffer, as a file read in a pool would.
    const outer = new Uint8Array(inner.length + 20);
    outer.set(inner, 10);
    const m = parseModule(outer.subarray(10, 10 + inner.length));
    const data = getDataSegments(m)[0]!.data;
    expect(offsetIn(m, data)).toBe(inner.length - 3);
    expect(offsetIn(m, outer.subarray(0, 4))).toBeUndefined();
    expect(offsetIn(m, outer.subarray(10 + inner.length - 1, 10 + inner.length + 1))).toBeUndefined();
    expect(offsetIn(m, data.slice())).toBeUndefined();
    expect(offsetIn({ version: 1, sections: m.sections }, data)).toBeUndefined();
  });
});
