import { WasmRuntimeError } from '@wasm-runtime/errors';

/**
 * A dist cannot be deployed as a Worker, or the Worker cannot be written: the message says what,
 * where, and what to do. Codes: `ERR_WORKERS_POST_RESTORE_HOOK` (the dist needs a recipe's
 * JavaScript hook after restore, which a Worker cannot run), `ERR_WORKERS_ENGINE_FORM` (no form of
 * the engine runs in workerd), `ERR_WORKERS_OUT_DIR` (the output directory is not one to write),
 * `ERR_WORKERS_DEPLOY` (anything else about the dist).
 */
export class WorkersDeployError extends WasmRuntimeError {
  /** The dist directory (or output directory) the error is about. */
  readonly dir: string;

  constructor(code: string, dir: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.dir = dir;
  }
}
