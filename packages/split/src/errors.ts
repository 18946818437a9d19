import { WasmRuntimeError } from '@wasm-runtime/errors';

/**
 * The input of `split` is not a pre-initialized snapshot: it still exports an init function
 * (`wizer-initialize`, `wizer.initialize` or `_initialize` by default), so its memory holds the
 * state before initialization. Code `ERR_SPLIT_NOT_PREINITIALIZED`.
 */
export class NotPreinitializedError extends WasmRuntimeError {
  /** The init export that was found. */
  readonly exportName: string;

  constructor(exportName: string) {
    super(
      'ERR_SPLIT_NOT_PREINITIALIZED',
      `the module exports the init function "${exportName}", so it is not a pre-initialized snapshot: ` +
        'run it through the pre-initializer (`wasm-runtime preinit`) first, which calls the init export ' +
        'and removes it; if the export is meant to stay, pass `initExports: []` to split',
    );
    this.exportName = exportName;
  }
}

/**
 * The snapshot cannot be split as it is. `code` says why:
 * - `ERR_SPLIT_HAS_START`: a start function would run again in every app instance;
 * - `ERR_SPLIT_IMPORTED_MEMORY`: a memory is imported, so its contents are not in the snapshot;
 * - `ERR_SPLIT_IMPORTED_MUTABLE_GLOBAL`: a mutable global is imported, same reason;
 * - `ERR_SPLIT_PASSIVE_DATA`: passive data segments belong to the code (`memory.init`), not to the state;
 * - `ERR_SPLIT_CODE_USES_DATA`: the code uses `memory.init` or `data.drop`, which name data segments;
 * - `ERR_SPLIT_NON_CONSTANT_INIT`: a global or data offset the app module must define is not a constant;
 * - `ERR_SPLIT_IMPORT_MODULE_TAKEN`: the module already imports from the name chosen for the app;
 * - `ERR_SPLIT_NO_CODE`: there is no code section, so there is no engine to share.
 */
export class UnsplittableError extends WasmRuntimeError {}

/**
 * The pre-initialization changed a table (its element segments or limits differ from the runtime
 * module passed as `runtime`), so the engine would depend on the app. Code `ERR_SPLIT_TABLE_STATE`.
 */
export class TableStateError extends WasmRuntimeError {
  constructor(message: string) {
    super(
      'ERR_SPLIT_TABLE_STATE',
      `${message}: the table contents after init differ from the runtime's, so an engine carrying them ` +
        "would differ per app. Keep the app's init from adding functions to tables (register callbacks " +
        'after start), or ship the monolithic snapshot instead of a split pair',
    );
  }
}

/**
 * An engine and an app module (or a manifest) that do not belong together. `item` names the
 * import that does not match, when the mismatch is about one. Code `ERR_SPLIT_PAIR_MISMATCH`.
 */
export class PairMismatchError extends WasmRuntimeError {
  /** The import name (in the app's module namespace) that does not match, if any. */
  readonly item: string | undefined;

  constructor(message: string, item?: string, options?: { cause?: unknown }) {
    super(
      'ERR_SPLIT_PAIR_MISMATCH',
      `${message}; link an app module only with the engine it was split against (compare the engine ` +
        'sha256 in the manifest)',
      options,
    );
    this.item = item;
  }
}

/**
 * The split manifest given to `link` is not one `split` wrote: `issues` lists each problem at the
 * dot path of its field (`imports[0].name: expected a string, got null`). Code
 * `ERR_SPLIT_MANIFEST_INVALID`.
 */
export class SplitManifestError extends WasmRuntimeError {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(
      'ERR_SPLIT_MANIFEST_INVALID',
      `the split manifest is not one split wrote (${issues.length} error${issues.length === 1 ? '' : 's'}):\n${issues
        .map((i) => `  ${i}`)
        .join('\n')}\nPass the manifest split returned (or its <name>.split.json) unchanged.`,
    );
    this.issues = issues;
  }
}

/**
 * `split` or `join` built a module V8 rejects from valid inputs: a bug in wasm-runtime, reported
 * instead of returning (or writing) the module. Code `ERR_SPLIT_INVALID_OUTPUT`.
 */
export class InvalidOutputError extends WasmRuntimeError {
  constructor(operation: 'split' | 'join', what: string, reason: string) {
    super(
      'ERR_SPLIT_INVALID_OUTPUT',
      `the ${what} ${operation} built is not valid (V8: ${reason}), so it was not returned or written: ` +
        `this is a bug in wasm-runtime: please report it with the input modules`,
    );
  }
}
