import { WasmRuntimeError } from '@wasm-runtime/errors';

/**
 * Building the CPython runtime failed: a tool is missing (`ERR_PYTHON_TOOLCHAIN_MISSING`) or a
 * configure, compile, link or packing step failed (`ERR_PYTHON_BUILD_FAILED`, with the end of the
 * tool's output in the message).
 */
export class PythonBuildError extends WasmRuntimeError {}
