import { WasmRuntimeError } from '@wasm-runtime/errors';
import { getSection, parseModule, readU32, type ValType, valTypeText } from '@wasm-runtime/wasm';

/** A function type as `[params, results]`, each a string of `i` (i32) and `I` (i64). */
type Signature = readonly [params: string, results: string];

/**
 * Every `wasi_snapshot_preview1` function and its core wasm type, from the preview1 witx (pointers,
 * sizes, descriptors and flags are i32; offsets, lengths of files, rights and timestamps are i64).
 */
export const PREVIEW1_SIGNATURES: Readonly<Record<string, Signature>> = {
  args_get: ['ii', 'i'],
  args_sizes_get: ['ii', 'i'],
  environ_get: ['ii', 'i'],
  environ_sizes_get: ['ii', 'i'],
  clock_res_get: ['ii', 'i'],
  clock_time_get: ['iIi', 'i'],
  fd_advise: ['iIIi', 'i'],
  fd_allocate: ['iII', 'i'],
  fd_close: ['i', 'i'],
  fd_datasync: ['i', 'i'],
  fd_fdstat_get: ['ii', 'i'],
  fd_fdstat_set_flags: ['ii', 'i'],
  fd_fdstat_set_rights: ['iII', 'i'],
  fd_filestat_get: ['ii', 'i'],
  fd_filestat_set_size: ['iI', 'i'],
  fd_filestat_set_times: ['iIIi', 'i'],
  fd_pread: ['iiiIi', 'i'],
  fd_prestat_get: ['ii', 'i'],
  fd_prestat_dir_name: ['iii', 'i'],
  fd_pwrite: ['iiiIi', 'i'],
  fd_read: ['iiii', 'i'],
  fd_readdir: ['iiiIi', 'i'],
  fd_renumber: ['ii', 'i'],
  fd_seek: ['iIii', 'i'],
  fd_sync: ['i', 'i'],
  fd_tell: ['ii', 'i'],
  fd_write: ['iiii', 'i'],
  path_create_directory: ['iii', 'i'],
  path_filestat_get: ['iiiii', 'i'],
  path_filestat_set_times: ['iiiiIIi', 'i'],
  path_link: ['iiiiiii', 'i'],
  path_open: ['iiiiiIIii', 'i'],
  path_readlink: ['iiiiii', 'i'],
  path_remove_directory: ['iii', 'i'],
  path_rename: ['iiiiii', 'i'],
  path_symlink: ['iiiii', 'i'],
  path_unlink_file: ['iii', 'i'],
  poll_oneoff: ['iiii', 'i'],
  proc_exit: ['i', ''],
  proc_raise: ['i', 'i'],
  sched_yield: ['', 'i'],
  random_get: ['ii', 'i'],
  sock_accept: ['iii', 'i'],
  sock_recv: ['iiiiii', 'i'],
  sock_send: ['iiiii', 'i'],
  sock_shutdown: ['ii', 'i'],
};

/** The import module name of WASI preview1. */
export const PREVIEW1_MODULE = 'wasi_snapshot_preview1';

const short = (types: readonly ValType[]): string =>
  types.map((t) => (t === 'i32' ? 'i' : t === 'i64' ? 'I' : `<${valTypeText(t)}>`)).join('');

function funcText(params: string, results: string): string {
  const list = (s: string) =>
    [...s.matchAll(/i|I|<[^>]*>/g)].map((m) =>
      m[0] === 'i' ? 'i32' : m[0] === 'I' ? 'i64' : m[0].slice(1, -1),
    );
  const p = list(params);
  const r = list(results);
  return `(func${p.length > 0 ? ` (param ${p.join(' ')})` : ''}${r.length > 0 ? ` (result ${r.join(' ')})` : ''})`;
}

/** A module imports something from WASI that this host does not provide as it asks. */
export class WasiImportError extends WasmRuntimeError {
  /** Import module name (`wasi_snapshot_preview1` or `wasi_unstable`). */
  readonly importModule: string;
  /** Import field name. */
  readonly importName: string;
  /** Preview1's type of the function, as WebAssembly text; undefined when preview1 has no such function. */
  readonly expected: string | undefined;
  /** The type the module declares, as WebAssembly text (or the kind of a non-function import). */
  readonly actual: string;

  constructor(
    code: 'ERR_WASI_UNKNOWN_IMPORT' | 'ERR_WASI_IMPORT_TYPE',
    message: string,
    fields: { module: string; name: string; expected: string | undefined; actual: string },
  ) {
    super(code, message);
    this.importModule = fields.module;
    this.importName = fields.name;
    this.expected = fields.expected;
    this.actual = fields.actual;
  }
}

/** The bytes up to the end of the import section (the type and import sections come first). */
function headerPrefix(bytes: Uint8Array): Uint8Array {
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at]!;
    if (id > 2) break;
    const size = readU32(bytes, at + 1);
    at = size.next + size.value;
  }
  return bytes.subarray(0, Math.min(at, bytes.length));
}

/** Options of {@link checkImports}. */
export interface CheckImportsOptions {
  /** Names the module in messages (a file path, "the engine"). Default "the module". */
  name?: string;
  /**
   * Refuse `wasi_unstable` imports (default true). The pre-initializer passes false: like Wizer it
   * fails only when init calls an import nothing provides.
   */
  refuseUnstable?: boolean;
}

/**
 * Checks every `wasi_snapshot_preview1` import of a module against preview1: each must be a
 * function preview1 defines, with preview1's type. V8 links any JavaScript function to any
 * import type, so without this a misspelled import fails only when called and a mistyped one runs
 * with wrong arguments. Imports from `wasi_unstable` (the older snapshot 0) are refused, since
 * this host does not provide it; other import modules are left to the caller. Reads only the
 * type and import sections, so the cost does not grow with the module's code or data.
 * @throws WasiImportError naming the import, its expected and its actual type.
 * @throws MalformedModuleError when the sections read are malformed.
 */
export function checkImports(bytes: Uint8Array, options: CheckImportsOptions = {}): void {
  const what = options.name ?? 'the module';
  const module = parseModule(headerPrefix(bytes));
  const imports = getSection(module, 'import')?.imports ?? [];
  if (imports.length === 0) return;
  const types = getSection(module, 'type')?.types ?? [];
  // Type indices count every type a GC recursion group defines.
  const byIndex: (readonly [string, string] | undefined)[] = [];
  for (const t of types) {
    if (t.kind === 'func') byIndex.push([short(t.params), short(t.results)]);
    else for (let i = 0; i < t.count; i++) byIndex.push(undefined);
  }
  for (const imp of imports) {
    if (imp.module === 'wasi_unstable' && options.refuseUnstable !== false) {
      throw new WasiImportError(
        'ERR_WASI_UNKNOWN_IMPORT',
        `${what} imports wasi_unstable.${imp.name}: wasi_unstable is the old WASI snapshot 0, which this host does not provide (it runs wasi_snapshot_preview1). Rebuild the module with a current WASI SDK.`,
        { module: imp.module, name: imp.name, expected: undefined, actual: imp.desc.kind },
      );
    }
    if (imp.module !== PREVIEW1_MODULE) continue;
    const want = Object.hasOwn(PREVIEW1_SIGNATURES, imp.name) ? PREVIEW1_SIGNATURES[imp.name] : undefined;
    const where = `${what} imports ${PREVIEW1_MODULE}.${imp.name}`;
    if (want === undefined) {
      throw new WasiImportError(
        'ERR_WASI_UNKNOWN_IMPORT',
        `${where}, which is not a WASI preview1 function: check its spelling, or build the module against the wasi_snapshot_preview1 API (wasi-libc, a WASI SDK).`,
        { module: imp.module, name: imp.name, expected: undefined, actual: imp.desc.kind },
      );
    }
    const expected = funcText(want[0], want[1]);
    if (imp.desc.kind !== 'func') {
      throw new WasiImportError(
        'ERR_WASI_IMPORT_TYPE',
        `${where} as a ${imp.desc.kind}, but preview1 defines it as the function ${expected}: rebuild the module against the wasi_snapshot_preview1 API.`,
        { module: imp.module, name: imp.name, expected, actual: imp.desc.kind },
      );
    }
    const got = byIndex[imp.desc.type];
    if (got === undefined || got[0] !== want[0] || got[1] !== want[1]) {
      const actual =
        got === undefined ? `type ${imp.desc.type} (not a plain function type)` : funcText(got[0], got[1]);
      throw new WasiImportError(
        'ERR_WASI_IMPORT_TYPE',
        `${where} with the type ${actual}, but preview1 defines ${expected}: the module was built against a different ${imp.name}; rebuild it against the wasi_snapshot_preview1 API.`,
        { module: imp.module, name: imp.name, expected, actual },
      );
    }
  }
}
