import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { parseModule, writeModule } from '@wasm-runtime/wasm';
import { describe, expect, it } from 'vitest';
import {
  APP_IMPORT_MODULE,
  engineFileName,
  join,
  link,
  NotPreinitializedError,
  sha256Hex,
  split,
  TableStateError,
  UnsplittableError,
} from '../src/index.js';
import { APP_A, APP_B, fixture, hostImports, multiMemorySnapshot, snapshot } from './helpers.js';

function section<K extends string>(bytes: Uint8Array, kind: K) {
  return parseModule(bytes).sections.filter((s) => s.kind === kind);
}

function codeBytes(bytes: Uint8Array): Uint8Array[] {
  const code = parseModule(bytes).sections.find((s) => s.kind === 'code');
  if (code?.kind !== 'code') throw new Error('no code section');
  return [...code.bodies];
}

describe('split', () => {
  const a = snapshot(APP_A);
  const b = snapshot(APP_B);

  it('gives byte-identical engines for two apps of one runtime (invariant 3: sharing)', () => {
    const sa = split(a);
    const sb = split(b);
    expect(sha256Hex(sa.engine)).toBe(sha256Hex(sb.engine));
    expect(sa.manifest.engine).toEqual(sb.manifest.engine);
    expect(sa.manifest.engine.file).toBe(engineFileName(sa.engine));
    expect(sa.manifest.engine.file).toMatch(/^engine-[0-9a-f]{16}\.wasm$/);
    expect(sha256Hex(sa.app)).not.toBe(sha256Hex(sb.app));
  });

  it('is deterministic: the same snapshot gives the same bytes and manifest (invariant 2)', () => {
    const first = split(a, { runtime: { name: 'template' } });
    const second = split(a.slice(), { runtime: { name: 'template' } });
    expect(Buffer.from(second.engine).equals(Buffer.from(first.engine))).toBe(true);
    expect(Buffer.from(second.app).equals(Buffer.from(first.app))).toBe(true);
    expect(second.manifest).toEqual(first.manifest);
  });

  it('keeps the code section verbatim and removes data, data count and start from the engine', () => {
    const { engine } = split(a);
    expect(codeBytes(engine)).toEqual(codeBytes(a));
    for (const kind of ['data', 'datacount', 'start', 'memory']) expect(section(engine, kind)).toEqual([]);
    expect(WebAssembly.validate(engine as Uint8Array<ArrayBuffer>)).toBe(true);
  });

  it('turns memories and the globals up to the last mutable one into imports from one module', () => {
    const { engine, manifest } = split(a);
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(engine as Uint8Array<ArrayBuffer>));
    expect(imports).toEqual([
      { module: 'wasi_snapshot_preview1', name: 'proc_exit', kind: 'function' },
      { module: 'env', name: 'seed', kind: 'global' },
      { module: APP_IMPORT_MODULE, name: 'memory', kind: 'memory' },
      { module: APP_IMPORT_MODULE, name: 'global1', kind: 'global' },
      { module: APP_IMPORT_MODULE, name: 'global2', kind: 'global' },
      { module: APP_IMPORT_MODULE, name: 'global3', kind: 'global' },
    ]);
    expect(manifest.imports).toEqual([
      { kind: 'memory', name: 'memory', index: 0, pages: 2, maxPages: 256, shared: false, memory64: false },
      { kind: 'global', name: 'global1', index: 1, valType: 'i32', mutable: true },
      { kind: 'global', name: 'global2', index: 2, valType: 'i32', mutable: false },
      { kind: 'global', name: 'global3', index: 3, valType: 'i64', mutable: true },
    ]);
    // The immutable globals after the last mutable one stay in the engine.
    const globals = section(engine, 'global')[0];
    expect(globals?.kind === 'global' && globals.globals.length).toBe(2);
    // The engine imports the memory with minimum 0 and the runtime's maximum.
    const imp = section(engine, 'import')[0];
    const mem = imp?.kind === 'import' ? imp.imports.find((i) => i.desc.kind === 'memory') : undefined;
    expect(mem?.desc).toEqual({ kind: 'memory', type: { min: 0, max: 256, shared: false, memory64: false } });
  });

  it('keeps the exports of the original, so the engine re-exports the imported memory as "memory"', () => {
    const { engine } = split(a);
    const names = (bytes: Uint8Array) =>
      WebAssembly.Module.exports(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
    expect(names(engine)).toEqual(names(a));
  });

  it('builds a code-free app module that exports exactly what the engine imports', () => {
    const { app, manifest } = split(a);
    const appModule = new WebAssembly.Module(app as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.imports(appModule)).toEqual([]);
    expect(WebAssembly.Module.exports(appModule).map((e) => `${e.kind} ${e.name}`)).toEqual(
      manifest.imports.map((i) => `${i.kind} ${i.name}`),
    );
    for (const kind of ['code', 'function', 'type', 'import', 'start'])
      expect(section(app, kind)).toEqual([]);
    const instance = new WebAssembly.Instance(appModule, {});
    const memory = instance.exports['memory'] as WebAssembly.Memory;
    expect(memory.buffer.byteLength).toBe(2 * 65536);
    expect(new TextDecoder().decode(new Uint8Array(memory.buffer, 1024, 16))).toBe('hello from app A');
    expect((instance.exports['global1'] as WebAssembly.Global).value).toBe(60000);
    expect((instance.exports['global3'] as WebAssembly.Global).value).toBe(41n);
  });

  it('writes a JSON-able manifest with sizes, hashes and the table state', () => {
    const { engine, app, manifest } = split(a, { runtime: { name: 'template', version: '1' } });
    expect(JSON.parse(JSON.stringify(manifest))).toEqual(manifest);
    expect(manifest).toMatchObject({
      format: 'wasm-runtime-split@1',
      runtime: { name: 'template', version: '1' },
      importModule: APP_IMPORT_MODULE,
      engine: { sha256: sha256Hex(engine) },
      app: { sha256: sha256Hex(app) },
      original: { sha256: sha256Hex(a) },
      sizes: { engine: engine.length, app: app.length, original: a.length },
      tables: { count: 1, elementSegments: 1, verifiedAgainstRuntime: false },
    });
  });

  it('keeps the app module within the snapshot data bytes plus a small overhead', () => {
    const blob = Array.from(
      { length: 4000 },
      (_, i) => `\\${(((i * 37) % 255) + 1).toString(16).padStart(2, '0')}`,
    );
    const s = snapshot({ ...APP_A, data: `(data (i32.const 4096) "${blob.join('')}")` });
    const { app } = split(s);
    expect(app.length).toBeLessThanOrEqual(4000 + 1024);
  });

  it('drops the zeros of a sparse heap: the app holds the non-zero bytes plus under 1 KiB', () => {
    // A 1 MiB heap segment, as a naive snapshot writer would dump it, with 40 live objects.
    const heap = new Uint8Array(1 << 20);
    for (let k = 0; k < 40; k++) heap.fill(k + 1, k * 20000, k * 20000 + 300);
    const hex = Array.from(heap, (b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
    const x = snapshot({ ...APP_A, min: 17, data: `(data (i32.const 0) "${hex}")` });
    const nonZero = heap.reduce((n, b) => n + (b === 0 ? 0 : 1), 0);
    const { engine, app } = split(x);
    expect(app.length).toBeLessThanOrEqual(nonZero + 1024);
    expect(split(x, { compactData: false }).app.length).toBeGreaterThan(1 << 20);
    const appInstance = new WebAssembly.Instance(new WebAssembly.Module(app as Uint8Array<ArrayBuffer>));
    const e = new WebAssembly.Instance(new WebAssembly.Module(engine as Uint8Array<ArrayBuffer>), {
      ...hostImports(),
      [APP_IMPORT_MODULE]: appInstance.exports,
    });
    const o = new WebAssembly.Instance(new WebAssembly.Module(x as Uint8Array<ArrayBuffer>), hostImports());
    const memory = (i: WebAssembly.Instance) =>
      Buffer.from((i.exports['memory'] as WebAssembly.Memory).buffer);
    expect(memory(e).equals(memory(o))).toBe(true);
  });

  it('uses the import module name it is given', () => {
    const { engine, manifest } = split(a, { importModule: 'app' });
    const modules = WebAssembly.Module.imports(new WebAssembly.Module(engine as Uint8Array<ArrayBuffer>)).map(
      (i) => i.module,
    );
    expect(modules).toContain('app');
    expect(modules).not.toContain(APP_IMPORT_MODULE);
    expect(manifest.importModule).toBe('app');
  });

  it('adds an import section when the snapshot has none', () => {
    const { engine, app } = split(fixture('no-globals'));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(app as Uint8Array<ArrayBuffer>));
    const e = new WebAssembly.Instance(new WebAssembly.Module(engine as Uint8Array<ArrayBuffer>), {
      [APP_IMPORT_MODULE]: instance.exports,
    });
    expect((e.exports['load'] as (p: number) => number)(101)).toBe(2);
  });

  it('gives the engine one import section when the snapshot has an empty one', () => {
    const module = parseModule(fixture('no-globals'));
    const sections = [...module.sections];
    sections.splice(
      sections.findIndex((s) => s.kind === 'function'),
      0,
      { kind: 'import', imports: [] },
    );
    const { engine } = split(writeModule({ version: 1, sections }));
    expect(WebAssembly.validate(engine as Uint8Array<ArrayBuffer>)).toBe(true);
    const imports = section(engine, 'import');
    expect(imports).toHaveLength(1);
    expect(imports[0]?.kind === 'import' && imports[0].imports.map((i) => i.name)).toEqual(['memory']);
  });

  it('splits every memory of a multi-memory snapshot under distinct names', () => {
    const { engine, app, manifest } = split(multiMemorySnapshot());
    expect(manifest.imports.map((i) => i.name)).toEqual(['memory', 'memory1']);
    expect(manifest.imports).toMatchObject([
      { pages: 2, maxPages: 100 },
      { pages: 1, maxPages: null },
    ]);
    const imp = section(engine, 'import')[0];
    expect(imp?.kind === 'import' && imp.imports.map((i) => i.name)).toEqual(['memory', 'memory1']);
    const exp = section(app, 'export')[0];
    expect(exp?.kind === 'export' && exp.exports).toEqual([
      { name: 'memory', kind: 'memory', index: 0 },
      { name: 'memory1', kind: 'memory', index: 1 },
    ]);
  });
});

describe('split refuses what it cannot split soundly', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(isWasmRuntimeError(error)).toBe(true);
      return (error as { code: string }).code;
    }
    throw new Error('expected a throw');
  };

  it('a module that still exports its init function', () => {
    expect(() => split(fixture('not-preinitialized'))).toThrow(NotPreinitializedError);
    expect(() => split(fixture('not-preinitialized'))).toThrow(/"_initialize".*pre-initializer/);
    expect(code(() => split(snapshot({ init: '(func (export "wizer-initialize"))' })))).toBe(
      'ERR_SPLIT_NOT_PREINITIALIZED',
    );
    expect(() => split(fixture('not-preinitialized'), { initExports: [] })).not.toThrow();
  });

  it('a start function, imported memories and imported mutable globals', () => {
    expect(code(() => split(fixture('start')))).toBe('ERR_SPLIT_HAS_START');
    expect(code(() => split(fixture('imported-memory')))).toBe('ERR_SPLIT_IMPORTED_MEMORY');
    expect(code(() => split(fixture('imported-mutable-global')))).toBe('ERR_SPLIT_IMPORTED_MUTABLE_GLOBAL');
    expect(() => split(fixture('imported-memory'))).toThrow(/"env" "memory"/);
  });

  it('passive data, non-constant state and a taken import module name', () => {
    expect(code(() => split(fixture('passive-data')))).toBe('ERR_SPLIT_PASSIVE_DATA');
    expect(code(() => split(fixture('non-constant-global')))).toBe('ERR_SPLIT_NON_CONSTANT_INIT');
    expect(() => split(fixture('non-constant-global'))).toThrow(/global 1 uses global\.get/);
    expect(code(() => split(snapshot(APP_A), { importModule: 'env' }))).toBe('ERR_SPLIT_IMPORT_MODULE_TAKEN');
    expect(() => split(fixture('passive-data'))).toThrow(UnsplittableError);
    expect(code(() => split(fixture('data-drop')))).toBe('ERR_SPLIT_CODE_USES_DATA');
    expect(() => split(fixture('data-drop'))).toThrow(/function 0 uses data\.drop at byte \d+/);
  });

  it('a table that init changed, when the runtime module is given to compare', () => {
    const runtime = snapshot({
      init: '(func (export "wizer-initialize"))',
      data: '(data (i32.const 1024) "seed")',
    });
    const same = split(snapshot(APP_A), { original: runtime });
    expect(same.manifest.tables?.verifiedAgainstRuntime).toBe(true);
    const changed = snapshot({ ...APP_A, elem: '$double $triple $triple' });
    expect(() => split(changed, { original: runtime })).toThrow(TableStateError);
    expect(code(() => split(changed, { original: runtime }))).toBe('ERR_SPLIT_TABLE_STATE');
    expect(() => split(changed, { original: runtime })).toThrow(/element segment 0 differs/);
    // Without the runtime to compare, the changed table stays in the engine: its hash gives it away.
    expect(split(changed).manifest.engine.sha256).not.toBe(same.manifest.engine.sha256);
  });
});

describe('float and v128 globals (issue 10: NaN payloads)', () => {
  const nan = fixture('nan-globals');
  const expected = {
    bits: 0x7fffffa5_ff800001n,
    bits64: 0x7ff0000000000004n ^ 0x8000000000000000n,
    lanes: 0xffc00000_7f800001n ^ 0xffffffff_7fc00000n,
  };

  it('keeps their bits through split and link, materialized or instantiated, and through join', async () => {
    const { engine, app } = split(nan);
    for (const materializeApp of [true, false, 'auto'] as const) {
      const { instance } = await link(engine, app, {}, { materializeApp, cache: null });
      const ex = instance.exports as Record<string, () => bigint>;
      const read = (name: string) => BigInt.asUintN(64, ex[name]!());
      expect({ bits: read('bits'), bits64: read('bits64'), lanes: read('lanes') }).toEqual(expected);
    }
    const joined = join(engine, app);
    expect(Buffer.from(joined).equals(Buffer.from(nan))).toBe(true);
  });
});
