import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { type CreateOptions, createApp, displayDir, ownVersion } from './create.js';
import { CancelledError, CreateUsageError } from './errors.js';
import { listTemplates, type Template } from './templates.js';

/** What the command line asked for: options may lack `dir` or `template` (then asked for on a TTY). */
export type ParsedArgs =
  | { command: 'help' }
  | { command: 'version' }
  | { command: 'create'; options: Partial<CreateOptions> };

/** Where the CLI writes and whether it may ask; swapped in tests. */
export interface CreateIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stdin and stdout are terminals and this is not CI: only then are prompts shown. */
  interactive: boolean;
}

export const HELP = `create-wasm-runtime: start an app whose runtime starts from a pre-initialized snapshot.

Usage: npm create wasm-runtime@latest [dir] -- [--template NAME] [options]
       npx create-wasm-runtime [dir] [--template NAME] [options]

With no dir or template on a terminal, it asks; otherwise (flags given, or stdin is not a
terminal) it asks nothing and both are needed.

Options:
  -t, --template NAME   the starter app (--help lists the ones there are)
  --name NAME           the package name (default: the directory's name)
  --overwrite           replace the contents of a non-empty directory (.git is kept)
  -h, --help            show this help
  -V, --version         show the version

Exit status: 0 created; 1 nothing written (a non-empty directory...); 2 usage error; 130 cancelled.
`;

/** Parses the arguments after `create-wasm-runtime`. Throws `CreateUsageError`. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const options: Partial<CreateOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = flag === arg ? undefined : arg.slice(eq + 1);
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined || next.startsWith('-')) throw new CreateUsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === '-h' || flag === '--help') return { command: 'help' };
    if (flag === '-V' || flag === '--version') return { command: 'version' };
    if (flag === '-t' || flag === '--template') options.template = value();
    else if (flag === '--name') options.name = value();
    else if (flag === '--overwrite') options.overwrite = true;
    else if (flag.startsWith('-')) throw new CreateUsageError(`unknown option ${flag}`);
    else if (options.dir === undefined) options.dir = arg;
    else
      throw new CreateUsageError(
        `one directory, please: got ${JSON.stringify(options.dir)} and ${JSON.stringify(arg)}`,
      );
  }
  return { command: 'create', options };
}

function defaultIO(): CreateIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    interactive: process.stdin.isTTY === true && process.stdout.isTTY === true && !process.env['CI'],
  };
}

/** Asks for what the command line left out (only called on a terminal). */
async function ask(options: Partial<CreateOptions>, templates: Template[]): Promise<CreateOptions> {
  const p = await import('@clack/prompts');
  p.intro('create-wasm-runtime');
  const answer = (value: unknown): string => {
    if (p.isCancel(value)) throw new CancelledError();
    return String(value);
  };
  const dir =
    options.dir ??
    answer(
      await p.text({
        message: 'Where should the app go?',
        placeholder: 'my-app',
        defaultValue: 'my-app',
      }),
    );
  const template =
    options.template ??
    answer(
      await p.select({
        message: 'Which language?',
        options: templates.map((t) => ({ value: t.name, label: t.name, hint: t.description })),
      }),
    );
  return { ...options, dir, template };
}

/**
 * The whole command: parses `argv`, asks on a terminal for what is missing, writes the app, prints
 * the next commands. Resolves to the exit status; never calls `process.exit`.
 */
export async function main(argv: readonly string[], io: CreateIO = defaultIO()): Promise<number> {
  try {
    const parsed = parseArgs(argv);
    if (parsed.command === 'version') {
      io.stdout(`create-wasm-runtime ${ownVersion()}\n`);
      return 0;
    }
    const templates = await listTemplates();
    if (parsed.command === 'help') {
      io.stdout(
        `${HELP}\nTemplates:\n${templates.map((t) => `  ${t.name.padEnd(10)}${t.description}\n`).join('')}`,
      );
      return 0;
    }
    let options = parsed.options;
    if (options.dir === undefined || options.template === undefined) {
      if (!io.interactive) {
        const missing = [
          options.dir === undefined ? 'a directory' : '',
          options.template === undefined ? '--template' : '',
        ]
          .filter((m) => m !== '')
          .join(' and ');
        throw new CreateUsageError(
          `${missing} needed when not asking on a terminal (templates: ${templates.map((t) => t.name).join(', ')})`,
        );
      }
      options = await ask(options, templates);
    }
    const result = await createApp(options as CreateOptions);
    const where = displayDir(result.dir);
    io.stdout(
      `Created ${result.name} from the ${result.template} template in ${where}.\n\nNext:\n` +
        (where === '.' ? '' : `  cd ${/\s/.test(where) ? JSON.stringify(where) : where}\n`) +
        '  npm install\n  npm run build      # pre-initialize the app into dist/\n' +
        '  npm start -- world  # start it from the snapshot\n  npm test\n',
    );
    return 0;
  } catch (error) {
    if (isWasmRuntimeError(error)) {
      io.stderr(`error[${error.code}]: ${error.message}\n`);
      if (error.code === 'ERR_CREATE_CANCELLED') return 130;
      return ['ERR_CREATE_USAGE', 'ERR_CREATE_INVALID_NAME', 'ERR_CREATE_UNKNOWN_TEMPLATE'].includes(
        error.code,
      )
        ? 2
        : 1;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(
      `error[ERR_INTERNAL]: ${detail}\n(this is a bug in create-wasm-runtime: please report it with the command line)\n`,
    );
    return 1;
  }
}
