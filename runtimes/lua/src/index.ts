export { type CompileLuaOptions, compileLua, LUA_DRIVER_DIR, luaBuildKey } from './build.js';
export { LuaBuildError, LuaCallError } from './errors.js';
export {
  createLuaInstance,
  LUA_CALL_STATUS,
  LUA_EXPORTS,
  LuaInstance,
  type LuaInstanceOptions,
} from './instance.js';
export {
  type BuildLuaOptions,
  buildLua,
  type LuaBuild,
  type LuaRecipeOptions,
  luaRecipe,
  recipe,
} from './recipe.js';
export { type FetchLuaSourceOptions, fetchLuaSource, LUA_SOURCE, LUA_SOURCE_ROOT } from './source.js';
