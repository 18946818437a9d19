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

/**
 * Exit statuses a guest may pass to `proc_exit`: 0 to 125. As in Wasmtime, a larger status (or a
 * negative one, which is a large u32) fails the run instead of exiting, so an operating system that
 * keeps only the low 8 bits can never turn a failure such as 256 into a success.
 */
export const MAX_EXIT_STATUS = 125;

/** The guest called `proc_exit` with a status outside 0-125: the run failed (thrown instead of `ProcExit`). */
export class ExitStatusError extends WasmRuntimeError {
  /** The status the guest passed, as an unsigned 32-bit number. */
  readonly status: number;

  constructor(status: number) {
    super(
      'ERR_WASI_EXIT_STATUS',
      `The WebAssembly program called proc_exit(${status}) (${status | 0} as a signed i32): WASI exit statuses are 0-125, so the run failed (as in Wasmtime). Exit with a status below 126.`,
    );
    this.status = status;
  }
}
