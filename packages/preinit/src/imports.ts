import { isWasmRuntimeError } from '@wasm-runtime/errors';
import type { WASI } from '@wasm-runtime/wasi';
import { getSection, type WasmModule } from '@wasm-runtime/wasm';
import { ImportNotProvidedError, MalformedInputError } from './errors.js';
import type { Preload } from './preinit.js';

/** Imports for the input: WASI (if allowed), preloads, and a typed error for anything else. */
export async function buildImports(
  module: WasmModule,
  preloads: readonly Preload[],
  wasi: WASI | undefined,
  host: Record<string, Record<string, unknown>>,
): Promise<WebAssembly.Imports> {
  const provided: Record<string, Record<string, unknown>> = { ...host };
  if (wasi !== undefined) Object.assign(provided, wasi.imports);
  for (const preload of preloads) {
    let compiled: WebAssembly.Module;
    try {
      compiled =
        preload.module instanceof WebAssembly.Module
          ? preload.module
          : await WebAssembly.compile(preload.module as Uint8Array<ArrayBuffer>);
    } catch (err) {
      throw new MalformedInputError(`the preload \`${preload.name}\``, (err as Error).message, {
        cause: err,
      });
    }
    const preloadImports = stubbed(WebAssembly.Module.imports(compiled), provided);
    let inst: WebAssembly.Instance;
    try {
      inst = await WebAssembly.instantiate(compiled, preloadImports);
    } catch (err) {
      if (isWasmRuntimeError(err)) throw err;
      throw new MalformedInputError(`the preload \`${preload.name}\``, (err as Error).message, {
        cause: err,
      });
    }
    provided[preload.name] = inst.exports as Record<string, unknown>;
  }
  const wanted = (getSection(module, 'import')?.imports ?? []).map((i) => ({
    module: i.module,
    name: i.name,
    kind: i.desc.kind as string,
  }));
  return stubbed(wanted, provided);
}

/** The import object for `wanted`: provided values, or for functions a stub that throws a typed error. */
function stubbed(
  wanted: ReadonlyArray<{ module: string; name: string; kind: string }>,
  provided: Record<string, Record<string, unknown>>,
): WebAssembly.Imports {
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const imp of wanted) {
    const value = provided[imp.module]?.[imp.name];
    const ns = imports[imp.module] ?? {};
    imports[imp.module] = ns;
    if (value !== undefined) ns[imp.name] = value as WebAssembly.ImportValue;
    else if (imp.kind === 'function' || imp.kind === 'func') {
      // Like Wizer: a missing import is an error only if init calls it.
      ns[imp.name] = () => {
        throw new ImportNotProvidedError(imp.module, imp.name);
      };
    } else {
      throw new ImportNotProvidedError(imp.module, imp.name);
    }
  }
  return imports;
}
