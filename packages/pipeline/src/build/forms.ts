import { readFile } from 'node:fs/promises';
import { type ExceptionForm, exceptionForm, parseModule } from '@wasm-runtime/wasm';
import { FormError } from '../errors.js';

/** The exception-handling form of module bytes (see `exceptionForm` of `@wasm-runtime/wasm`). */
export function exceptionFormOf(bytes: Uint8Array): ExceptionForm {
  return exceptionForm(parseModule(bytes));
}

/**
 * Rewrites a module's legacy exception handling (`try`/`catch`/`delegate`/`rethrow`, which V8
 * runs) into the standard exnref form (`try_table`/`throw_ref`, which Wasmtime runs) with
 * binaryen's `translate-to-exnref` pass. binaryen re-encodes the whole module; its default feature
 * set includes compact imports, which no host reads, so the output is written without them.
 * @throws FormError when binaryen fails or its output still holds legacy instructions.
 */
export async function toExnref(bytes: Uint8Array, what: string): Promise<Uint8Array> {
  let out: Uint8Array;
  try {
    const binaryen = (await import('binaryen')).default;
    const module = binaryen.readBinary(bytes);
    try {
      // binaryen.js 132's typings do not list CompactImports yet; its runtime has it.
      const compactImports = (binaryen.Features as unknown as Record<string, number>)['CompactImports'] ?? 0;
      module.setFeatures(binaryen.Features.All & ~compactImports);
      module.runPasses(['translate-to-exnref']);
      if (!module.validate()) throw new Error('binaryen says its output is not valid');
      out = module.emitBinary();
    } finally {
      module.dispose();
    }
  } catch (cause) {
    if (cause instanceof FormError) throw cause;
    throw new FormError('exnref', what, cause instanceof Error ? cause.message : String(cause), { cause });
  }
  const form = exceptionFormOf(out);
  if (form === 'legacy') throw new FormError('exnref', what, 'the output still uses legacy instructions');
  return out;
}

/**
 * Wraps a WASI preview1 command module (its `_start` the entry) into a WASI 0.2 command
 * component with jco's `componentNew` and the preview1 command adapter jco ships.
 * @throws FormError when the module cannot be made a component.
 */
export async function toComponent(core: Uint8Array, what: string): Promise<Uint8Array> {
  try {
    const jco = await import('@bytecodealliance/jco');
    const adapter = new Uint8Array(await readFile(jco.preview1AdapterCommandPath()));
    return await jco.componentNew(core, [['wasi_snapshot_preview1', adapter]]);
  } catch (cause) {
    throw new FormError('component', what, cause instanceof Error ? cause.message : String(cause), {
      cause,
    });
  }
}
