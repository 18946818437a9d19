import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { describe, expect, it } from 'vitest';
import { createLuaInstance, LuaCallError } from '../src/index.js';
import { appDir, createReactor, luaModule } from './helpers.js';

const suite = appDir('suite');

describe('reactor entry: calling Lua functions from JS', () => {
  it('calls functions of the entry module with text or bytes and returns bytes', async () => {
    const lua = await createReactor({ app: suite });
    expect(lua.callText('upper', 'hello')).toBe('HELLO');
    const bytes = new Uint8Array([0, 1, 2, 250, 255, 0]);
    expect(lua.call('bytes', bytes)).toEqual(new Uint8Array([255, 254, 253, 5, 0, 255]));
    expect(lua.call('echo', new Uint8Array(0))).toEqual(new Uint8Array(0));
    const big = 'x'.repeat(200_000) + '\u00e9';
    expect(lua.callText('echo', big)).toBe(big);
    expect(lua.call('nothing')).toEqual(new Uint8Array(0));
    expect(lua.callText('count')).toBe('2');
    expect(lua.callText('count')).toBe('3');
  });

  it('falls back to globals and reads files of the staged tree', async () => {
    const lua = await createReactor({ app: suite });
    expect(lua.callText('shout', 'hey')).toBe('HEY!');
    expect(lua.callText('words')).toBe('Apple Banana Cherry Elderberry Fig ');
  });

  it('turns Lua errors into LuaCallError with the message and a traceback, and keeps working', async () => {
    const lua = await createReactor({ app: suite });
    let caught: unknown;
    try {
      lua.call('fail', 'input 1');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LuaCallError);
    expect(isWasmRuntimeError(caught, 'ERR_LUA_CALL_FAILED')).toBe(true);
    expect((caught as Error).message).toMatch(
      /^Lua function 'fail' raised an error: \/app\/main\.lua:\d+: failed with input 1\nstack traceback:/,
    );
    expect(() => lua.call('missing')).toThrow(
      expect.objectContaining({
        code: 'ERR_LUA_NO_FUNCTION',
        message: expect.stringContaining("no function named 'missing'"),
      }),
    );
    expect(() => lua.call('table')).toThrow(
      expect.objectContaining({
        code: 'ERR_LUA_CALL_FAILED',
        message: expect.stringContaining('returned a table value'),
      }),
    );
    expect(lua.callText('upper', 'still alive')).toBe('STILL ALIVE');
  });

  it('handles "C stack overflow" as a Lua error inside a call', async () => {
    const lua = await createReactor({ app: suite });
    expect(lua.callText('overflow')).toBe('false C stack overflow');
    expect(lua.callText('upper', 'after')).toBe('AFTER');
  });

  it('reseeds math.random from WASI random_get before the first call', async () => {
    const a = await createReactor({ app: suite, randomByte: 1 });
    const b = await createReactor({ app: suite, randomByte: 2 });
    const a2 = await createReactor({ app: suite, randomByte: 1 });
    const seqA = a.callText('random');
    expect(seqA).toMatch(/^\d+,\d+,\d+,\d+$/);
    expect(b.callText('random')).not.toBe(seqA);
    // same random bytes, same sequence: the seed really comes from random_get
    expect(a2.callText('random')).toBe(seqA);
    // an explicit reseed with other bytes changes the sequence again
    const real = await createReactor({ app: suite });
    const r1 = real.callText('random');
    real.reseed();
    expect(real.callText('random')).not.toBe(r1);
  });

  it('rejects calls before init and modules that are not Lua builds', async () => {
    const { WASI } = await import('node:wasi');
    const wasi = new WASI({ version: 'preview1', args: [], env: {}, preopens: { '/app': suite } });
    const lua = await createLuaInstance({
      module: await luaModule(),
      imports: { wasi_snapshot_preview1: wasi.wasiImport },
      start: (instance) => wasi.initialize(instance),
      initialize: false,
    });
    expect(() => lua.call('upper', 'x')).toThrow(
      expect.objectContaining({ code: 'ERR_LUA_NOT_INITIALIZED' }),
    );
    const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    await expect(createLuaInstance({ module: empty, imports: {} })).rejects.toMatchObject({
      code: 'ERR_LUA_BAD_MODULE',
    });
  });
});
