import { REACTOR_CALL_STATUS, REACTOR_EXPORTS } from '@wasm-runtime/wasi-cc';
import { LuaCallError } from './errors.js';

/**
 * The names the driver exports: the reactor ABI shared with the other C runtimes
 * ({@link REACTOR_EXPORTS}; the README has what each does in Lua). `init` creates the state and
 * runs the app's entry module, `run` calls its `main(args)`, `reseed` reseeds `math.random`, and
 * `call` calls a named Lua function with one string.
 */
export const LUA_EXPORTS: typeof REACTOR_EXPORTS = REACTOR_EXPORTS;

/** Status codes `wasm_runtime_call` returns ({@link REACTOR_CALL_STATUS}). */
export const LUA_CALL_STATUS: typeof REACTOR_CALL_STATUS = REACTOR_CALL_STATUS;

/** Options of {@link createLuaInstance}. */
export interface LuaInstanceOptions {
  /** The compiled module (or its bytes): a `lua.wasm` build, or a snapshot made from one. */
  module: WebAssembly.Module | BufferSource;
  /** The import object, with the WASI host's `wasi_snapshot_preview1` functions. */
  imports: WebAssembly.Imports;
  /**
   * Binds the WASI host to the new instance and runs the reactor constructors. Default: calls
   * `exports._initialize()` when present. For `node:wasi`: `(instance) => wasi.initialize(instance)`.
   */
  start?: (instance: WebAssembly.Instance) => void;
  /** Run the app's init (`wizer-initialize`); default true. False for a pre-initialized snapshot. */
  initialize?: boolean;
}

interface DriverExports {
  memory: WebAssembly.Memory;
  alloc(len: number): number;
  call(namePtr: number, nameLen: number, argPtr: number, argLen: number): number;
  resultPtr(): number;
  resultLen(): number;
  reseed(): number;
  init: (() => void) | undefined;
}

function driverExports(instance: WebAssembly.Instance): DriverExports {
  const e = instance.exports;
  const fn = (name: string): ((...args: number[]) => number) => {
    const f = e[name];
    if (typeof f !== 'function') {
      throw new LuaCallError(
        'ERR_LUA_BAD_MODULE',
        `the module has no \`${name}\` export: it is not a wasm-runtime Lua build (build it with buildLua)`,
      );
    }
    return f as (...args: number[]) => number;
  };
  const memory = e['memory'];
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new LuaCallError(
      'ERR_LUA_BAD_MODULE',
      'the module exports no `memory`: it is not a wasm-runtime Lua build',
    );
  }
  const init = e[LUA_EXPORTS.init];
  return {
    memory,
    alloc: fn(LUA_EXPORTS.alloc),
    call: fn(LUA_EXPORTS.call),
    resultPtr: fn(LUA_EXPORTS.resultPtr),
    resultLen: fn(LUA_EXPORTS.resultLen),
    reseed: fn(LUA_EXPORTS.reseed),
    init: typeof init === 'function' ? (init as () => void) : undefined,
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A running Lua app: call its functions with bytes or text, get bytes back. */
export class LuaInstance {
  /** The underlying WebAssembly instance. */
  readonly instance: WebAssembly.Instance;
  readonly #driver: DriverExports;

  /** Wraps an instance that is already started (and initialized): prefer {@link createLuaInstance}. */
  constructor(instance: WebAssembly.Instance) {
    this.instance = instance;
    this.#driver = driverExports(instance);
  }

  /**
   * Calls the app's function `name` (a field of the table its entry module returned, else a
   * global) with `arg` as one Lua string (text is UTF-8 encoded) and returns the string it
   * returned, as bytes (nil gives empty bytes; numbers their text). Throws {@link LuaCallError}
   * when the function raises an error (with Lua's message and traceback) or does not exist.
   */
  call(name: string, arg: Uint8Array | string = ''): Uint8Array {
    const d = this.#driver;
    const nameBytes = encoder.encode(name);
    const argBytes = typeof arg === 'string' ? encoder.encode(arg) : arg;
    const ptr = d.alloc(nameBytes.length + argBytes.length);
    if (ptr === 0)
      throw new LuaCallError(
        'ERR_LUA_CALL_FAILED',
        `out of memory passing ${argBytes.length} bytes to '${name}'`,
      );
    const scratch = new Uint8Array(d.memory.buffer, ptr, nameBytes.length + argBytes.length);
    scratch.set(nameBytes, 0);
    scratch.set(argBytes, nameBytes.length);
    const status = d.call(ptr, nameBytes.length, ptr + nameBytes.length, argBytes.length);
    const result = new Uint8Array(d.memory.buffer, d.resultPtr(), d.resultLen()).slice();
    switch (status) {
      case LUA_CALL_STATUS.ok:
        return result;
      case LUA_CALL_STATUS.noFunction:
        throw new LuaCallError(
          'ERR_LUA_NO_FUNCTION',
          `${decoder.decode(result)}: export it from the entry module's table or define it as a global`,
        );
      case LUA_CALL_STATUS.notInitialized:
        throw new LuaCallError('ERR_LUA_NOT_INITIALIZED', decoder.decode(result));
      default:
        throw new LuaCallError(
          'ERR_LUA_CALL_FAILED',
          `Lua function '${name}' raised an error: ${decoder.decode(result)}`,
        );
    }
  }

  /** {@link call}, with the result decoded as UTF-8 text. */
  callText(name: string, arg: Uint8Array | string = ''): string {
    return decoder.decode(this.call(name, arg));
  }

  /** Reseeds `math.random` from the host's WASI `random_get` (done automatically before the first call). */
  reseed(): void {
    const status = this.#driver.reseed();
    if (status !== 0) {
      throw new LuaCallError(
        status === 2 ? 'ERR_LUA_NOT_INITIALIZED' : 'ERR_LUA_CALL_FAILED',
        `reseeding math.random failed with status ${status} (1: random_get failed, 2: not initialized, 3: math.randomseed raised)`,
      );
    }
  }
}

/**
 * Instantiates a Lua module with any WASI host's imports, starts it, runs the app's init unless
 * told not to (a pre-initialized snapshot has done it already), and returns a {@link LuaInstance}.
 */
export async function createLuaInstance(options: LuaInstanceOptions): Promise<LuaInstance> {
  const module =
    options.module instanceof WebAssembly.Module ? options.module : await WebAssembly.compile(options.module);
  const instance = await WebAssembly.instantiate(module, options.imports);
  const lua = new LuaInstance(instance);
  if (options.start) {
    options.start(instance);
  } else {
    const init = instance.exports['_initialize'];
    if (typeof init === 'function') (init as () => void)();
  }
  if (options.initialize ?? true) {
    const init = instance.exports[LUA_EXPORTS.init];
    if (typeof init !== 'function') {
      throw new LuaCallError(
        'ERR_LUA_BAD_MODULE',
        `the module has no \`${LUA_EXPORTS.init}\` export; if it is a snapshot, pass initialize: false`,
      );
    }
    (init as () => void)();
  }
  return lua;
}
