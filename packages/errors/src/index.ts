/**
 * The one error base of wasm-runtime. Every failure a library reports is a `WasmRuntimeError`
 * (or a subclass) with a stable string `code` that programs and the CLI can switch on, a message
 * that says what went wrong, where, and what to do, and the underlying `cause` when there is one.
 */
export class WasmRuntimeError extends Error {
  /** Stable, machine-readable code, e.g. `ERR_WASM_MALFORMED`. Never changes between releases. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }

  /** A plain object for `--json` output and logs. */
  toJSON(): { name: string; code: string; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** A bug in wasm-runtime itself, not in the user's input: the message asks for a report. */
export class InternalError extends WasmRuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_INTERNAL', `${message} (this is a bug in wasm-runtime: please report it)`, options);
  }
}

/** True when `error` is a `WasmRuntimeError`, optionally with the given code. */
export function isWasmRuntimeError(error: unknown, code?: string): error is WasmRuntimeError {
  return error instanceof WasmRuntimeError && (code === undefined || error.code === code);
}
