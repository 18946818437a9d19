import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WasmRuntimeError } from '@wasm-runtime/errors';
import { ArtifactStore } from '@wasm-runtime/pipeline';
import { describe, expect, inject, it } from 'vitest';
import { buildLua, createLuaInstance, LUA_EXPORTS, LUA_SOURCE, LuaBuildError } from '../src/index.js';
import { appDir, luaModule, testStore } from './helpers.js';

describe('buildLua', () => {
  it('is reproducible: a fresh build in another directory gives the same bytes', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'lua-repro-'));
    try {
      const fresh = await buildLua({ store: testStore({ cacheDir }) });
      expect(fresh.cached).toBe(false);
      expect(fresh.sha256).toBe(inject('luaWasmSha256'));
      expect(fresh.wasmPath.startsWith(cacheDir)).toBe(true);
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  }, 300_000);

  it('returns the cached module without compiling when the inputs are unchanged', async () => {
    const again = await buildLua({ store: testStore() });
    expect(again.cached).toBe(true);
    expect(again.wasmPath).toBe(inject('luaWasm'));
    const inputs = JSON.parse(await readFile(join(again.wasmPath, '..', 'inputs.json'), 'utf8'));
    expect(inputs.source).toBe('164c7849653b80ae67bec4b7473b884bf5cc8d2dca05653475ec2ed27b9ebf61');
    expect(Object.keys(inputs.driver)).toEqual([
      'driver.c',
      'include/setjmp.h',
      'sjlj.c',
      'stubs.c',
      '@wasm-runtime/wasi-cc/preopens.c',
      '@wasm-runtime/wasi-cc/reactor-abi.c',
      '@wasm-runtime/wasi-cc/reactor-abi.h',
    ]);
  });

  it('emits a reactor that imports only WASI and exports the driver ABI', async () => {
    const module = await luaModule();
    expect(new Set(WebAssembly.Module.imports(module).map((i) => i.module))).toEqual(
      new Set(['wasi_snapshot_preview1']),
    );
    const exports = WebAssembly.Module.exports(module)
      .map((e) => e.name)
      .sort();
    // the names themselves are locked once, in wasi-cc's test of the table
    expect(exports).toEqual(['_initialize', 'memory', ...Object.values(LUA_EXPORTS)].sort());
    const bytes = await readFile(inject('luaWasm'));
    // no build-machine paths leak into the module (os.tmpname's guest template /tmp/lua_ is not one)
    const text = new TextDecoder('latin1').decode(bytes);
    expect(text).not.toMatch(/\/tmp\/(?!lua_)|wasm-runtime-lua-|\/work\//);
  });

  it('fails with typed errors for a missing compiler or a source that is not the pinned tarball', async () => {
    await expect(buildLua({ store: testStore(), clang: 'no-such-clang-14' })).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof LuaBuildError &&
        e.code === 'ERR_LUA_TOOLCHAIN_MISSING' &&
        e.message.includes('setup-toolchain'),
    );
    const dir = await mkdtemp(join(tmpdir(), 'lua-badsrc-'));
    try {
      await writeFile(join(dir, LUA_SOURCE.name), 'not lua');
      const store = new ArtifactStore({ offline: true, mirrors: [dir], cacheDir: join(dir, 'cache') });
      await expect(buildLua({ store })).rejects.toSatisfy(
        (e: unknown) => e instanceof WasmRuntimeError && /sha256/.test(e.message),
      );
      // offline with nothing anywhere: the store says so, and nothing was downloaded
      const empty = new ArtifactStore({ offline: true, mirrors: [], cacheDir: join(dir, 'cache') });
      await expect(buildLua({ store: empty })).rejects.toSatisfy(
        (e: unknown) => e instanceof WasmRuntimeError && e.code === 'ERR_ARTIFACT_OFFLINE_MISS',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('optionally runs wasm-opt: a smaller module that still runs pcall, errors and coroutines', async () => {
    const opt = await buildLua({ store: testStore(), wasmOpt: true });
    expect(opt.key).not.toBe((await buildLua({ store: testStore() })).key);
    expect(opt.sha256).not.toBe(inject('luaWasmSha256'));
    const plain = await readFile(inject('luaWasm'));
    const optimized = await readFile(opt.wasmPath);
    expect(optimized.length).toBeLessThan(plain.length * 0.95);
    const { WASI } = await import('node:wasi');
    const wasi = new WASI({
      version: 'preview1',
      args: ['app'],
      env: {},
      preopens: { '/app': appDir('suite') },
    });
    const lua = await createLuaInstance({
      module: optimized,
      imports: { wasi_snapshot_preview1: wasi.wasiImport },
      start: (instance) => wasi.initialize(instance),
    });
    expect(lua.callText('overflow')).toBe('false C stack overflow');
    expect(() => lua.call('fail', 'x')).toThrow(/failed with x/);
    expect(lua.callText('upper', 'ok')).toBe('OK');
  }, 300_000);
});
