import { stat } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import { isWasmRuntimeError } from '@wasm-runtime/errors';
import type { BuildEvent, BuildResult, BuildStage } from '@wasm-runtime/pipeline';
import { UsageError } from '../errors.js';
import { configLocation, configWarnings, reportConfigErrors } from './config-errors.js';
import {
  type CommandStreams,
  formatBytes,
  formatMs,
  last,
  painter,
  processStreams,
  readArgs,
  showProgress,
  singleValues,
  table,
} from './format.js';
import { issueOf, printJson } from './json-report.js';

/** Options of `wasm-runtime build`, which are also its programmatic API. */
export interface BuildOptions {
  /**
   * The app directory (its `wasm-runtime.config.*` is optional), a config file, or the app's entry
   * file (Javy's habit: `build src/main.lua` builds the app of the current directory with that
   * entry). Default `.`.
   */
  dir: string;
  /** Overrides the config's language (`--lang`). */
  lang?: string | undefined;
  /** Overrides the entry file (`--entry`). */
  entry?: string | undefined;
  /** Overrides the output directory (`--out`), relative to the current directory. */
  out?: string | undefined;
  /** Overrides the app name (`--name`). */
  name?: string | undefined;
  /** Also emit a WASI 0.2 command component (`--component`). */
  component?: boolean | undefined;
  /** Print one JSON object on stdout instead of the table. */
  json?: boolean | undefined;
  /** On failure, also print every cause (the pre-initializer's trap and wasm backtrace). */
  verbose?: boolean | undefined;
  /** Never use the network: runtime builds must be cached (or in a mirror directory). */
  offline?: boolean | undefined;
  /** The artifact cache directory (default `$WASM_RUNTIME_CACHE` or the user cache). */
  cacheDir?: string | undefined;
}

/** `wasm-runtime build --help`. */
export const BUILD_HELP = `Usage: wasm-runtime build [dir | entry-file] [options]

Builds the app in dir (default .): fetches the runtime of its language, stages the app's files,
runs its initialization once (pre-initialization), splits the snapshot, and writes dist/:
<name>.wasm (runs in any WASI host), engine-<sha>.wasm + <name>.data.wasm, manifest.json.
A runtime using legacy exception handling (Lua) also gets <name>.exnref.wasm and an exnref engine,
the forms Wasmtime runs (docs/wasmtime.md).
Settings come from dir/wasm-runtime.config.json (or .mjs); flags override them. Given a file
that is not a config (build src/main.lua), builds the app it belongs to (the nearest directory
above it with a config, else the current directory) with that file as its entry.

Options:
  --lang LANG      the language (its recipe is the package @wasm-runtime/LANG)
  --entry FILE     the app's entry file, relative to the app's root
  --out DIR        the output directory, relative to the current directory (default: the
                   config's "out", else dist beside the config)
  --name NAME      the app's name (default: the directory's name)
  --component      also write <name>.component.wasm, a WASI 0.2 command component
  --json           print the result as JSON on stdout
  --verbose        on failure, also print the causes (the trap's wasm backtrace)
  --offline        never use the network
  --cache-dir DIR  the artifact cache (default $WASM_RUNTIME_CACHE or ~/.cache/wasm-runtime)
  -h, --help       show this help
`;

/** Parses the arguments after `build`. Throws `UsageError`. */
export function parseBuildArgs(argv: readonly string[]): BuildOptions {
  const { values, flags, positionals } = readArgs('build', argv, {
    values: ['--lang', '--entry', '--out', '--name', '--cache-dir'],
    flags: ['--json', '--offline', '--verbose', '--component'],
  });
  if (positionals.length > 1)
    throw new UsageError(`build takes one app directory, got ${positionals.length}`, 'build');
  singleValues(values, ['--lang', '--entry', '--out', '--name', '--cache-dir']);
  return {
    dir: positionals[0] ?? '.',
    lang: last(values, '--lang'),
    entry: last(values, '--entry'),
    out: last(values, '--out'),
    name: last(values, '--name'),
    ...(flags.has('--component') ? { component: true } : {}),
    json: flags.has('--json'),
    verbose: flags.has('--verbose'),
    offline: flags.has('--offline'),
    cacheDir: last(values, '--cache-dir'),
  };
}

const STAGE_LABEL: Record<BuildStage, string> = {
  fetch: 'fetch runtime',
  stage: 'stage files',
  preinit: 'pre-initialize',
  split: 'split',
  forms: 'other forms',
  emit: 'emit',
};

function progress(streams: CommandStreams): ((event: BuildEvent) => void) | undefined {
  if (!showProgress(streams)) return undefined;
  let stage = '';
  return (event) => {
    if (event.type === 'stage-start') {
      stage = STAGE_LABEL[event.stage];
      streams.stderr(`\r\x1b[K${stage}…`);
    } else if (event.type === 'store' && event.event.type === 'progress') {
      const { received, total } = event.event;
      streams.stderr(
        `\r\x1b[K${stage}… ${formatBytes(received)}${total === undefined ? '' : ` / ${formatBytes(total)}`}`,
      );
    } else if (event.type === 'stage-end' && event.stage === 'emit') streams.stderr('\r\x1b[K');
  };
}

/** Where the monolithic snapshot runs, from what its manifest says it needs at start. */
export function snapshotNote(m: BuildResult['manifest']): string {
  const needs = [
    ...(m.postRestore.hook ? ["its recipe's restore hook"] : []),
    ...(m.entry.kind === 'export' ? [`a call of its "${m.entry.export}" export`] : []),
    ...(m.hostState === null || m.hostState === undefined ? [] : ['the files init left open']),
  ];
  if (needs.length > 0) return `snapshot, starts through wasm-runtime run / runDist (${needs.join(', ')})`;
  return m.files.snapshot.exceptions === 'legacy'
    ? 'snapshot, legacy exceptions (V8: Node, browsers)'
    : 'snapshot, runs in any WASI host';
}

function summary(result: BuildResult, streams: CommandStreams): string {
  const paint = painter(streams);
  const m = result.manifest;
  const total = Object.values(result.timings).reduce((a, b) => a + b, 0);
  const rel = relative(process.cwd(), result.outDir);
  const out = rel === '' ? '.' : rel.startsWith('..') ? result.outDir : rel;
  const stages = (Object.keys(STAGE_LABEL) as BuildStage[]).map((s) => {
    const note =
      s === 'fetch' && result.runtimeFromCache
        ? 'cached'
        : s === 'preinit'
          ? `init ${formatMs(result.preinitTimings['init'] ?? 0)}`
          : '';
    return [s, formatMs(result.timings[s]), note];
  });
  const files = [
    [m.files.snapshot.path, formatBytes(m.files.snapshot.size), snapshotNote(m)],
    [
      m.files.engine.path,
      formatBytes(m.files.engine.size),
      `engine, shared by every ${m.runtime.language} app`,
    ],
    [m.files.data.path, formatBytes(m.files.data.size), 'app state'],
    ...(m.files.snapshotExnref === undefined || m.files.engineExnref === undefined
      ? []
      : [
          [
            m.files.snapshotExnref.path,
            formatBytes(m.files.snapshotExnref.size),
            'snapshot, exnref form (Wasmtime)',
          ],
          [
            m.files.engineExnref.path,
            formatBytes(m.files.engineExnref.size),
            'engine, exnref form (Wasmtime)',
          ],
        ]),
    ...(m.files.component === undefined
      ? []
      : [[m.files.component.path, formatBytes(m.files.component.size), 'WASI 0.2 command component']]),
    ...result.files
      .filter((f) => f.path.startsWith('files/') || f.path === 'manifest.json')
      .map((f) => [f.path, formatBytes(f.size), f.path === 'manifest.json' ? 'manifest' : 'run-time file']),
  ];
  return (
    `${paint(1, `built ${m.name}`)} (${m.runtime.name} ${m.runtime.version}) in ${formatMs(total)} → ${out}/\n\n` +
    table([['stage', 'time', ''], ...stages], [false, true, false]) +
    '\n' +
    table([['file', 'size', ''], ...files], [false, true, false]) +
    `\nruntime ${formatBytes(result.sizes.runtime)}; snapshot memory: ${m.preinit.memories
      .map((mem) => `${mem.pages} pages, ${formatBytes(mem.nonZeroBytes)} non-zero`)
      .join('; ')}\n` +
    nondeterminismLine(m.preinit.nondeterminism)
  );
}

/** What init read of the clocks and randomness, fixed at build time and the same in every start. */
export function nondeterminismLine(nd: BuildResult['manifest']['preinit']['nondeterminism']): string {
  if (nd === null || (nd.randomBytes === 0 && nd.clockReads === 0)) return '';
  return `init read ${nd.randomBytes} random bytes and ${nd.clockReads} clocks: deterministic at build time (the realtime clock reads 2024-01-01T00:00:00Z), the same in every start\n`;
}

/** Every cause under an error, innermost last, for --verbose. */
function causes(error: unknown): string {
  let text = '';
  for (let e = (error as { cause?: unknown }).cause; e !== undefined; e = (e as { cause?: unknown }).cause) {
    const code = isWasmRuntimeError(e) ? `[${e.code}] ` : '';
    text += `caused by ${code}${e instanceof Error ? e.message : String(e)}\n`;
  }
  return text;
}

/**
 * The app directory of an entry file: the nearest directory above it with a config file, else the
 * current directory.
 */
function appDirOf(entry: string, findConfigFile: (dir: string) => string | undefined): string {
  for (let d = dirname(entry); ; d = dirname(d)) {
    if (findConfigFile(d) !== undefined) return d;
    if (dirname(d) === d) return '.';
  }
}

/**
 * `wasm-runtime build`: builds the app and prints the stage times and file sizes (or JSON).
 * Config errors are all printed, each with its dot path; resolves to the exit status.
 */
export async function buildCommand(
  options: BuildOptions,
  streams: CommandStreams = processStreams(),
): Promise<number> {
  const { ArtifactStore, build, CONFIG_FILES, findConfigFile, loadConfig } = await import(
    '@wasm-runtime/pipeline'
  );
  let { dir, entry } = options;
  const given = await stat(dir).catch(() => undefined);
  if (given?.isFile() && !(CONFIG_FILES as readonly string[]).includes(basename(dir))) {
    if (entry !== undefined)
      throw new UsageError(`build ${dir} --entry ${entry}: give the entry file once, either way`, 'build');
    entry = resolve(dir);
    dir = appDirOf(entry, findConfigFile);
  }
  const loaded = await loadConfig(dir, {
    overrides: {
      lang: options.lang,
      entry,
      out: options.out === undefined ? undefined : resolve(options.out),
      name: options.name,
      component: options.component,
    },
  });
  if (!options.json) {
    const where = configLocation(loaded.configFile, dir);
    for (const w of loaded.warnings)
      streams.stderr(`warning: ${where}: ${w.path === '' ? '' : `${w.path}: `}${w.message}\n`);
  }
  if (loaded.value === undefined) return reportConfigErrors(loaded, dir, options.json, streams, 'build');
  const store = new ArtifactStore({
    ...(options.offline ? { offline: true } : {}),
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
  });
  const draw = options.json ? undefined : progress(streams);
  let result: BuildResult;
  try {
    result = await build(loaded.value, {
      store,
      onEvent: (event) => {
        draw?.(event);
        if (event.type === 'init-output' && !options.json) {
          streams.stderr(event.text.replace(/^/gm, `init ${event.stream}: `).replace(/init \w+: $/, ''));
        }
      },
    });
  } catch (error) {
    if (draw !== undefined) streams.stderr('\r\x1b[K');
    if (options.verbose && !options.json) streams.stderr(causes(error));
    if (options.json && isWasmRuntimeError(error)) {
      printJson(streams, 'build', {
        ok: false,
        configFile: loaded.configFile,
        warnings: configWarnings(loaded),
        errors: [issueOf(error)],
      });
      return 1;
    }
    throw error;
  }
  if (options.json) {
    printJson(streams, 'build', {
      ok: true,
      configFile: loaded.configFile,
      warnings: configWarnings(loaded),
      outDir: result.outDir,
      name: result.manifest.name,
      timings: result.timings,
      preinitTimings: result.preinitTimings,
      sizes: result.sizes,
      runtimeFromCache: result.runtimeFromCache,
      initOutput: result.initOutput,
      files: result.files,
      manifest: result.manifest,
    });
  } else streams.stdout(summary(result, streams));
  return 0;
}
