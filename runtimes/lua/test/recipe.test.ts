import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { fetchLuaSource, LUA_EXPORTS, LUA_SOURCE, luaBuildKey, recipe } from '../src/index.js';
import { sha256Hex } from '../src/source.js';

describe('recipe', () => {
  it('describes the runtime, init, entry and reseed for the pipeline', () => {
    expect(recipe.language).toBe('lua');
    expect(recipe.source.inputs.lua).toEqual({
      kind: 'url',
      url: 'https://www.lua.org/ftp/lua-5.4.4.tar.gz',
      urls: ['http://deb.debian.org/debian/pool/main/l/lua5.4/lua5.4_5.4.4.orig.tar.gz'],
      sha256: LUA_SOURCE.sha256,
      size: 360876,
      name: 'lua-5.4.4.tar.gz',
    });
    expect(recipe.init({ entryGuestPath: '/app/src/app.lua' })).toEqual({
      export: 'wizer-initialize',
      env: { LUA_APP_ENTRY: '/app/src/app.lua' },
    });
    expect(recipe.entry).toEqual({ kind: 'command', export: LUA_EXPORTS.run });
    expect(recipe.postRestore).toEqual({ call: LUA_EXPORTS.reseed });
  });

  it('keys the build on everything but the source, and builds the same bytes as buildLua', async () => {
    const key = await recipe.source.key();
    expect(key).toEqual([await luaBuildKey()]);
    const parsed = JSON.parse(key[0] as string);
    expect(parsed.source).toBeUndefined();
    expect(parsed.driver['driver.c']).toMatch(/^[0-9a-f]{64}$/);

    const dir = await mkdtemp(join(tmpdir(), 'lua-recipe-'));
    try {
      await recipe.source.build({ inputs: { lua: { path: await fetchLuaSource() } }, dir });
      const bytes = await readFile(join(dir, recipe.source.output));
      expect(sha256Hex(bytes)).toBe(inject('luaWasmSha256'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
