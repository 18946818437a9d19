import { isWasmRuntimeError } from '@wasm-runtime/errors';
import type { WASI } from '@wasm-runtime/wasi';
import { type FuncType, functionType, getSection, type WasmModule, writeModule } from '@wasm-runtime/wasm';
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
  let funcs = 0;
  const wanted = (getSection(module, 'import')?.imports ?? []).map((i) => ({
    module: i.module,
    name: i.name,
    kind: i.desc.kind as string,
    type: i.desc.kind === 'func' ? functionType(module, funcs++) : undefined,
  }));
  return stubbed(wanted, provided);
}

/** An import as the stubs see it; `type` when known (the input's own imports). */
interface Wanted {
  module: string;
  name: string;
  kind: string;
  type?: FuncType | undefined;
}

/** The import object for `wanted`: provided values, or for functions a stub that throws a typed error. */
function stubbed(
  wanted: readonly Wanted[],
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
      const fail = () => {
        throw new ImportNotProvidedError(imp.module, imp.name);
      };
      ns[imp.name] = imp.type !== undefined && takesV128(imp.type) ? wasmStub(imp.type, fail) : fail;
    } else {
      throw new ImportNotProvidedError(imp.module, imp.name);
    }
  }
  return imports;
}

function takesV128(type: FuncType): boolean {
  return type.params.includes('v128') || type.results.includes('v128');
}

/**
 * A wasm function of `type` that calls `fail`: V8 refuses to call a JS function with a v128 or take
 * one back from it ("type incompatibility when transforming from/to JS") before the JS runs, so a
 * JS stub could not report the missing import. Types naming other types by index keep the JS stub.
 */
function wasmStub(type: FuncType, fail: () => never): WebAssembly.ImportValue {
  if ([...type.params, ...type.results].some((t) => typeof t !== 'string')) return fail;
  const bytes = writeModule({
    version: 1,
    sections: [
      { kind: 'type', types: [{ kind: 'func', params: [], results: [] }, type] },
      { kind: 'import', imports: [{ module: 'host', name: 'fail', desc: { kind: 'func', type: 0 } }] },
      { kind: 'function', types: [1] },
      { kind: 'export', exports: [{ name: 'stub', kind: 'func', index: 1 }] },
      // call 0, unreachable
      { kind: 'code', bodies: [Uint8Array.of(0x00, 0x10, 0x00, 0x00, 0x0b)] },
    ],
  });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
    host: { fail },
  });
  return instance.exports['stub'] as WebAssembly.ImportValue;
}
