import { WasmRuntimeError } from '@wasm-runtime/errors';

/**
 * Building `lua.wasm` failed: a tool is missing (`ERR_LUA_TOOLCHAIN_MISSING`) or a compile or
 * link step failed (`ERR_LUA_BUILD_FAILED`, with the tool's stderr in the message).
 */
export class LuaBuildError extends WasmRuntimeError {}

/**
 * A call into a Lua instance failed: the Lua function raised an error (`ERR_LUA_CALL_FAILED`,
 * the message carries Lua's message and traceback), the app has no such function
 * (`ERR_LUA_NO_FUNCTION`), the state was never initialized (`ERR_LUA_NOT_INITIALIZED`), or the
 * module is not a wasm-runtime Lua build (`ERR_LUA_BAD_MODULE`).
 */
export class LuaCallError extends WasmRuntimeError {}
