import { WasmRuntimeError } from '@wasm-runtime/errors';
import { describe, expect, it } from 'vitest';
import {
  ImportNotProvidedError,
  InitExitError,
  InitTrapError,
  MissingInitExportError,
  type PreinitOptions,
  preinitialize,
  UnsupportedConstructError,
} from '../src/index.js';
import { wat } from './helpers.js';

async function failure(bytes: Uint8Array, options: PreinitOptions = {}): Promise<WasmRuntimeError> {
  try {
    await preinitialize(bytes, options);
  } catch (err) {
    expect(err).toBeInstanceOf(WasmRuntimeError);
    return err as WasmRuntimeError;
  }
  throw new Error('expected preinitialize to fail');
}

describe('typed failures', () => {
  it('missing init export: lists the function exports there are', async () => {
    const err = await failure(await wat('errors/trap.wat'), { initFunc: 'init' });
    expect(err).toBeInstanceOf(MissingInitExportError);
    expect(err.code).toBe('ERR_PREINIT_NO_INIT_EXPORT');
    expect((err as MissingInitExportError).exports).toEqual(['wizer-initialize', 'other']);
    expect(err.message).toMatch(/no `init` export.*wizer-initialize, other.*--init-func/);
  });

  it('init trapped: the wasm stack with names from the name section and offsets in the input', async () => {
    const bytes = await wat('errors/trap.wat');
    const err = await failure(bytes);
    expect(err).toBeInstanceOf(InitTrapError);
    expect(err.code).toBe('ERR_PREINIT_TRAP');
    const frames = (err as InitTrapError).frames;
    expect(frames.map((f) => f.name)).toEqual(['deep_inner', 'middle', 'wizer-initialize']);
    expect(frames.map((f) => f.funcIndex)).toEqual([0, 1, 2]);
    // The innermost frame points at the `unreachable` opcode (0x00) of the original module.
    expect(bytes[frames[0]!.offset!]).toBe(0x00);
    expect(err.message).toMatch(
      /`wizer-initialize` function trapped: unreachable[\s\S]*deep_inner[\s\S]*middle/,
    );
  });

  it('unsupported construct: data.drop that cannot be probed (empty memory), with its function index and offset', async () => {
    const bytes = await wat(`(module
      (memory 0)
      (data $p "never copied")
      (func (export "wizer-initialize") (memory.init $p (i32.const 0) (i32.const 0) (i32.const 0)) (data.drop $p)))`);
    const err = await failure(bytes);
    expect(err).toBeInstanceOf(UnsupportedConstructError);
    expect(err.code).toBe('ERR_PREINIT_UNSUPPORTED');
    const u = err as UnsupportedConstructError;
    expect(u.construct).toBe('data.drop');
    expect(u.funcIndex).toBe(0);
    expect(bytes[u.offset!]).toBe(0xfc);
    expect(err.message).toMatch(/data\.drop in function 0 at byte 0x.*cannot be probed/);
  });

  it('unsupported construct: an imported memory', async () => {
    const err = await failure(await wat('errors/imported-memory.wat'));
    expect(err.code).toBe('ERR_PREINIT_UNSUPPORTED');
    expect(err.message).toMatch(/imported memory.*`env::memory`/);
  });

  it('import not provided: names the import and the flag that provides it', async () => {
    const err = await failure(await wat('errors/calls-import.wat'));
    expect(err).toBeInstanceOf(ImportNotProvidedError);
    expect(err.code).toBe('ERR_PREINIT_IMPORT_NOT_PROVIDED');
    expect(err.message).toMatch(/`env::hook`.*--preload env=/);
    const wasi = await failure(await wat('wasi/random.wat'));
    expect(wasi.code).toBe('ERR_PREINIT_IMPORT_NOT_PROVIDED');
    expect(wasi.message).toMatch(/`wasi_snapshot_preview1::random_get`.*--allow-wasi/);
  });

  it('import not provided: the same error when the import takes or returns a v128, which JS cannot', async () => {
    const bytes = await wat('errors/calls-import-v128.wat');
    for (const [initFunc, name] of [
      ['init_take', 'take'],
      ['init_give', 'give'],
    ] as const) {
      const err = await failure(bytes, { initFunc });
      expect(err).toBeInstanceOf(ImportNotProvidedError);
      expect(err.message).toMatch(new RegExp(`init called the import \`env::${name}\`.*--preload env=`));
    }
  });

  it('a module that imports WASI but does not call it during init needs no --allow-wasi (as in Wizer)', async () => {
    const bytes = await wat(`(module
      (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "wizer-initialize") (i32.store (i32.const 0) (i32.const 1))))`);
    const { module } = await preinitialize(bytes);
    expect(
      WebAssembly.Module.imports(new WebAssembly.Module(module as Uint8Array<ArrayBuffer>)),
    ).toHaveLength(1);
  });

  it('malformed module: from the codec, and from V8 validation', async () => {
    const garbage = await failure(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]));
    expect(garbage.code).toBe('ERR_PREINIT_MALFORMED');
    const truncated = await wat('basic/renames.wat');
    const err = await failure(truncated.subarray(0, truncated.length - 5));
    expect(err.code).toBe('ERR_PREINIT_MALFORMED');
    // Valid syntax, but V8 here does not run multi-memory modules.
    const multi = await failure(await wat('errors/multi-memory.wat'));
    expect(multi.code).toBe('ERR_PREINIT_MALFORMED');
    expect(multi.message).toMatch(/V8 rejected it/);
  });

  it('a module V8 compiles but cannot instantiate', async () => {
    const err = await failure(
      await wat('(module (memory 1) (data (i32.const 65535) "ab") (func (export "wizer-initialize")))'),
    );
    expect(err.code).toBe('ERR_PREINIT_INSTANTIATE');
    expect(err.message).toMatch(/could not be instantiated: .*out of bounds/);
  });

  it('an invalid input that the instrumented copy would make valid (found by the fuzz test)', async () => {
    // elem-drop.wat with an element segment naming function 8 of 7: the drop probes appended
    // during instrumentation would have made that index exist.
    const mutant = Buffer.from(
      '0061736d01000000010d036000017f60000060017f017f03080700000101010200040401700002073b06057461626c6501001077697a65722d696e697469616c697a65000206696e69745f65000306696e69745f6b00040463616c6c00050372756e000609090201000108010001010a4b07040041010b040041020b0f00410041004101fc0c0000fc0d000b0c00410141004101fc0c00000b0c00410141004101fc0c01000b070020001100000b0d00100441001005410110056a0b',
      'hex',
    );
    const err = await failure(new Uint8Array(mutant));
    expect(err.code).toBe('ERR_PREINIT_MALFORMED');
    expect(err.message).toMatch(/function index 8 out of bounds/);
  });

  it('exit during init: ProcExit with a non-zero code', async () => {
    const err = await failure(await wat('wasi/exit.wat'), { allowWasi: true });
    expect(err).toBeInstanceOf(InitExitError);
    expect(err.code).toBe('ERR_PREINIT_EXIT');
    expect((err as InitExitError).exitCode).toBe(3);
  });

  it('a mistyped WASI import is refused before init runs (V8 would link it and pass wrong arguments)', async () => {
    const mistyped = await wat(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "wizer-initialize") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1)))))`);
    const err = await failure(mistyped, { allowWasi: true });
    expect(err.code).toBe('ERR_WASI_IMPORT_TYPE');
    expect(err.message).toContain('wasi_snapshot_preview1.fd_write');
    expect(err.message).toContain('(func (param i32 i32 i32 i32) (result i32))');
  });

  it('an init function that is not [] -> [] is a usage error, as in Wizer', async () => {
    const err = await failure(
      await wat('(module (func (export "wizer-initialize") (param i32) (result i32) (local.get 0)))'),
    );
    expect(err.code).toBe('ERR_PREINIT_USAGE');
    expect(err.message).toMatch(/does not have type \[\] -> \[\]/);
  });

  it('an unknown rename source is ignored with a warning, as in Wizer', async () => {
    const { module, report } = await preinitialize(await wat('basic/renames.wat'), {
      renameFuncs: [['_start', 'nope']],
    });
    expect(report.warnings).toEqual([
      'rename _start=nope ignored: the module has no `nope` export (Wizer ignores it too)',
    ]);
    expect(
      WebAssembly.Module.exports(new WebAssembly.Module(module as Uint8Array<ArrayBuffer>)).map(
        (e) => e.name,
      ),
    ).toContain('_start');
  });
});

describe('preloads', () => {
  it('instantiates each preload and provides it as the import module of its name', async () => {
    const { module } = await preinitialize(await wat('errors/preload-user.wat'), {
      preloads: [{ name: 'helpers', module: await wat('errors/helpers.wat') }],
    });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(module as Uint8Array<ArrayBuffer>), {
      helpers: { twice: () => 0 },
    });
    expect((inst.exports['g'] as WebAssembly.Global).value).toBe(42);
  });
});
