import { basename, join } from 'node:path';
import { InvalidModuleError, UsageError } from '../errors.js';
import { type CommandStreams, formatBytes, last, processStreams, readArgs, table } from './format.js';
import { printJson, reportingFailures } from './json-report.js';
import { readModuleFile } from './read-module.js';
import { makeOutputDir, writeAtomically } from './write-output.js';

/** Options of `wasm-runtime split`, which are also its programmatic API. */
export interface SplitOptions {
  /** The pre-initialized snapshot. */
  snapshot: string;
  /** Where `engine-<sha>.wasm`, `<name>.data.wasm` and `<name>.split.json` go (created if needed). */
  outDir: string;
  /** Names the app files; default the snapshot's file name without `.wasm`. */
  name?: string | undefined;
  /** The runtime module before pre-initialization: proves init left the tables alone. */
  original?: string | undefined;
  /** Keep the zeros of the data segments (default: leave them out). */
  noCompact?: boolean | undefined;
  /** Print the result as JSON on stdout. */
  json?: boolean | undefined;
}

/** `wasm-runtime split --help`. */
export const SPLIT_HELP = `Usage: wasm-runtime split <snapshot.wasm> --out-dir <dir> [options]

Splits a pre-initialized snapshot into a code-only engine shared by every app of its runtime
(engine-<sha>.wasm) and a data-only app module (<name>.data.wasm), with <name>.split.json.
wasm-runtime run <dir> then runs the pair as the command the snapshot was.

Options:
  --out-dir DIR      where the files go (required)
  --name NAME        names the app files (default: the snapshot's name)
  --original FILE    the runtime before pre-initialization, to prove the engine is shared
  --no-compact       keep the zero bytes of the data segments
  --json             print the result as one JSON object on stdout (wasm-runtime-split@1), also
                     when the split fails
  -h, --help         show this help
`;

/** Parses the arguments after `split`. Throws `UsageError`. */
export function parseSplitArgs(argv: readonly string[]): SplitOptions {
  const { values, flags, positionals } = readArgs('split', argv, {
    values: ['--out-dir', '--name', '--original'],
    flags: ['--no-compact', '--json'],
    aliases: { '-o': '--out-dir' },
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'split needs a snapshot: wasm-runtime split <snapshot.wasm> --out-dir <dir>'
        : 'split takes one snapshot',
      'split',
    );
  }
  const outDir = last(values, '--out-dir');
  if (outDir === undefined || outDir === '') throw new UsageError('split needs --out-dir <dir>', 'split');
  const name = last(values, '--name');
  if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
    throw new UsageError(`--name ${name}: use letters, digits, ".", "_" and "-"`, 'split');
  return {
    snapshot: positionals[0]!,
    outDir,
    name,
    original: last(values, '--original'),
    noCompact: flags.has('--no-compact'),
    json: flags.has('--json'),
  };
}

/** V8's compile error for bytes `WebAssembly.validate` refused (validate gives no reason). */
function compileError(bytes: Uint8Array): string {
  try {
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return 'WebAssembly.validate rejected it';
}

/**
 * `wasm-runtime split`: writes the engine, the app module and the split manifest; with `json`,
 * prints one `wasm-runtime-split@1` object, also when it fails (then `ok` is false and `errors`
 * says why). Resolves to the exit status.
 */
export async function splitCommand(
  options: SplitOptions,
  streams: CommandStreams = processStreams(),
): Promise<number> {
  return reportingFailures(
    options.json,
    streams,
    'split',
    { snapshot: options.snapshot, outDir: options.outDir },
    () => splitFiles(options, streams),
  );
}

async function splitFiles(options: SplitOptions, streams: CommandStreams): Promise<number> {
  const { split } = await import('@wasm-runtime/split');
  const snapshot = await readModuleFile(options.snapshot);
  const original = options.original === undefined ? undefined : await readModuleFile(options.original);
  if (!WebAssembly.validate(snapshot as Uint8Array<ArrayBuffer>)) {
    throw new InvalidModuleError(options.snapshot, `V8 rejects it: ${compileError(snapshot)}`);
  }
  const result = split(snapshot, {
    ...(original === undefined ? {} : { original }),
    ...(options.noCompact ? { compactData: false } : {}),
  });
  const name = options.name ?? basename(options.snapshot).replace(/\.wasm$/, '');
  const files = {
    engine: result.manifest.engine.file,
    app: `${name}.data.wasm`,
    manifest: `${name}.split.json`,
  };
  await makeOutputDir(options.outDir);
  // The engine first: an app file must never sit beside a missing engine.
  await writeAtomically(join(options.outDir, files.engine), result.engine);
  await writeAtomically(join(options.outDir, files.app), result.app);
  await writeAtomically(
    join(options.outDir, files.manifest),
    `${JSON.stringify(result.manifest, null, 2)}\n`,
  );
  if (options.json) {
    printJson(streams, 'split', {
      ok: true,
      snapshot: options.snapshot,
      outDir: options.outDir,
      files,
      manifest: result.manifest,
    });
  } else {
    streams.stdout(
      table(
        [
          ['file', 'size', ''],
          [files.engine, formatBytes(result.engine.length), 'engine (code only, shared)'],
          [files.app, formatBytes(result.app.length), 'app (data only)'],
          [files.manifest, '', 'split manifest'],
        ],
        [false, true, false],
      ) +
        `from ${options.snapshot} (${formatBytes(snapshot.length)})${result.manifest.tables?.verifiedAgainstRuntime ? '; tables verified against the runtime' : ''}\n`,
    );
  }
  return 0;
}
