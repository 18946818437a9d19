import { resolve } from 'node:path';
import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { type PreinitReport, parseWizerArgs, preinitialize } from '@wasm-runtime/preinit';
import { wizerArgsToOptions } from '@wasm-runtime/preinit/cli';
import { UsageError } from '../errors.js';
import { type CommandStreams, formatBytes, formatMs, processStreams } from './format.js';
import { printJson, reportingFailures } from './json-report.js';
import { readModuleFile } from './read-module.js';
import { writeAtomically } from './write-output.js';

/** Options of `wasm-runtime preinit` (Wizer's flags), which are also its programmatic API. */
export interface PreinitOptions {
  /** The module to pre-initialize. */
  input: string;
  /** Where the snapshot goes (written atomically). */
  output: string;
  /** The init export (`-f`, default `wizer-initialize`). */
  initFunc?: string | undefined;
  /** `-r dst=src`: export `src` renamed to `dst`. */
  renameFuncs?: Array<[dst: string, src: string]> | undefined;
  keepInitFunc?: boolean | undefined;
  /** Give init WASI (default false, as in Wizer). */
  allowWasi?: boolean | undefined;
  /** Give init this process's stdio (default true). */
  inheritStdio?: boolean | undefined;
  /** Give init this process's environment (default false). */
  inheritEnv?: boolean | undefined;
  /** `--dir DIR`: preopened under its own name. */
  dirs?: string[] | undefined;
  /** `--mapdir GUEST::HOST`. */
  mapdirs?: Array<[guest: string, host: string]> | undefined;
  /** `--preload name=file.wasm`. */
  preloads?: Array<[name: string, file: string]> | undefined;
  /** Print the report as JSON on stdout. */
  json?: boolean | undefined;
}

/** `wasm-runtime preinit --help`. */
export const PREINIT_HELP = `Usage: wasm-runtime preinit <in.wasm> -o <out.wasm> [options]

Pre-initializes a module: runs its init export once and writes a module that starts in the state
init left (Wizer-compatible flags and semantics; init runs with deterministic clocks and randomness).

Options:
  -o <OUTPUT>                         where the snapshot goes (required)
  -f, --init-func <NAME>              the init export [default: wizer-initialize]
  -r, --rename-func <dst=src>         rename export src to dst (repeatable)
      --keep-init-func[=<true|false>] keep exporting the init function
      --allow-wasi[=<true|false>]     let init call WASI
      --inherit-stdio [<true|false>]  give init this process's stdio [default: true]
      --inherit-env [<true|false>]    give init this process's environment [default: false]
      --dir <DIR>                     preopen a host directory under its own name (repeatable)
      --mapdir <GUEST::HOST>          preopen a host directory under another name (repeatable)
      --preload <name=file.wasm>      provide a module as import module <name> (repeatable)
      --json                          print the report as one JSON object on stdout
                                      (wasm-runtime-preinit@1), also when it fails; init's
                                      stdout then goes to stderr
  -h, --help                          show this help
`;

/** Parses the arguments after `preinit` (Wizer's flags plus `--json`). Throws `UsageError`. */
export function parsePreinitArgs(argv: readonly string[]): PreinitOptions {
  const json = argv.includes('--json');
  const rest = argv.filter((a) => a !== '--json');
  let args: ReturnType<typeof parseWizerArgs>;
  try {
    args = parseWizerArgs(rest);
  } catch (error) {
    if (isWasmRuntimeError(error, 'ERR_PREINIT_USAGE'))
      throw new UsageError(`preinit: ${error.message}`, 'preinit');
    throw error;
  }
  if (args.input === undefined)
    throw new UsageError(
      'preinit needs an input module: wasm-runtime preinit <in.wasm> -o <out.wasm>',
      'preinit',
    );
  if (args.output === undefined) throw new UsageError('preinit needs an output: -o <out.wasm>', 'preinit');
  return {
    input: args.input,
    output: args.output,
    initFunc: args.initFunc,
    renameFuncs: args.renameFuncs,
    keepInitFunc: args.keepInitFunc,
    allowWasi: args.allowWasi,
    inheritStdio: args.inheritStdio,
    inheritEnv: args.inheritEnv,
    dirs: args.dirs,
    mapdirs: args.mapdirs,
    preloads: args.preloads,
    json,
  };
}

function describeReport(report: PreinitReport, output: string): string {
  const memories = report.memories
    .map(
      (m) =>
        `memory ${m.index}: ${m.pages} pages, ${formatBytes(m.nonZeroBytes)} non-zero in ${m.segments} segments`,
    )
    .join('\n');
  const t = report.timings;
  const nd = report.nondeterminism;
  return (
    `pre-initialized ${output}: ${formatBytes(report.inputSize)} → ${formatBytes(report.outputSize)}\n` +
    `${memories}${memories === '' ? '' : '\n'}` +
    `${report.globals} globals, ${report.dataSegments} data segments\n` +
    `init ${formatMs(t.init)}; total ${formatMs(Object.values(t).reduce((a, b) => a + b, 0))}\n` +
    (nd !== undefined && (nd.randomBytes > 0 || nd.clockReads > 0)
      ? `init read ${nd.randomBytes} random bytes and ${nd.clockReads} clocks (deterministic here: reseed after restore)\n`
      : '')
  );
}

/**
 * The code of the pre-initializer's warnings in a JSON report (they are text: a rename whose
 * source is not exported, ignored as Wizer ignores it).
 */
const PREINIT_WARNING_CODE = 'WARN_PREINIT';

/**
 * `wasm-runtime preinit`: pre-initializes a module into a snapshot; with `json`, prints one
 * `wasm-runtime-preinit@1` object, also when it fails (then `ok` is false and `errors` says why).
 * Resolves to the exit status.
 */
export async function preinitCommand(
  options: PreinitOptions,
  streams: CommandStreams = processStreams(),
): Promise<number> {
  return reportingFailures(
    options.json,
    streams,
    'preinit',
    { input: options.input, output: options.output },
    () => preinitFile(options, streams),
  );
}

async function preinitFile(options: PreinitOptions, streams: CommandStreams): Promise<number> {
  const input = await readModuleFile(options.input);
  const defaults = parseWizerArgs([]);
  const preinitOptions = await wizerArgsToOptions(
    {
      ...defaults,
      input: options.input,
      output: options.output,
      initFunc: options.initFunc ?? defaults.initFunc,
      renameFuncs: options.renameFuncs ?? [],
      keepInitFunc: options.keepInitFunc ?? false,
      allowWasi: options.allowWasi ?? false,
      inheritStdio: options.inheritStdio ?? true,
      inheritEnv: options.inheritEnv ?? false,
      dirs: options.dirs ?? [],
      mapdirs: options.mapdirs ?? [],
      preloads: options.preloads ?? [],
    },
    // The JSON report is stdout: init's own stdout would corrupt it, so it goes to stderr then.
    { cwd: process.cwd(), env: process.env, stdinIsInput: false, outputToStdout: options.json === true },
  );
  preinitOptions.inputName = options.input;
  const { module, report } = await preinitialize(input, preinitOptions);
  await writeAtomically(resolve(options.output), module);
  if (options.json) {
    printJson(streams, 'preinit', {
      ok: true,
      warnings: report.warnings.map((message) => ({ code: PREINIT_WARNING_CODE, message })),
      input: options.input,
      output: options.output,
      report,
    });
  } else {
    for (const warning of report.warnings) streams.stderr(`warning: ${warning}\n`);
    streams.stderr(describeReport(report, options.output));
  }
  return 0;
}
