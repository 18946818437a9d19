import { readFile } from 'node:fs/promises';
import { validateRecipe } from '@wasm-runtime/pipeline';
import { sha256Hex } from '@wasm-runtime/wasi-cc';
import { describe, expect, inject, it } from 'vitest';
import { fetchLuaSource, LUA_EXPORTS, LUA_SOURCE, luaBuildKey, luaRecipe, recipe } from '../src/index.js';
import { testStore } from './helpers.js';

const context = { name: 'app', entry: 'src/app.lua', entryGuestPath: '/app/src/app.lua', options: {} };

describe('recipe', () => {
  it('is a valid pipeline recipe: runtime, init, entry and reseed', () => {
    expect(validateRecipe(recipe)).toEqual([]);
    expect(recipe.language).toBe('lua');
    expect(recipe.source.kind).toBe('build');
    expect(recipe.source.inputs).toEqual({
      lua: {
        kind: 'url',
        url: 'https://www.lua.org/ftp/lua-5.4.4.tar.gz',
        urls: ['http://deb.debian.org/debian/pool/main/l/lua5.4/lua5.4_5.4.4.orig.tar.gz'],
        sha256: '164c7849653b80ae67bec4b7473b884bf5cc8d2dca05653475ec2ed27b9ebf61',
        size: 360876,
        name: 'lua-5.4.4.tar.gz',
      },
    });
    expect(typeof recipe.init === 'function' && recipe.init(context)).toEqual({
      export: 'wizer-initialize',
      env: { LUA_APP_ENTRY: '/app/src/app.lua' },
    });
    expect(recipe.entry).toEqual({ kind: 'command', export: LUA_EXPORTS.run });
    expect(recipe.postRestore).toEqual({ call: LUA_EXPORTS.reseed });
    expect(luaRecipe({ wasmOpt: true }).runtime.version).not.toBe(recipe.runtime.version);
  });

  it('keys the build on everything but the source (the pipeline adds its sha256)', async () => {
    const store = testStore();
    const source = recipe.source;
    const key = typeof source.key === 'function' ? await source.key({ inputs: {}, store }) : source.key;
    expect(key).toEqual(['lua-build-dir/2', await luaBuildKey()]);
    const parsed = JSON.parse(key[1] as string);
    expect(parsed.source).toBeUndefined();
    expect(parsed.driver['driver.c']).toMatch(/^[0-9a-f]{64}$/);
    expect(parsed.wasmOpt).toBeUndefined();
    expect(JSON.parse(await luaBuildKey({ wasmOpt: true })).wasmOpt.flags).toEqual(['-O2']);
  });

  it('fetches the pinned source through the store (offline, from the mirror)', async () => {
    const tarball = await fetchLuaSource({ store: testStore() });
    expect(sha256Hex(await readFile(tarball))).toBe(LUA_SOURCE.sha256);
  });
});

describe('scripts/fetch-sources', () => {
  it('is silent and changes nothing when the mirror already holds the pinned files', async () => {
    const { spawnSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const script = fileURLToPath(new URL('../../../scripts/fetch-sources', import.meta.url));
    const mirror = inject('mirror');
    const r = spawnSync('bash', [script, mirror], { encoding: 'utf8' });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
    for (const name of [LUA_SOURCE.name, 'lua5.4_5.4.4.orig.tar.gz', `sha256/${LUA_SOURCE.sha256}`]) {
      expect(sha256Hex(await readFile(`${mirror}/${name}`))).toBe(LUA_SOURCE.sha256);
    }
  });
});
