import { WasmRuntimeError } from '@wasm-runtime/errors';

/**
 * Preparing `ruby.wasm` from the npm build failed: the package's module is not the one this recipe
 * knows how to adapt (`ERR_RUBY_BAD_RUNTIME`, naming what is missing).
 */
export class RubyBuildError extends WasmRuntimeError {}

/**
 * A call into a Ruby instance failed: the Ruby method raised (`ERR_RUBY_CALL_FAILED`, with Ruby's
 * error report), the app defines no such method (`ERR_RUBY_NO_FUNCTION`), or the module is not a
 * wasm-runtime Ruby build (`ERR_RUBY_BAD_MODULE`).
 */
export class RubyCallError extends WasmRuntimeError {}
