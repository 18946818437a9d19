import { WasmRuntimeError } from '@wasm-runtime/errors';

/**
 * The guest called a WASI 0.2 function this host links but does not provide (sockets, HTTP,
 * filesystem through preview2): the message names the function. It traps the call.
 */
export class WasiUnsupportedError extends WasmRuntimeError {
  constructor(module: string, name: string) {
    super(
      'ERR_WASI_UNSUPPORTED',
      `The WebAssembly program called ${module}#${name}, which this WASI host does not provide (it provides the CLI world: stdio streams, poll, clocks, random, environment, exit; files through preview1). Run it in a host with that interface, or do not use it.`,
    );
  }
}

/**
 * The guest broke a rule of the canonical ABI (a pointer outside its memory, an unknown resource
 * handle, no `cabi_realloc` to return a list with): the component model traps there, and so does
 * this host, with a message saying which rule.
 */
export class WasiTrapError extends WasmRuntimeError {
  constructor(function_: string, reason: string) {
    super('ERR_WASI_TRAP', `${function_}: ${reason}.`);
  }
}
