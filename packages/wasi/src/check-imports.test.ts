import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { checkImports, PREVIEW1_SIGNATURES, WasiImportError } from './check-imports.js';
import { WASI } from './wasi.js';

async function wat(text: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat('t.wat', text);
  try {
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

const module = (imports: string) =>
  wat(`(module ${imports} (memory (export "memory") 1) (func (export "_start")))`);

function refusal(bytes: Uint8Array, options?: Parameters<typeof checkImports>[1]): WasiImportError {
  try {
    checkImports(bytes, options);
  } catch (error) {
    if (error instanceof WasiImportError) return error;
    throw error;
  }
  throw new Error('checkImports accepted the module');
}

describe('checkImports', () => {
  it('accepts every preview1 function with its own type, and leaves other import modules alone', async () => {
    const text = (types: string) => [...types].map((c) => (c === 'i' ? 'i32' : 'i64')).join(' ');
    const all = Object.entries(PREVIEW1_SIGNATURES)
      .map(
        ([name, [params, results]]) =>
          `(import "wasi_snapshot_preview1" "${name}" (func${params ? ` (param ${text(params)})` : ''}${results ? ` (result ${text(results)})` : ''}))`,
      )
      .join('\n');
    const bytes = await module(`${all} (import "env" "anything" (func (param f64)))`);
    expect(() => checkImports(bytes)).not.toThrow();
  });

  it('refuses a function preview1 does not define, naming it', async () => {
    const e = refusal(
      await module('(import "wasi_snapshot_preview1" "no_such_fn" (func (param i32) (result i32)))'),
      { name: 'guest.wasm' },
    );
    expect(e.code).toBe('ERR_WASI_UNKNOWN_IMPORT');
    expect(e.importName).toBe('no_such_fn');
    expect(e.message).toContain('guest.wasm imports wasi_snapshot_preview1.no_such_fn');
  });

  it('refuses a mistyped import with the expected and the actual type', async () => {
    const exit = refusal(await module('(import "wasi_snapshot_preview1" "proc_exit" (func (param i64)))'));
    expect(exit.code).toBe('ERR_WASI_IMPORT_TYPE');
    expect(exit.expected).toBe('(func (param i32))');
    expect(exit.actual).toBe('(func (param i64))');
    expect(exit.message).toContain('(func (param i64))');
    expect(exit.message).toContain('preview1 defines (func (param i32))');
    const write = refusal(
      await module('(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32) (result i32)))'),
    );
    expect([write.importName, write.expected, write.actual]).toEqual([
      'fd_write',
      '(func (param i32 i32 i32 i32) (result i32))',
      '(func (param i32 i32 i32) (result i32))',
    ]);
    const noResult = refusal(await module('(import "wasi_snapshot_preview1" "sched_yield" (func))'));
    expect(noResult.actual).toBe('(func)');
    const global = refusal(await module('(import "wasi_snapshot_preview1" "fd_write" (global i32))'));
    expect([global.code, global.actual]).toEqual(['ERR_WASI_IMPORT_TYPE', 'global']);
  });

  it('refuses wasi_unstable unless asked to leave it to the caller', async () => {
    const bytes = await module(
      '(import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32)))',
    );
    expect(refusal(bytes).message).toMatch(/wasi_unstable is the old WASI snapshot 0/);
    expect(() => checkImports(bytes, { refuseUnstable: false })).not.toThrow();
  });

  it('reads only the type and import sections (bytes after them are never looked at)', async () => {
    const good = await module('(import "wasi_snapshot_preview1" "fd_close" (func (param i32) (result i32)))');
    // Cut the module after its import section and append a section that is not valid at all.
    let at = 8;
    while (good[at]! <= 2) at += 2 + good[at + 1]!;
    const cut = new Uint8Array([...good.subarray(0, at), 10, 0x7f, 1, 2, 3]);
    expect(() => checkImports(cut)).not.toThrow();
    expect(() => checkImports(new Uint8Array([0, 0x61, 0x73]))).toThrow(/malformed/);
  });

  it('knows exactly the functions this host provides, with their arities', () => {
    const host = new WASI({}).imports.wasi_snapshot_preview1 as unknown as Record<
      string,
      (...a: unknown[]) => unknown
    >;
    expect(Object.keys(PREVIEW1_SIGNATURES).sort()).toEqual(Object.keys(host).sort());
    for (const [name, [params]] of Object.entries(PREVIEW1_SIGNATURES)) {
      expect([name, host[name]!.length]).toEqual([name, params.length]);
    }
  });
});
