import { getSection } from './edit.js';
import { forEachInstruction } from './instructions.js';
import type { ValType, WasmModule } from './types.js';

/**
 * Which form of WebAssembly exception handling a module's code uses:
 * - `legacy`: `try`/`catch`/`catch_all`/`delegate`/`rethrow` (what clang 14's setjmp/longjmp
 *   lowering emits). V8 runs it; Wasmtime and wasm-tools refuse it.
 * - `exnref`: the standard form, `try_table`/`throw_ref` and the `exnref` type. Wasmtime runs it
 *   (`-W exceptions=y`); V8 before 13.x (Node 20) refuses it.
 * - `none`: neither (a module that only `throw`s is valid in both forms).
 */
export type ExceptionForm = 'legacy' | 'exnref' | 'none';

const LEGACY = new Set(['try', 'catch', 'catch_all', 'delegate', 'rethrow']);
const EXNREF = new Set(['try_table', 'throw_ref']);

function isExnref(type: ValType): boolean {
  if (typeof type === 'string') return type === 'exnref' || type === 'nullexnref';
  return type.ref === 'exn' || type.ref === 'noexn';
}

/**
 * Reads which exception-handling form `module` uses (see {@link ExceptionForm}). A module using
 * both forms reports `legacy`: a host must run the legacy form to run it.
 * @throws MalformedModuleError when a function body cannot be read.
 */
export function exceptionForm(module: WasmModule): ExceptionForm {
  let form: ExceptionForm = 'none';
  const types = getSection(module, 'type')?.types ?? [];
  for (const t of types) {
    if (t.kind === 'func' && [...t.params, ...t.results].some(isExnref)) form = 'exnref';
  }
  forEachInstruction(module, (r) => {
    if (LEGACY.has(r.name)) {
      form = 'legacy';
      return false;
    }
    if (EXNREF.has(r.name)) form = 'exnref';
    return true;
  });
  return form;
}
