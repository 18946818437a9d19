import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "LUA_CALL_STATUS",
      "LUA_DRIVER_DIR",
      "LUA_EXPORTS",
      "LUA_SOURCE",
      "LUA_SOURCE_ROOT",
      "LuaBuildError",
      "LuaCallError",
      "LuaInstance",
      "buildLua",
      "compileLua",
      "createLuaInstance",
      "fetchLuaSource",
      "luaBuildKey",
      "luaRecipe",
      "recipe",
    ]
  `);
});
