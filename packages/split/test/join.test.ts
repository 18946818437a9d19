import { parseModule, type Section, setSection, writeModule } from '@wasm-runtime/wasm';
import { describe, expect, it } from 'vitest';
import { join, PairMismatchError, split } from '../src/index.js';
import { APP_A, APP_B, canonical, fixture, hostImports, multiMemorySnapshot, snapshot } from './helpers.js';

type Fn = (...args: number[]) => number | bigint;

function instantiate(bytes: Uint8Array): WebAssembly.Instance {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), hostImports());
}

describe('join', () => {
  it('gives back the snapshot byte for byte when it came from the canonical writer', () => {
    for (const bytes of [snapshot(APP_A), snapshot(APP_B), fixture('no-globals'), multiMemorySnapshot()]) {
      const x = canonical(bytes);
      const { engine, app } = split(x);
      expect(Buffer.from(join(engine, app)).equals(Buffer.from(x))).toBe(true);
    }
  });

  it('gives back the data count section and custom sections around the code', () => {
    const module = parseModule(snapshot(APP_A));
    const data = module.sections.find((s) => s.kind === 'data');
    const custom = (name: string): Section => ({
      kind: 'custom',
      name,
      data: new TextEncoder().encode(name),
    });
    const sections: Section[] = [custom('first')];
    for (const s of module.sections) {
      if (s.kind === 'code' && data?.kind === 'data')
        sections.push({ kind: 'datacount', count: data.segments.length });
      sections.push(s);
    }
    sections.push(custom('name'), custom('producers'));
    const x = canonical(writeModule({ version: 1, sections }));
    const { engine, app } = split(x);
    expect(parseModule(engine).sections.filter((s) => s.kind === 'custom')).toHaveLength(3);
    expect(parseModule(app).sections.map((s) => s.kind)).toEqual([
      'memory',
      'global',
      'export',
      'datacount',
      'data',
    ]);
    expect(Buffer.from(join(engine, app)).equals(Buffer.from(x))).toBe(true);
  });

  it('keeps the data count right when compaction cuts segments, and joins to an equivalent module', () => {
    const zeros = '\\00'.repeat(64);
    const module = parseModule(
      snapshot({ ...APP_A, data: `(data (i32.const 1000) "ab${zeros}cd${zeros}")` }),
    );
    const sections: Section[] = [];
    for (const s of module.sections) {
      if (s.kind === 'code') sections.push({ kind: 'datacount', count: 1 });
      sections.push(s);
    }
    const x = writeModule({ version: 1, sections });
    const { engine, app } = split(x);
    const appSections = parseModule(app).sections;
    expect(appSections.find((s) => s.kind === 'datacount')).toEqual({ kind: 'datacount', count: 2 });
    const joined = join(engine, app);
    expect(WebAssembly.validate(joined as Uint8Array<ArrayBuffer>)).toBe(true);
    const memory = (bytes: Uint8Array) =>
      Buffer.from((instantiate(bytes).exports['memory'] as WebAssembly.Memory).buffer);
    expect(memory(joined).equals(memory(x))).toBe(true);
    expect(memory(x).subarray(1000, 1004).toString('latin1')).toBe('ab\0\0');
  });

  it('moves the custom sections named by appCustomSections to the app and back', () => {
    const module = parseModule(canonical(snapshot(APP_A)));
    const note: Section = { kind: 'custom', name: 'app-notes', data: new Uint8Array([1, 2, 3]) };
    const x = writeModule({ version: 1, sections: [...module.sections, note] });
    const a = split(x, { appCustomSections: ['app-notes'] });
    const b = split(canonical(snapshot(APP_B)), { appCustomSections: ['app-notes'] });
    expect(a.manifest.engine.sha256).toBe(b.manifest.engine.sha256);
    expect(parseModule(a.app).sections.at(-1)).toMatchObject({ kind: 'custom', name: 'app-notes' });
    expect(Buffer.from(join(a.engine, a.app)).equals(Buffer.from(x))).toBe(true);
  });

  it('behaves like the snapshot when the snapshot used padded LEB128s (wabt output)', () => {
    const x = snapshot(APP_B);
    const { engine, app } = split(x);
    const joined = join(engine, app);
    const j = instantiate(joined);
    const o = instantiate(x);
    expect(WebAssembly.Module.exports(new WebAssembly.Module(joined as Uint8Array<ArrayBuffer>))).toEqual(
      WebAssembly.Module.exports(new WebAssembly.Module(x as Uint8Array<ArrayBuffer>)),
    );
    for (const name of ['sp', 'counter', 'heap_base', 'version', 'seeded', 'pages', 'bump']) {
      expect((j.exports[name] as Fn)(), name).toEqual((o.exports[name] as Fn)());
    }
    expect((j.exports['sum'] as Fn)(2048, 4096)).toBe((o.exports['sum'] as Fn)(2048, 4096));
    expect((j.exports['apply'] as Fn)(1, 5)).toBe(15);
    const memory = (i: WebAssembly.Instance) =>
      Buffer.from((i.exports['memory'] as WebAssembly.Memory).buffer);
    expect(memory(j).equals(memory(o))).toBe(true);
  });

  it('refuses an app split from another runtime, naming the item', () => {
    const a = split(snapshot(APP_A));
    const other = split(fixture('no-globals'));
    expect(() => join(a.engine, other.app)).toThrow(PairMismatchError);
    expect(() => join(other.engine, a.app)).toThrow(/does not import "global1"/);
    try {
      join(a.engine, other.app);
    } catch (error) {
      expect(error).toMatchObject({ code: 'ERR_SPLIT_PAIR_MISMATCH' });
    }
  });

  it('refuses a module with code in place of the app', () => {
    const a = split(snapshot(APP_A));
    expect(() => join(a.engine, a.engine)).toThrow(/has a import section|not a split app module/);
  });

  it('refuses an engine with a memory or data section of its own', () => {
    const a = split(snapshot(APP_A));
    const engine = parseModule(a.engine);
    const appSections = parseModule(a.app).sections;
    for (const kind of ['memory', 'data'] as const) {
      const own = appSections.find((s) => s.kind === kind)!;
      const withOwn = { version: 1, sections: [...engine.sections] };
      setSection(withOwn, own as Exclude<Section, { kind: 'custom' }>);
      const bad = writeModule(withOwn);
      expect(() => join(bad, a.app)).toThrow(PairMismatchError);
      expect(() => join(bad, a.app)).toThrow(
        `the engine module has a ${kind} section, so it is not a split engine`,
      );
    }
  });
});
