import { beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../test/wat.js';
import { globalGet, i32Const, i64Const, refFunc } from './const-expr.js';
import {
  addCustomSection,
  addElementSegments,
  addExport,
  addFunctions,
  defineToImport,
  functionBody,
  functionType,
  getCustomSections,
  getDataSegments,
  getExports,
  getGlobal,
  getMemory,
  getSection,
  getTable,
  importToDefinition,
  indexSpaces,
  removeCustomSections,
  removeExport,
  removeSection,
  removeStart,
  renameExport,
  setDataSegments,
  setExports,
  setGlobalInit,
  setMemoryLimits,
} from './edit.js';
import { ModuleEditError } from './errors.js';
import { functionBodyOffset, functionName, readNames } from './names.js';
import { parseModule } from './parse.js';
import { originalSectionBytes } from './raw.js';
import type { WasmModule } from './types.js';
import { writeModule } from './write.js';

let bytes: Uint8Array<ArrayBuffer>;
const fresh = (): WasmModule => parseModule(bytes);
const logged: number[] = [];
const hostImports = () => ({ host: { log: (n: number) => logged.push(n), base: 100 } });

async function instantiate(m: WasmModule, imports: WebAssembly.Imports = hostImports()) {
  const out = writeModule(m);
  expect(WebAssembly.validate(out)).toBe(true);
  const { instance } = await WebAssembly.instantiate(out, imports);
  return instance.exports as Record<string, unknown>;
}
const value = (g: unknown) => (g as WebAssembly.Global).value as unknown;

beforeAll(async () => {
  bytes = await fixture('edit/app.wat', undefined, { names: true });
});

describe('index spaces and lookups', () => {
  it('counts imported and defined things', () => {
    const s = indexSpaces(fresh());
    expect(s.func).toEqual({ imported: 1, defined: 6, total: 7 });
    expect(s.global).toEqual({ imported: 1, defined: 3, total: 4 });
    expect(s.memory).toEqual({ imported: 0, defined: 1, total: 1 });
    expect(s.table).toEqual({ imported: 0, defined: 1, total: 1 });
    expect(s.tag).toEqual({ imported: 0, defined: 0, total: 0 });
  });

  it('finds types, bodies, memories and globals by index', () => {
    const m = fresh();
    expect(functionType(m, 0)).toEqual({ kind: 'func', params: ['i32'], results: [] });
    expect(functionType(m, 2)).toEqual({ kind: 'func', params: ['i32'], results: ['i32'] });
    expect(functionBody(m, 0)).toBeUndefined();
    expect(functionBody(m, 3)).toEqual(Uint8Array.of(0x00, 0x41, 0x07, 0x0b));
    const at = functionBodyOffset(m, 3)!;
    expect(bytes.subarray(at, at + 4)).toEqual(functionBody(m, 3));
    expect(functionBodyOffset(m, 0)).toBeUndefined();
    expect(getMemory(m, 0)).toEqual({ type: { min: 1, max: 4, shared: false, memory64: false } });
    expect(getGlobal(m, 0)?.import).toMatchObject({ module: 'host', name: 'base' });
    expect(getGlobal(m, 2)).toEqual({ type: { valType: 'i32', mutable: false }, init: i32Const(42) });
  });

  it('looks up tables by index, imported or defined', () => {
    const m = fresh();
    expect(getTable(m, 0)).toEqual({ type: { elemType: 'funcref', min: 4, max: undefined, table64: false } });
    expect(getTable(m, 1)).toBeUndefined();
    defineToImport(m, 'table', 0, 'host', 'tab');
    expect(getTable(m, 0)).toMatchObject({
      type: { elemType: 'funcref', min: 4 },
      import: { module: 'host', name: 'tab' },
    });
    const withInit: WasmModule = {
      version: 1,
      sections: [
        {
          kind: 'table',
          tables: [{ type: { elemType: 'funcref', min: 1, table64: false }, init: refFunc(0) }],
        },
      ],
    };
    expect(getTable(withInit, 0)?.init).toEqual(refFunc(0));
  });

  it('reads function names from the name section', () => {
    const m = fresh();
    expect(functionName(m, 0)).toBe('log');
    expect(functionName(m, 5)).toBe('dispatch');
    expect(functionName(m, 99)).toBeUndefined();
    expect(readNames(m)?.globals.get(1)).toBe('counter');
    expect(readNames(parseModule(writeModule({ version: 1, sections: [] })))).toBeUndefined();
    const broken = parseModule(
      writeModule({ version: 1, sections: [{ kind: 'custom', name: 'name', data: Uint8Array.of(1, 9, 1) }] }),
    );
    expect(() => readNames(broken)).toThrow(
      expect.objectContaining({
        section: 'custom "name"',
        offset: 17,
        message: expect.stringMatching(/subsection 1 runs past/),
      }),
    );
    expect(functionName(broken, 0)).toBeUndefined();
  });
});

describe('editing', () => {
  it('runs the fixture unchanged', async () => {
    const e = await instantiate(fresh());
    expect(value(e.counter)).toBe(1);
    expect((e.read as (n: number) => number)(16)).toBe('h'.charCodeAt(0));
    expect((e.dispatch as (n: number) => number)(0)).toBe(7);
  });

  it('adds, removes and renames exports', async () => {
    const m = fresh();
    addExport(m, { name: 'nine', kind: 'func', index: 4 });
    expect(removeExport(m, 'hello')).toBe(true);
    expect(removeExport(m, 'hello')).toBe(false);
    renameExport(m, 'read', 'peek');
    expect(() => addExport(m, { name: 'peek', kind: 'func', index: 2 })).toThrow(ModuleEditError);
    expect(() => renameExport(m, 'nope', 'x')).toThrow(/no export of that name/);
    expect(() => renameExport(m, 'peek', 'memory')).toThrow(/already exported/);
    const e = await instantiate(m);
    expect(Object.keys(e)).toEqual(['memory', 'counter', 'answer', 'wide', 'peek', 'dispatch', 'nine']);
    expect((e.nine as () => number)()).toBe(9);
    setExports(m, []);
    expect(getSection(m, 'export')).toBeUndefined();
    expect(Object.keys(await instantiate(m))).toEqual([]);
  });

  it('adds functions, reusing an identical function type', async () => {
    const m = fresh();
    const typeSection = getSection(m, 'type');
    const eleven = Uint8Array.of(0x00, 0x41, 11, 0x0b);
    const add = Uint8Array.of(0x00, 0x20, 0, 0x20, 1, 0x6a, 0x0b);
    const indices = addFunctions(m, [
      { type: { kind: 'func', params: [], results: ['i32'] }, body: eleven },
      { type: { kind: 'func', params: ['i32', 'i32'], results: ['i32'] }, body: add },
      { type: 0, body: eleven },
    ]);
    expect(indices).toEqual([7, 8, 9]);
    const types = getSection(m, 'type')!.types;
    expect(types).toHaveLength(typeSection!.types.length + 1);
    expect(functionType(m, 7)).toEqual(types[0]);
    expect(functionType(m, 8)).toEqual({ kind: 'func', params: ['i32', 'i32'], results: ['i32'] });
    expect(functionBody(m, 8)).toBe(add);
    addExport(m, { name: 'eleven', kind: 'func', index: 7 });
    addExport(m, { name: 'add', kind: 'func', index: 8 });
    const e = await instantiate(m);
    expect((e.eleven as () => number)()).toBe(11);
    expect((e.add as (a: number, b: number) => number)(2, 40)).toBe(42);
    expect((e.read as (n: number) => number)(16)).toBe('h'.charCodeAt(0));
  });

  it('adds functions only where asked, and refuses a type the module lacks', async () => {
    const m = fresh();
    const before = [...m.sections];
    expect(addFunctions(m, [])).toEqual([]);
    expect(m.sections).toEqual(before);
    addFunctions(m, [
      { type: { kind: 'func', params: [], results: ['i32'] }, body: Uint8Array.of(0, 0x41, 1, 0x0b) },
    ]);
    expect(m.sections[0]).toBe(before[0]);
    expect(() => addFunctions(m, [{ type: 99, body: Uint8Array.of(0, 0x0b) }])).toThrow(ModuleEditError);
    expect(() => addFunctions(m, [{ type: 99, body: Uint8Array.of(0, 0x0b) }])).toThrow(/types 0\.\.\d+/);

    const empty: WasmModule = {
      version: 1,
      sections: [{ kind: 'custom', name: 'x', data: new Uint8Array(0) }],
    };
    const [f] = addFunctions(empty, [
      { type: { kind: 'func', params: [], results: ['i64'] }, body: Uint8Array.of(0, 0x42, 5, 0x0b) },
    ]);
    addExport(empty, { name: 'five', kind: 'func', index: f! });
    expect(empty.sections.map((s) => s.kind)).toEqual(['type', 'function', 'export', 'code', 'custom']);
    expect(((await instantiate(empty, {})).five as () => bigint)()).toBe(5n);
  });

  it('leaves untouched sections byte for byte', () => {
    const m = fresh();
    const before = m.sections.filter((s) => s.kind !== 'export');
    renameExport(m, 'read', 'peek');
    for (const s of before) expect(m.sections).toContain(s);
    expect(originalSectionBytes(getSection(m, 'export')!)).toBeUndefined();
  });

  it('replaces all data segments and keeps a data count in step', async () => {
    const m = fresh();
    setDataSegments(m, [
      { mode: 'active', memory: 0, offset: i32Const(0), data: Uint8Array.of(1, 2, 3) },
      { mode: 'active', memory: 0, offset: i32Const(65535), data: Uint8Array.of(0xee) },
    ]);
    expect(getDataSegments(m)).toHaveLength(2);
    expect(getSection(m, 'datacount')).toBeUndefined();
    const e = await instantiate(m);
    const read = e.read as (n: number) => number;
    expect([read(0), read(2), read(16), read(65535)]).toEqual([1, 3, 0, 0xee]);
    setDataSegments(m, [{ mode: 'passive', memory: 0, data: Uint8Array.of(5) }], { dataCount: true });
    expect(getSection(m, 'datacount')?.count).toBe(1);
    await instantiate(m);
    setDataSegments(m, []);
    expect(getSection(m, 'data')).toBeUndefined();
    expect(getSection(m, 'datacount')?.count).toBe(0);
    await instantiate(m);
  });

  it('changes memory limits', async () => {
    const m = fresh();
    setMemoryLimits(m, 0, { min: 3 });
    expect(getMemory(m, 0)?.type).toMatchObject({ min: 3, max: 4 });
    expect(((await instantiate(m)).memory as WebAssembly.Memory).buffer.byteLength).toBe(3 * 65536);
    setMemoryLimits(m, 0, { min: 6, max: undefined });
    expect(getMemory(m, 0)?.type.max).toBeUndefined();
    expect(((await instantiate(m)).memory as WebAssembly.Memory).buffer.byteLength).toBe(6 * 65536);
    expect(() => setMemoryLimits(m, 0, { max: 2 })).toThrow(/above the maximum/);
    expect(() => setMemoryLimits(m, 1, { min: 1 })).toThrow(/no memory 1/);
  });

  it("sets a global's init expression to a constant", async () => {
    const m = fresh();
    setGlobalInit(m, 1, i32Const(41));
    setGlobalInit(m, 3, i64Const(2n ** 40n));
    setGlobalInit(m, 2, globalGet(0));
    const e = await instantiate(m);
    expect(value(e.counter)).toBe(42);
    expect(value(e.wide)).toBe(2n ** 40n);
    expect(value(e.answer)).toBe(100);
    expect(() => setGlobalInit(m, 0, i32Const(1))).toThrow(/imported/);
    expect(() => setGlobalInit(m, 9, i32Const(1))).toThrow(/no global 9/);
  });

  it('drops the start section', async () => {
    const m = fresh();
    expect(removeStart(m)).toBe(1);
    expect(removeStart(m)).toBeUndefined();
    expect(value((await instantiate(m)).counter)).toBe(0);
  });

  it('turns a defined memory and globals into imports and back', async () => {
    const m = fresh();
    defineToImport(m, 'memory', 0, 'state', 'memory');
    expect(() => defineToImport(m, 'global', 2, 'state', 'g')).toThrow(/renumbering globals 1..1/);
    defineToImport(m, 'global', 1, 'state', 'counter');
    defineToImport(m, 'global', 2, 'state', 'answer');
    expect(indexSpaces(m).global).toEqual({ imported: 3, defined: 1, total: 4 });
    expect(getSection(m, 'memory')).toBeUndefined();
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    const counter = new WebAssembly.Global({ value: 'i32', mutable: true }, 10);
    const e = await instantiate(m, {
      ...hostImports(),
      state: { memory, counter, answer: new WebAssembly.Global({ value: 'i32' }, 5) },
    });
    expect(counter.value).toBe(11);
    expect(e.memory).toBe(memory);
    expect(new Uint8Array(memory.buffer, 16, 2)).toEqual(Uint8Array.of(0x68, 0x69));
    expect(value(e.answer)).toBe(5);

    expect(() => importToDefinition(m, 'global', 1, i32Const(0))).toThrow(
      /only the last imported global \(2\)/,
    );
    importToDefinition(m, 'global', 2, i32Const(42));
    importToDefinition(m, 'global', 1, i32Const(0));
    importToDefinition(m, 'memory', 0);
    expect(() => importToDefinition(m, 'memory', 0)).toThrow(/not imported/);
    // Back where it started: every re-encoded section equals what wabt wrote.
    expect(writeModule(m)).toEqual(bytes);
  });

  it('adds element segments', async () => {
    const m = fresh();
    addElementSegments(m, [
      { mode: 'active', table: 0, offset: i32Const(1), elemType: 'funcref', funcs: [4] },
      { mode: 'active', table: 0, offset: i32Const(2), elemType: 'funcref', exprs: [refFunc(3)] },
    ]);
    expect(getSection(m, 'element')?.segments.map((s) => s.encoding)).toEqual([0, undefined, undefined]);
    const dispatch = (await instantiate(m)).dispatch as (n: number) => number;
    expect([dispatch(0), dispatch(1), dispatch(2)]).toEqual([7, 9, 7]);
    const reparsed = parseModule(writeModule(m));
    expect(getSection(reparsed, 'element')?.segments.map((s) => s.encoding)).toEqual([0, 0, 4]);
  });

  it('removes the code entirely, leaving a data-only module', async () => {
    const m = fresh();
    for (const kind of ['function', 'code', 'start', 'element', 'table'] as const) removeSection(m, kind);
    setExports(
      m,
      getExports(m).filter((e) => e.kind !== 'func'),
    );
    removeCustomSections(m, 'name');
    const e = await instantiate(m);
    expect(Object.keys(e)).toEqual(['memory', 'counter', 'answer', 'wide']);
    expect(indexSpaces(m).func).toEqual({ imported: 1, defined: 0, total: 1 });
  });

  it('adds and removes custom sections in place', () => {
    const m = fresh();
    addCustomSection(m, 'first', Uint8Array.of(1), 'start');
    addCustomSection(m, 'after-types', Uint8Array.of(2), { after: 'type' });
    addCustomSection(m, 'after-types-2', Uint8Array.of(3), { after: 'type' });
    addCustomSection(m, 'last', Uint8Array.of(4));
    expect(() => addCustomSection(m, 'x', Uint8Array.of(), { after: 'tag' })).toThrow(/has none/);
    const reparsed = parseModule(writeModule(m));
    const order = reparsed.sections.map((s) => (s.kind === 'custom' ? s.name : s.kind));
    expect(order.slice(0, 4)).toEqual(['first', 'type', 'after-types', 'after-types-2']);
    expect(order.at(-1)).toBe('last');
    expect(removeCustomSections(reparsed, (s) => s.name.startsWith('after'))).toBe(2);
    expect(getCustomSections(reparsed).map((s) => s.name)).toEqual(['first', 'name', 'last']);
  });
});
