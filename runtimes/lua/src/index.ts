export {
  type BuildLuaOptions,
  buildLua,
  type CompileLuaOptions,
  compileLua,
  LUA_DRIVER_DIR,
  type LuaBuild,
  luaBuildKey,
} from './build.js';
export { LuaBuildError, LuaCallError, LuaSourceError } from './errors.js';
export {
  createLuaInstance,
  LUA_CALL_STATUS,
  LUA_EXPORTS,
  LuaInstance,
  type LuaInstanceOptions,
} from './instance.js';
export { recipe } from './recipe.js';
export {
  defaultCacheDir,
  type FetchSourceOptions,
  fetchLuaSource,
  fetchPinnedSource,
  LUA_SOURCE,
  LUA_SOURCE_ENV,
  type PinnedSource,
} from './source.js';
