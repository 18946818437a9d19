import { WasmRuntimeError } from '@wasm-runtime/errors';

/**
 * Thrown by `proc_exit`: the only value that ever crosses the WASI boundary as an exception.
 * `WASI.start` catches it and returns `exitCode`.
 */
export class ProcExit extends WasmRuntimeError {
  /** The exit code the guest passed to `proc_exit`. */
  readonly exitCode: number;

  constructor(exitCode: number) {
    super('ERR_WASI_PROC_EXIT', `The WebAssembly program exited with code ${exitCode} (proc_exit).`);
    this.exitCode = exitCode;
  }
}

/** The WASI host was configured wrongly (bad option, missing mount, unusable stream). */
export class WasiConfigError extends WasmRuntimeError {}

/** Saving or restoring host state (`saveState` / the `state` option) failed. */
export class WasiStateError extends WasmRuntimeError {}
