import { isWasmRuntimeError } from '@wasm-runtime/errors';
import type { RunOptions } from './commands/run.js';
import { BadDirError, UsageError } from './errors.js';

/** What the command line asked for. */
export type ParsedCLI =
  | { command: 'help'; topic?: string }
  | { command: 'version' }
  | { command: 'run'; options: RunOptions }
  | { command: LazyCommand; argv: readonly string[] };

/**
 * Commands whose options are parsed by their own module, loaded only when the command runs (so
 * `wasm-runtime run` never loads the pre-initializer or the pipeline).
 */
export type LazyCommand = 'build' | 'deploy' | 'fetch' | 'inspect' | 'preinit' | 'split';

const LAZY_COMMANDS: readonly string[] = [
  'build',
  'deploy',
  'fetch',
  'inspect',
  'preinit',
  'split',
] satisfies LazyCommand[];

/** Where the CLI writes; swapped in tests. */
export interface CLIStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const HELP = `wasm-runtime: run WASI programs; build and run pre-initialized snapshots.

Usage: wasm-runtime <command> [options]

Commands:
  build [dir]                     build an app: pre-initialize it and write dist/
  fetch [dir] [--lang LANG]       put a language's runtime into the artifact cache (for offline builds)
  run <dist | module.wasm> [--dir H::G] [--env K=V] [--timeout T] [--max-memory M] [--] [args...]
                                  run a build (through its split pair), a split --out-dir directory,
                                  or any WASI command module
  deploy --target workers --out <dir> [dist]
                                  write a Cloudflare Worker that runs the app fresh per request
  inspect <module.wasm>           sections, imports, exports, memories, snapshot statistics
  preinit <in.wasm> -o <out>      pre-initialize a module (Wizer-compatible flags)
  split <snapshot.wasm> --out-dir <dir>
                                  split a snapshot into a shared engine and a data-only app module

Options:
  -h, --help      show help (also: wasm-runtime <command> --help)
  -V, --version   show the version
`;

const RUN_HELP = `Usage: wasm-runtime run [options] <dist dir | split dir | module.wasm> [options] [--] [args...]

Runs a build's output directory (written by wasm-runtime build: the split pair, the engine compiled
once and cached) or any WASI (preview1) command module. A directory wasm-runtime split --out-dir
wrote (an engine, <name>.data.wasm and <name>.split.json; or that .split.json itself) runs as the
command its snapshot was: the engine linked with its data module, both checked against the
sha256s of the .split.json, with the options below. Its stdin, stdout and stderr are this
process's; the exit status is the guest's exit code. Options go before the module or right after
it; the guest gets the arguments after --, or from the first argument after the module that is not
one of these options (so a guest argument that is one of them needs --). Every
wasi_snapshot_preview1 import is checked against preview1 (name and type) before the guest runs.
For a dist, the guest paths of the app's own files in what it writes to stderr are shown as the
source paths they came from (src/lib/cfg.lua:4: for /app/lib/cfg.lua:4:); stdout is never rewritten.

Options:
  --dir HOST::GUEST   make the host directory HOST visible to the guest as GUEST (repeatable)
  --dir DIR           the same as --dir DIR::DIR
  --env KEY=VALUE     set an environment variable for the guest (repeatable)
  --env KEY           pass KEY's value from this process's environment
  --writable-mounts   a dist's mounts that its manifest marks writable are writable (the guest
                      writes into the dist's files/ directory); without it every mount of a dist
                      is read-only, whatever its manifest says
  --trust-dist-recipe
                      run a dist's post-restore hook from a JavaScript file the dist itself names
                      (only for a dist you built: it runs on this host, outside the sandbox)
  --timeout T         stop the guest after T (500ms, 2s, 1m; a bare number is seconds): it runs
                      in a worker thread that is terminated at the deadline
  --max-memory M      cap each of the guest's memories at M bytes (64MiB, 1G, 65536: K, M, G are
                      powers of 1024): memory.grow past it returns -1 to the guest
  -W timeout=T        Wasmtime's spelling of --timeout
  -W max-memory-size=M
                      Wasmtime's spelling of --max-memory (-W takes a=x,b=y lists too)
  -h, --help          show this help

Exit status: the guest's exit code (0-125); 1 when the module cannot be run, or when the guest
calls proc_exit with a status above 125 (as in Wasmtime: such a status fails the run, so 256 can
never become 0); 2 for a usage error (a bad --dir too); 134 when the guest traps; 142 when
--timeout stopped it (ERR_RUN_TIMEOUT); 137 when it failed at its --max-memory limit
(ERR_RUN_MEMORY_LIMIT: it trapped or exited non-zero with a memory at 90% of the limit or more).
`;

/** Help text of a command, or the general help. */
export async function helpText(topic?: string): Promise<string> {
  switch (topic) {
    case 'run':
      return RUN_HELP;
    case 'build':
      return (await import('./commands/build.js')).BUILD_HELP;
    case 'deploy':
      return (await import('./commands/deploy.js')).DEPLOY_HELP;
    case 'fetch':
      return (await import('./commands/fetch.js')).FETCH_HELP;
    case 'inspect':
      return (await import('./commands/inspect.js')).INSPECT_HELP;
    case 'preinit':
      return (await import('./commands/preinit.js')).PREINIT_HELP;
    case 'split':
      return (await import('./commands/split.js')).SPLIT_HELP;
    default:
      return HELP;
  }
}

/**
 * Parses the arguments after `wasm-runtime` (i.e. `process.argv.slice(2)`). Throws a
 * `UsageError` or a `BadDirError`; reads the host environment only for `--env KEY` without a value.
 */
export function parseCLI(
  argv: readonly string[],
  hostEnv: Record<string, string | undefined> = {},
): ParsedCLI {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    return { command: 'help', ...(rest[0] !== undefined && command === 'help' ? { topic: rest[0] } : {}) };
  }
  if (command === '-V' || command === '--version') return { command: 'version' };
  if (command === 'run') return parseRun(rest, hostEnv);
  if (LAZY_COMMANDS.includes(command)) {
    const name = command as LazyCommand;
    const end = rest.indexOf('--');
    const options = end < 0 ? rest : rest.slice(0, end);
    if (options.includes('-h') || options.includes('--help')) return { command: 'help', topic: name };
    return { command: name, argv: rest };
  }
  if (command.startsWith('-')) throw new UsageError(`unknown option ${command}`);
  throw new UsageError(`unknown command ${JSON.stringify(command)}`);
}

function parseRun(argv: readonly string[], hostEnv: Record<string, string | undefined>): ParsedCLI {
  const options: RunOptions = { module: '', args: [], env: {}, dirs: [] };
  let i = 0;
  const value = (flag: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const next = argv[++i];
    if (next === undefined) throw new UsageError(`${flag} needs a value`, 'run');
    return next;
  };
  /** Applies `--dir`/`--env`/`--writable-mounts`/... at `i`; false when `arg` is not one of them. */
  const option = (arg: string): boolean => {
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = flag === arg ? undefined : arg.slice(eq + 1);
    if (arg === '--writable-mounts') options.writableMounts = true;
    else if (arg === '--trust-dist-recipe') options.trustDistRecipe = true;
    else if (flag === '--dir') options.dirs.push(parseDir(value(flag, inline)));
    else if (flag === '--timeout') options.timeout = parseDuration(flag, value(flag, inline));
    else if (flag === '--max-memory') options.maxMemory = parseSize(flag, value(flag, inline));
    else if (flag === '-W' || (flag.startsWith('-W') && !flag.startsWith('-W-'))) {
      // Wasmtime's -W name=value[,name=value]: the two limits it shares with run.
      const spec =
        flag === '-W' ? value(flag, inline) : flag.slice(2) + (inline === undefined ? '' : `=${inline}`);
      for (const item of spec.split(',')) {
        const at = item.indexOf('=');
        const key = at < 0 ? item : item.slice(0, at);
        const v = at < 0 ? '' : item.slice(at + 1);
        if (key === 'timeout') options.timeout = parseDuration('-W timeout', v);
        else if (key === 'max-memory-size') options.maxMemory = parseSize('-W max-memory-size', v);
        else throw new UsageError(`-W ${key}: run supports -W timeout=T and -W max-memory-size=M`);
      }
    } else if (flag === '--env') {
      const spec = value(flag, inline);
      const at = spec.indexOf('=');
      const key = at < 0 ? spec : spec.slice(0, at);
      if (key === '') throw new UsageError(`--env ${spec}: the variable name is empty`, 'run');
      if (at >= 0) options.env[key] = spec.slice(at + 1);
      else if (hostEnv[key] !== undefined) options.env[key] = hostEnv[key];
    } else return false;
    return true;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg === '-h' || arg === '--help') return { command: 'help', topic: 'run' };
    if (!option(arg)) throw new UsageError(`unknown option ${arg.split('=')[0]} for run`, 'run');
  }
  const module = argv[i];
  if (module === undefined)
    throw new UsageError(
      'run needs a dist directory, a split directory or a module: wasm-runtime run <dist | split dir | module.wasm>',
      'run',
    );
  options.module = module;
  // Right after the module, --dir and --env are still ours (as the usage line shows them); `--`,
  // or any other argument, starts the guest's arguments.
  for (i++; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!option(arg)) break;
  }
  options.args = argv.slice(i);
  return { command: 'run', options };
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `2s`, `1.5m`, `1h`; a bare number is seconds (as Wasmtime's -W timeout). In milliseconds. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = m === null ? Number.NaN : Number(m[1]) * DURATION_UNITS[m[2] ?? 's']!;
  if (!(ms > 0)) throw new UsageError(`${flag} ${text}: give a positive duration such as 500ms, 2s or 1m`);
  return ms;
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
};

/** `65536`, `64K`, `64MiB`, `1G`, `1gb`: bytes, K/M/G/T as powers of 1024. */
export function parseSize(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?$/i.exec(text.trim());
  const bytes = m === null ? Number.NaN : Math.floor(Number(m[1]) * SIZE_UNITS[(m[2] ?? '').toLowerCase()]!);
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) {
    throw new UsageError(`${flag} ${text}: give a size in bytes such as 65536, 64MiB or 1G`);
  }
  return bytes;
}

function parseDir(spec: string): { host: string; guest: string } {
  const sep = spec.indexOf('::');
  if (sep < 0) {
    if (spec === '') throw new BadDirError(spec, 'the directory is empty');
    return { host: spec, guest: spec };
  }
  const host = spec.slice(0, sep);
  const guest = spec.slice(sep + 2);
  if (host === '') throw new BadDirError(spec, 'the host directory before :: is empty');
  if (guest === '') throw new BadDirError(spec, 'the guest path after :: is empty');
  return { host, guest };
}

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;
const EXIT_TRAP = 134;
/** 128 + SIGKILL, what a process killed for its memory gets. */
const EXIT_MEMORY_LIMIT = 137;
/** 128 + SIGALRM, what a process stopped by a timer gets. */
const EXIT_TIMEOUT = 142;

/**
 * The whole CLI: parses `argv`, runs the command, and maps every failure to `error[CODE]: message`
 * on stderr and an exit status. Resolves to the exit status; never calls `process.exit`.
 */
export async function main(
  argv: readonly string[],
  streams: CLIStreams = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
): Promise<number> {
  try {
    const parsed = parseCLI(argv, process.env);
    switch (parsed.command) {
      case 'help':
        // Bare `wasm-runtime` is a usage error: the help goes to stderr, and the status says so.
        if (argv.length === 0) {
          streams.stderr(await helpText());
          return EXIT_USAGE;
        }
        streams.stdout(await helpText(parsed.topic));
        return 0;
      case 'version': {
        const { createRequire } = await import('node:module');
        const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
        streams.stdout(`wasm-runtime ${pkg.version}\n`);
        return 0;
      }
      case 'run': {
        const { isDistDir, runDistCommand } = await import('./commands/run-dist.js');
        if (await isDistDir(parsed.options.module)) return await runDistCommand(parsed.options);
        const { run } = await import('./commands/run.js');
        return await run(parsed.options);
      }
      case 'build': {
        const { buildCommand, parseBuildArgs } = await import('./commands/build.js');
        return await buildCommand(parseBuildArgs(parsed.argv), streams);
      }
      case 'deploy': {
        const { deployCommand, parseDeployArgs } = await import('./commands/deploy.js');
        return await deployCommand(parseDeployArgs(parsed.argv), streams);
      }
      case 'fetch': {
        const { fetchCommand, parseFetchArgs } = await import('./commands/fetch.js');
        return await fetchCommand(parseFetchArgs(parsed.argv), streams);
      }
      case 'inspect': {
        const { inspectCommand, parseInspectArgs } = await import('./commands/inspect.js');
        return await inspectCommand(parseInspectArgs(parsed.argv), streams);
      }
      case 'preinit': {
        const { parsePreinitArgs, preinitCommand } = await import('./commands/preinit.js');
        return await preinitCommand(parsePreinitArgs(parsed.argv), streams);
      }
      case 'split': {
        const { parseSplitArgs, splitCommand } = await import('./commands/split.js');
        return await splitCommand(parseSplitArgs(parsed.argv), streams);
      }
    }
  } catch (error) {
    if (isWasmRuntimeError(error)) {
      streams.stderr(`error[${error.code}]: ${error.message}\n`);
      if (error.code === 'ERR_CLI_USAGE' || error.code === 'ERR_CLI_BAD_DIR') return EXIT_USAGE;
      if (error.code === 'ERR_CLI_GUEST_TRAP') return EXIT_TRAP;
      if (error.code === 'ERR_RUN_TIMEOUT') return EXIT_TIMEOUT;
      if (error.code === 'ERR_RUN_MEMORY_LIMIT') return EXIT_MEMORY_LIMIT;
      return EXIT_FAILURE;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    streams.stderr(
      `error[ERR_INTERNAL]: ${detail}\n(this is a bug in wasm-runtime: please report it with the command line)\n`,
    );
    return EXIT_FAILURE;
  }
}
