import { WasmRuntimeError } from '@wasm-runtime/errors';

/** The command line could not be understood: an unknown option, a missing value, no module. Exit status 2. */
export class UsageError extends WasmRuntimeError {
  /** `command`: the command whose help the message points at (default the general help). */
  constructor(message: string, command?: string) {
    super(
      'ERR_CLI_USAGE',
      `${message} (see \`wasm-runtime ${command === undefined ? '' : `${command} `}--help\`)`,
    );
  }
}

/** The module file given to `run` does not exist or cannot be read. */
export class ModuleNotFoundError extends WasmRuntimeError {
  constructor(path: string, options?: { cause?: unknown }) {
    super('ERR_CLI_MODULE_NOT_FOUND', `cannot read the module ${path}: ${why(options?.cause)}`, options);
  }
}

/** Why a module file could not be read, from the file system error. */
function why(cause: unknown): string {
  switch ((cause as { code?: unknown } | undefined)?.code) {
    case 'EISDIR':
      return 'it is a directory; give a .wasm file (a build writes <name>.wasm, engine-<sha>.wasm and <name>.data.wasm)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
    case undefined:
      return 'no such file (check the path)';
    default:
      return (cause as Error).message;
  }
}

/** An output file (a snapshot, a split pair) could not be written: nothing was left in its place. */
export class OutputWriteError extends WasmRuntimeError {
  constructor(path: string, options: { cause: unknown }) {
    const code = (options.cause as { code?: unknown } | undefined)?.code;
    const reason =
      code === 'ENOENT'
        ? 'its directory does not exist (create it, or give another path)'
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? 'a file stands where a directory of its path should be (give another path)'
          : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
            ? 'permission denied (give a writable path)'
            : options.cause instanceof Error
              ? options.cause.message
              : String(options.cause);
    super('ERR_CLI_WRITE_FAILED', `cannot write ${path}: ${reason}`, options);
  }
}

/** The bytes given to `run` are not a valid WebAssembly module. */
export class InvalidModuleError extends WasmRuntimeError {
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_CLI_INVALID_MODULE', `${path} is not a valid WebAssembly module: ${reason}`, options);
  }
}

/** The module is valid WebAssembly but not a WASI command (no `_start`, no memory, foreign imports). */
export class NotACommandError extends WasmRuntimeError {
  constructor(path: string, reason: string) {
    super('ERR_CLI_NOT_A_COMMAND', `${path} is not a WASI command: ${reason}`);
  }
}

/** A `--dir` argument is malformed or names a host directory that does not exist. Exit status 2, a usage error. */
export class BadDirError extends WasmRuntimeError {
  constructor(spec: string, reason: string) {
    super('ERR_CLI_BAD_DIR', `--dir ${spec}: ${reason}`);
  }
}

/** The guest trapped (unreachable, out-of-bounds access, stack overflow...). Exit status 134, like Wasmtime. */
export class GuestTrapError extends WasmRuntimeError {
  constructor(path: string, options: { cause: unknown }) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super('ERR_CLI_GUEST_TRAP', `${path} trapped: ${reason}`, options);
  }
}

/** A `wasm-runtime split --out-dir` directory (or `.split.json` file) whose pair cannot be run as it is. */
export class SplitDirError extends WasmRuntimeError {
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_CLI_BAD_SPLIT_DIR', `${path}: ${reason}`, options);
  }
}
