// The reactor ABI's names on the TypeScript side: c/reactor-abi.c defines these exports, and a
// test builds it to hold the two to each other.

/**
 * The exports of a module built with `c/reactor-abi.c` (the Lua and CPython runtimes), by role.
 * What each does is the same in every runtime; what the app's init, main and functions are is the
 * runtime's own (see its README).
 */
export const REACTOR_EXPORTS = {
  /** `() -> ()`: the app's init (the pre-initializer's init export); once per instance. */
  init: 'wizer-initialize',
  /** `() -> ()`: command entry, the app's main -> exit code; the pre-initializer renames it to `_start`. */
  run: 'wasm-runtime.run',
  /** `() -> ()`: init (unless already done) then run, for modules that were not pre-initialized. */
  main: 'wasm-runtime.main',
  /** `() -> i32`: make a restored instance the run's (reseed its randomness, ...); 0 on success. */
  reseed: 'wasm_runtime_reseed',
  /** `(len: i32) -> ptr`: a runtime-owned scratch buffer of at least `len` bytes, reused by each call; 0 when out of memory. */
  alloc: 'wasm_runtime_alloc',
  /** `(name_ptr, name_len, arg_ptr, arg_len) -> status`: call the app's function `name` with bytes; a {@link REACTOR_CALL_STATUS}. */
  call: 'wasm_runtime_call',
  /** `() -> ptr`: the last call's result (or the failure's message), valid until the next call. */
  resultPtr: 'wasm_runtime_result_ptr',
  /** `() -> i32`: its length in bytes. */
  resultLen: 'wasm_runtime_result_len',
} as const;

/** Status codes `wasm_runtime_call` returns (`WASM_RUNTIME_CALL_*` in `c/reactor-abi.h`). */
export const REACTOR_CALL_STATUS = {
  /** The result is the function's return value. */
  ok: 0,
  /** The function raised; the result is the message (with the runtime's traceback). */
  error: 1,
  /** The app has no function of that name; the result says so. */
  noFunction: 2,
  /** `wizer-initialize` has not run; the result says so. */
  notInitialized: 3,
} as const;
