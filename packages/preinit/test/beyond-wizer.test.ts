import { WasmRuntimeError } from '@wasm-runtime/errors';
import { decodeConstExpr, getSection, parseModule } from '@wasm-runtime/wasm';
import { describe, expect, it } from 'vitest';
import { preinitialize } from '../src/index.js';
import { runWizer, wat, wizerAvailable } from './helpers.js';

function instantiate(bytes: Uint8Array, imports: WebAssembly.Imports = {}): WebAssembly.Instance {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports);
}

describe('V8 facts the table snapshot relies on', () => {
  it("gives an exported function's index as its name, also for functions read out of a table", async () => {
    const inst = instantiate(
      await wat(`(module
        (import "env" "imp" (func $imp))
        (table (export "t") 3 funcref)
        (elem (i32.const 0) $a $b $imp)
        (func $a) (func $b (export "b")))`),
      { env: { imp: () => {} } },
    );
    const table = inst.exports['t'] as WebAssembly.Table;
    expect((table.get(0) as () => void).name).toBe('1');
    expect((table.get(1) as () => void).name).toBe('2');
    // The same function object whether exported or read from the table: identity maps it back.
    expect(table.get(1)).toBe(inst.exports['b']);
    // An imported host function read out of the table is named by its import's index.
    expect((table.get(2) as () => void).name).toBe('0');
  });
});

describe('exception handling (Wizer 11 refuses it)', () => {
  it('pre-initializes a module whose init throws and catches wasm exceptions', async () => {
    const bytes = await wat('eh/try-catch.wat');
    const { module } = await preinitialize(bytes);
    const inst = instantiate(module);
    expect((inst.exports['caught'] as WebAssembly.Global).value).toBe(42);
    expect((inst.exports['run'] as () => number)()).toBe(43);
  });

  it.skipIf(!wizerAvailable)('where the real Wizer 11 binary refuses the same module', async () => {
    await expect(runWizer(await wat('eh/try-catch.wat'))).rejects.toThrow(/exceptions/);
  });
});

describe('funcref tables', () => {
  it('captures table.set, table.grow and cleared slots as element segments', async () => {
    const { module, report } = await preinitialize(await wat('tables/mutate.wat'));
    expect(report.tables).toEqual([{ index: 0, size: 6, entries: 5, segments: 2 }]);
    const inst = instantiate(module);
    const call = inst.exports['call'] as (i: number) => number;
    expect([0, 2, 3, 4, 5].map(call)).toEqual([1, 3, 4, 5, 5]);
    expect(() => call(1)).toThrow(/null|uninitialized|signature/i);
    expect((inst.exports['size'] as () => number)()).toBe(6);
    const table = getSection(parseModule(module), 'table')!.tables[0]!;
    expect(table.type.min).toBe(6);
  });

  it('leaves tables (and their element segments) alone when no code can mutate them', async () => {
    const { module, report } = await preinitialize(
      await wat(`(module
        (table 2 funcref) (elem (i32.const 1) $f)
        (memory (export "memory") 1)
        (func $f) (func (export "wizer-initialize") (i32.store (i32.const 0) (i32.const 1))))`),
    );
    expect(report.tables).toEqual([]);
    const elem = getSection(parseModule(module), 'element')!.segments;
    expect(elem).toHaveLength(1);
    expect(elem[0]!.mode).toBe('active');
  });

  it('snapshots a mutable funcref global', async () => {
    const { module } = await preinitialize(await wat('tables/funcref-global.wat'));
    expect((instantiate(module).exports['run'] as () => number)()).toBe(7);
  });

  const preload = (returned: '$f' | '$g') => `(module
    (func $f (export "f") (result i32) (i32.const 9))
    (func $g (result i32) (i32.const 1))
    (elem declare func $f $g)
    (func (export "get") (result funcref) (ref.func ${returned})))`;

  it('maps a function of another instance that the module imports back to the import', async () => {
    const { module } = await preinitialize(
      await wat(`(module
        (type $ret (func (result i32)))
        (import "env" "f" (func $f (result i32)))
        (import "env" "get" (func $get (result funcref)))
        (table $t 2 funcref)
        (func (export "wizer-initialize") (table.set $t (i32.const 0) (call $get)))
        (func (export "run") (result i32) (call_indirect $t (type $ret) (i32.const 0))))`),
      { preloads: [{ name: 'env', module: await wat(preload('$f')) }] },
    );
    const inst = instantiate(module, { env: { f: () => 9, get: () => null } });
    expect((inst.exports['run'] as () => number)()).toBe(9);
  });

  it('refuses a function no module can name (another instance, not imported)', async () => {
    const err = await preinitialize(await wat('tables/host-function.wat'), {
      preloads: [{ name: 'env', module: await wat(preload('$g')) }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WasmRuntimeError);
    expect((err as WasmRuntimeError).code).toBe('ERR_PREINIT_UNSNAPSHOTTABLE');
    expect((err as Error).message).toMatch(/table 0 slot 0 holds a function/);
  });
});

describe('globals beyond the JS API', () => {
  it('keeps the bits of float globals, NaN payloads and -0 included (JS numbers would not)', async () => {
    const { module } = await preinitialize(await wat('basic/nan-globals.wat'));
    const inits = getSection(parseModule(module), 'global')!.globals.map((g) => decodeConstExpr(g.init)[0]);
    expect(inits.slice(0, 3)).toEqual([
      { op: 'f32.const', bits: 0xffffffa5 },
      { op: 'f64.const', bits: 0x7ff0000000000004n },
      { op: 'f64.const', bits: 0x8000000000000000n },
    ]);
    const lanes = (inits[3] as { bytes: Uint8Array }).bytes;
    expect(Buffer.from(lanes).toString('hex')).toBe('0100807f0000c0ff0000000000000000');
    expect(inits[4]).toEqual({ op: 'f32.const', bits: 0x7f800001 });
  });

  it('snapshots a mutable v128 global through a generated getter', async () => {
    const { module } = await preinitialize(
      await wat(`(module
        (global $v (mut v128) (v128.const i32x4 0 0 0 0))
        (func (export "wizer-initialize") (global.set $v (v128.const i32x4 1 -2 0x7fffffff 0x80000000)))
        (func (export "lane") (param i32) (result i32)
          (i32.load (i32.const 0))
          (drop)
          (if (result i32) (i32.eqz (local.get 0)) (then (i32x4.extract_lane 0 (global.get $v)))
            (else (if (result i32) (i32.eq (local.get 0) (i32.const 1)) (then (i32x4.extract_lane 1 (global.get $v)))
              (else (if (result i32) (i32.eq (local.get 0) (i32.const 2)) (then (i32x4.extract_lane 2 (global.get $v)))
                (else (i32x4.extract_lane 3 (global.get $v)))))))))
        (memory 1))`),
    );
    const parsed = parseModule(module);
    // The getter used during the snapshot is not in the output.
    expect(getSection(parsed, 'function')!.types).toHaveLength(2);
    const lane = instantiate(module).exports['lane'] as (i: number) => number;
    expect([0, 1, 2, 3].map(lane)).toEqual([1, -2, 0x7fffffff, -0x80000000]);
  });
});

describe('data.drop and elem.drop (Wizer 11 refuses them)', () => {
  it('keeps a segment init dropped dropped, and the others usable', async () => {
    const bytes = await wat('bulk/data-drop.wat');
    const { module } = await preinitialize(bytes);
    const inst = instantiate(module);
    const mem = new Uint8Array((inst.exports['memory'] as WebAssembly.Memory).buffer);
    // Init's copy is in the snapshot; the probe that wrote byte 0 restored it.
    expect(new TextDecoder().decode(mem.subarray(0, 5))).toBe('first');
    expect(() => (inst.exports['copy_a'] as () => void)()).toThrow(WebAssembly.RuntimeError);
    (inst.exports['copy_b'] as () => void)();
    expect(new TextDecoder().decode(mem.subarray(200, 206))).toBe('second');
  });

  it('does the same for element segments', async () => {
    const { module } = await preinitialize(await wat('bulk/elem-drop.wat'));
    const inst = instantiate(module);
    const call = inst.exports['call'] as (i: number) => number;
    expect(call(0)).toBe(1);
    expect(() => (inst.exports['init_e'] as () => void)()).toThrow(WebAssembly.RuntimeError);
    (inst.exports['init_k'] as () => void)();
    expect(call(1)).toBe(2);
  });

  it.skipIf(!wizerAvailable)('where the real Wizer 11 binary refuses them', async () => {
    await expect(runWizer(await wat('bulk/data-drop.wat'))).rejects.toThrow(/data\.drop/);
    await expect(runWizer(await wat('bulk/elem-drop.wat'))).rejects.toThrow(/table\.init|elem\.drop/);
  });
});

describe('bulk memory', () => {
  it('keeps passive segments (and their indices) for memory.init after restore', async () => {
    const { module, report } = await preinitialize(await wat('bulk/passive.wat'));
    const data = getSection(parseModule(module), 'data')!.segments;
    expect(data[0]).toMatchObject({ mode: 'passive' });
    expect(data[0]!.data.length).toBe(0);
    expect(new TextDecoder().decode(data[1]!.data)).toBe('passive!');
    expect(report.dataSegments).toBe(data.length);
    expect(getSection(parseModule(module), 'datacount')!.count).toBe(data.length);
  });
});

describe('host imports', () => {
  const tableModule = `(module
    (type $ret (func (result i32)))
    (import "env" "f" (func $f (result i32)))
    (import "env" "get" (func $get (result funcref)))
    (table $t 2 funcref)
    (elem declare func $f)
    (func (export "wizer-initialize") (table.set $t (i32.const 0) (ref.func $f)))
    (func (export "put") (table.set $t (i32.const 1) (call $get)))
    (func (export "run") (result i32) (call_indirect $t (type $ret) (i32.const 0))))`;

  it('maps a host function the module imports back to its import', async () => {
    const { module } = await preinitialize(await wat(tableModule), {
      imports: { env: { f: () => 5, get: () => null } },
    });
    const inst = instantiate(module, { env: { f: () => 6, get: () => null } });
    // The slot holds the import, so at run time it is whatever the host provides then.
    expect((inst.exports['run'] as () => number)()).toBe(6);
  });

  it('refuses a function from the host that the module does not import', async () => {
    const source = tableModule.replace(
      '(func (export "wizer-initialize") (table.set $t (i32.const 0) (ref.func $f)))',
      '(func (export "wizer-initialize") (table.set $t (i32.const 0) (call $get)))',
    );
    // JS cannot make a funcref from a plain function without type reflection: take another instance's.
    const other = instantiate(await wat('(module (func (export "g") (result i32) (i32.const 1)))'));
    const err = await preinitialize(await wat(source), {
      imports: { env: { f: () => 5, get: () => other.exports['g'] } },
    }).catch((e: unknown) => e);
    expect((err as WasmRuntimeError).code).toBe('ERR_PREINIT_UNSNAPSHOTTABLE');
  });

  it('refuses a non-null externref left in a table', async () => {
    const err = await preinitialize(
      await wat(`(module
        (import "env" "obj" (func $obj (result externref)))
        (table $t 1 externref)
        (func (export "wizer-initialize") (table.set $t (i32.const 0) (call $obj))))`),
      { imports: { env: { obj: () => ({ host: 'object' }) } } },
    ).catch((e: unknown) => e);
    expect((err as WasmRuntimeError).code).toBe('ERR_PREINIT_UNSNAPSHOTTABLE');
    expect((err as Error).message).toMatch(/table 0 slot 0 holds a non-null externref/);
  });

  it('gives WASI its memory before the start function runs', async () => {
    const { module } = await preinitialize(
      await wat(`(module
        (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
        (memory (export "memory") 1)
        (global $errno (export "errno") (mut i32) (i32.const -1))
        (start $st)
        (func $st (global.set $errno (call $random (i32.const 0) (i32.const 8))))
        (func (export "wizer-initialize")))`),
      { allowWasi: true },
    );
    const inst = instantiate(module, { wasi_snapshot_preview1: { random_get: () => 1 } });
    expect((inst.exports['errno'] as WebAssembly.Global).value).toBe(0);
    expect(
      new Uint8Array((inst.exports['memory'] as WebAssembly.Memory).buffer, 0, 8).some((b) => b !== 0),
    ).toBe(true);
  });

  it('reports a start function trap with its frames', async () => {
    const err = await preinitialize(
      await wat(`(module (start $boom) (func $boom unreachable) (func (export "wizer-initialize")))`),
    ).catch((e: unknown) => e);
    expect((err as WasmRuntimeError).code).toBe('ERR_PREINIT_TRAP');
    expect((err as Error).message).toMatch(/`start function` function trapped[\s\S]*boom/);
  });
});

describe('init from JS (initialize callback)', () => {
  const source = `(module
    (type $ret (func (result i32)))
    (memory (export "memory") 1)
    (table (export "table") 2 funcref)
    (global $sum (export "sum") (mut i32) (i32.const 0))
    (func $seven (export "seven") (result i32) (i32.const 7))
    (func (export "add") (param i32 i32) (global.set $sum (i32.add (local.get 0) (local.get 1))))
    (func (export "call") (param i32) (result i32) (call_indirect (type $ret) (local.get 0))))`;

  it('captures an init that takes arguments and the host setting table entries', async () => {
    const { module } = await preinitialize(await wat(source), {
      initialize: async (exports) => {
        (exports['add'] as (a: number, b: number) => void)(40, 2);
        await Promise.resolve();
        (exports['table'] as WebAssembly.Table).set(1, exports['seven'] as () => number);
        new Uint8Array((exports['memory'] as WebAssembly.Memory).buffer).set([1, 2, 3], 100);
      },
    });
    const inst = instantiate(module);
    expect((inst.exports['sum'] as WebAssembly.Global).value).toBe(42);
    expect((inst.exports['call'] as (i: number) => number)(1)).toBe(7);
    expect([...new Uint8Array((inst.exports['memory'] as WebAssembly.Memory).buffer, 100, 3)]).toEqual([
      1, 2, 3,
    ]);
    // No init export was required, and the module's exports are all still there.
    expect(Object.keys(inst.exports).sort()).toEqual(['add', 'call', 'memory', 'seven', 'sum', 'table']);
  });

  it('refuses a table entry the host set to a function no module can name', async () => {
    const other = instantiate(await wat('(module (func (export "g") (result i32) (i32.const 1)))'));
    const err = await preinitialize(await wat(source), {
      initialize: (exports) =>
        (exports['table'] as WebAssembly.Table).set(0, other.exports['g'] as () => number),
    }).catch((e: unknown) => e);
    expect((err as WasmRuntimeError).code).toBe('ERR_PREINIT_UNSNAPSHOTTABLE');
  });

  it('turns a trap inside the callback into a typed error', async () => {
    const err = await preinitialize(await wat(source), {
      initialize: async (exports) => {
        await Promise.resolve();
        (exports['call'] as (i: number) => number)(0);
      },
    }).catch((e: unknown) => e);
    expect((err as WasmRuntimeError).code).toBe('ERR_PREINIT_TRAP');
    expect((err as Error).message).toMatch(/the initialize callback/);
  });
});
