import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "LUA_CALL_STATUS",
      "LUA_DRIVER_DIR",
      "LUA_EXPORTS",
      "LUA_SOURCE",
      "LUA_SOURCE_ENV",
      "LuaBuildError",
      "LuaCallError",
      "LuaInstance",
      "LuaSourceError",
      "buildLua",
      "compileLua",
      "createLuaInstance",
      "defaultCacheDir",
      "fetchLuaSource",
      "fetchPinnedSource",
      "luaBuildKey",
      "recipe",
    ]
  `);
});
