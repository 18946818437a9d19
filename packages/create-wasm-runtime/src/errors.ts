import { WasmRuntimeError } from '@wasm-runtime/errors';

/** The command line could not be understood. Exit status 2. */
export class CreateUsageError extends WasmRuntimeError {
  constructor(message: string) {
    super('ERR_CREATE_USAGE', `${message} (see \`create-wasm-runtime --help\`)`);
  }
}

/** The app's name is not a valid npm package name. Exit status 2. */
export class InvalidNameError extends WasmRuntimeError {
  constructor(name: string, problems: readonly string[], fromDir: boolean) {
    super(
      'ERR_CREATE_INVALID_NAME',
      `${JSON.stringify(name)} is not a valid npm package name: ${problems.join('; ')}. ` +
        (fromDir
          ? 'The name comes from the directory; give one with --name, or pick another directory.'
          : 'Pick another with --name (lowercase letters, digits, -, ., _; an optional @scope/).'),
    );
  }
}

/** No template of that name ships with this scaffolder. Exit status 2. */
export class UnknownTemplateError extends WasmRuntimeError {
  constructor(template: string, known: readonly string[]) {
    super(
      'ERR_CREATE_UNKNOWN_TEMPLATE',
      `there is no template ${JSON.stringify(template)}; the templates are: ${known.join(', ')}`,
    );
  }
}

/** The target directory holds files; nothing was written. */
export class DirNotEmptyError extends WasmRuntimeError {
  constructor(dir: string) {
    super(
      'ERR_CREATE_DIR_NOT_EMPTY',
      `${dir} is not empty; nothing was written. Choose a new directory, or pass --overwrite to ` +
        'replace what is there (a .git directory is kept).',
    );
  }
}

/** The target exists and is not a directory. */
export class NotADirectoryError extends WasmRuntimeError {
  constructor(dir: string) {
    super('ERR_CREATE_NOT_A_DIRECTORY', `${dir} exists and is not a directory; choose another path`);
  }
}

/** The user cancelled a prompt (Ctrl-C or Escape). Exit status 130. */
export class CancelledError extends WasmRuntimeError {
  constructor() {
    super('ERR_CREATE_CANCELLED', 'cancelled; nothing was written');
  }
}
