import { WasmRuntimeError } from '@wasm-runtime/errors';

/** The init export named by `initFunc` is not exported by the module. */
export class MissingInitExportError extends WasmRuntimeError {
  /** The export the pre-initializer looked for. */
  readonly initFunc: string;
  /** Every function export the module does have. */
  readonly exports: readonly string[];

  constructor(initFunc: string, exports: readonly string[]) {
    const list =
      exports.length === 0 ? 'it exports no functions' : `its function exports are: ${exports.join(', ')}`;
    super(
      'ERR_PREINIT_NO_INIT_EXPORT',
      `the module has no \`${initFunc}\` export (${list}); pass the right one with --init-func / initFunc`,
    );
    this.initFunc = initFunc;
    this.exports = exports;
  }
}

/** One frame of a wasm stack trace, with the function name from the name section when there is one. */
export interface WasmFrame {
  /** Function index in the module's function index space. */
  funcIndex: number;
  /** Name from the `name` custom section, if any. */
  name: string | undefined;
  /** Byte offset of the instruction in the module, if V8 reported it. */
  offset: number | undefined;
}

/** The initialization function (or `_initialize`) trapped or threw. */
export class InitTrapError extends WasmRuntimeError {
  /** The export that was running. */
  readonly export: string;
  /** The wasm frames of the trap, innermost first. */
  readonly frames: readonly WasmFrame[];

  constructor(
    exportName: string,
    reason: string,
    frames: readonly WasmFrame[],
    options?: { cause?: unknown },
  ) {
    const stack =
      frames.length === 0
        ? ''
        : `\nwasm backtrace:\n${frames
            .map(
              (f, i) =>
                `  ${i}: ${f.offset === undefined ? '' : `0x${f.offset.toString(16)} - `}${f.name ?? `<wasm function ${f.funcIndex}>`}`,
            )
            .join('\n')}`;
    super('ERR_PREINIT_TRAP', `the \`${exportName}\` function trapped: ${reason}${stack}`, options);
    this.export = exportName;
    this.frames = frames;
  }
}

/** The module uses a construct whose effect during init cannot be captured soundly in a snapshot. */
export class UnsupportedConstructError extends WasmRuntimeError {
  /** What was found, e.g. `data.drop` or `imported memory`. */
  readonly construct: string;
  /** Function index (in the function index space) holding the instruction, when it is code. */
  readonly funcIndex: number | undefined;
  /** Absolute byte offset of the instruction in the input module, when it is code. */
  readonly offset: number | undefined;

  constructor(construct: string, detail: string, where?: { funcIndex: number; offset: number }) {
    const at =
      where === undefined ? '' : ` in function ${where.funcIndex} at byte 0x${where.offset.toString(16)}`;
    super('ERR_PREINIT_UNSUPPORTED', `cannot pre-initialize: ${construct}${at}: ${detail}`);
    this.construct = construct;
    this.funcIndex = where?.funcIndex;
    this.offset = where?.offset;
  }
}

/** State reached during init that no module can express (a host function in a table, a non-null externref...). */
export class UnsnapshottableStateError extends WasmRuntimeError {
  constructor(message: string) {
    super('ERR_PREINIT_UNSNAPSHOTTABLE', message);
  }
}

/** An import was called (or is needed) during init but nothing provides it. */
export class ImportNotProvidedError extends WasmRuntimeError {
  /** Import module name. */
  readonly importModule: string;
  /** Import field name. */
  readonly importName: string;

  constructor(module: string, name: string) {
    const how =
      module === 'wasi_snapshot_preview1'
        ? 'allow WASI during init with --allow-wasi (allowWasi: true)'
        : module === 'wasi_unstable'
          ? 'only wasi_snapshot_preview1 is provided, not the older wasi_unstable: rebuild the module with a current WASI SDK'
          : `provide the module with --preload ${module}=<file.wasm> (preloads: [{ name: '${module}', ... }], or imports)`;
    super(
      'ERR_PREINIT_IMPORT_NOT_PROVIDED',
      `init called the import \`${module}::${name}\`, which is not provided: ${how}`,
    );
    this.importModule = module;
    this.importName = name;
  }
}

/** The input (or a preload) is not a valid WebAssembly module. */
export class MalformedInputError extends WasmRuntimeError {
  constructor(what: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_PREINIT_MALFORMED', `${what} is not a valid WebAssembly module: ${reason}`, options);
  }
}

/** V8 compiled the module but could not instantiate it (imports that do not link, a data segment out of bounds, no memory left). */
export class InstantiationError extends WasmRuntimeError {
  constructor(what: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_PREINIT_INSTANTIATE', `${what} could not be instantiated: ${reason}`, options);
  }
}

/** The guest called `proc_exit` with a non-zero code during init. */
export class InitExitError extends WasmRuntimeError {
  readonly exitCode: number;

  constructor(exportName: string, exitCode: number, options?: { cause?: unknown }) {
    super(
      'ERR_PREINIT_EXIT',
      `the guest exited with code ${exitCode} during \`${exportName}\`: init must return normally (see its stderr for why it exited)`,
      options,
    );
    this.exitCode = exitCode;
  }
}

/** Bad command-line arguments or options. */
export class PreinitUsageError extends WasmRuntimeError {
  constructor(message: string) {
    super('ERR_PREINIT_USAGE', message);
  }
}

/** A preload or input file could not be read. */
export class PreinitIoError extends WasmRuntimeError {
  readonly path: string;

  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_PREINIT_IO', `cannot read ${path}: ${reason}`, options);
    this.path = path;
  }
}

/**
 * The module the pre-initializer built is one V8 rejects: a bug in the pre-initializer, reported
 * instead of writing the module. Code `ERR_PREINIT_INVALID_OUTPUT`.
 */
export class InvalidOutputError extends WasmRuntimeError {
  constructor(inputName: string, reason: string) {
    super(
      'ERR_PREINIT_INVALID_OUTPUT',
      `the pre-initialized module built from ${inputName} is not valid (V8: ${reason}), so nothing was written: ` +
        'this is a bug in wasm-runtime: please report it with the input module and the options used',
    );
  }
}
