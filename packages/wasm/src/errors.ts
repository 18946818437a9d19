import { WasmRuntimeError } from '@wasm-runtime/errors';

/**
 * The bytes are not a well-formed WebAssembly module (or not one this reader supports).
 * `offset` is the absolute byte offset in the input where reading failed; `section` names the
 * section being read, when known.
 */
export class MalformedModuleError extends WasmRuntimeError {
  readonly offset: number;
  readonly section: string | undefined;

  constructor(message: string, offset: number, section?: string, options?: { cause?: unknown }) {
    const where = section === undefined ? `at byte ${offset}` : `in the ${section} section at byte ${offset}`;
    super('ERR_WASM_MALFORMED', `malformed WebAssembly module ${where}: ${message}`, options);
    this.offset = offset;
    this.section = section;
  }
}

/**
 * An editing helper was asked for something the module cannot express (a missing index, a name
 * already taken, an edit that would renumber an index space). Code `ERR_WASM_EDIT`.
 */
export class ModuleEditError extends WasmRuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WASM_EDIT', message, options);
  }
}
