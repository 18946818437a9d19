import { relative } from 'node:path';
import { isWasmRuntimeError } from '@wasm-runtime/errors';
import type { LoadedRecipe } from '@wasm-runtime/pipeline';
import { UsageError } from '../errors.js';
import { reportConfigErrors } from './config-errors.js';
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
} from './format.js';
import { issueOf, printJson } from './json-report.js';

/** Options of `wasm-runtime fetch`, which are also its programmatic API. */
export interface FetchOptions {
  /** The app directory (or config file) whose language is fetched. Default `.`. */
  dir: string;
  /** The language to fetch, without reading any config (`--lang`). */
  lang?: string | undefined;
  /** Print one JSON object on stdout. */
  json?: boolean | undefined;
  /** Never use the network: succeed only if the runtime is cached or buildable from a mirror. */
  offline?: boolean | undefined;
  /** The artifact cache directory (default `$WASM_RUNTIME_CACHE` or the user cache). */
  cacheDir?: string | undefined;
}

/** `wasm-runtime fetch --help`. */
export const FETCH_HELP = `Usage: wasm-runtime fetch [dir] [options]

Puts the runtime of an app's language into the artifact cache: downloads it (sha256-checked) or
builds it from its pinned sources, once. Later builds then need no network; in CI, cache the
directory it prints (or $WASM_RUNTIME_CACHE) between runs. The language comes from
dir/wasm-runtime.config.json (default dir .), or from --lang without any app.

Options:
  --lang LANG      the language (its recipe is the package @wasm-runtime/LANG)
  --json           print the result as JSON on stdout
  --offline        never use the network (check that the runtime is cached)
  --cache-dir DIR  the artifact cache (default $WASM_RUNTIME_CACHE or ~/.cache/wasm-runtime)
  -h, --help       show this help
`;

/** Parses the arguments after `fetch`. Throws `UsageError`. */
export function parseFetchArgs(argv: readonly string[]): FetchOptions {
  const { values, flags, positionals } = readArgs('fetch', argv, {
    values: ['--lang', '--cache-dir'],
    flags: ['--json', '--offline'],
  });
  if (positionals.length > 1)
    throw new UsageError(`fetch takes one app directory, got ${positionals.length}`, 'fetch');
  singleValues(values, ['--lang', '--cache-dir']);
  return {
    dir: positionals[0] ?? '.',
    lang: last(values, '--lang'),
    json: flags.has('--json'),
    offline: flags.has('--offline'),
    cacheDir: last(values, '--cache-dir'),
  };
}

/**
 * `wasm-runtime fetch`: fetches or builds the runtime of the app's language into the artifact
 * cache and prints where it is. Resolves to the exit status.
 */
export async function fetchCommand(
  options: FetchOptions,
  streams: CommandStreams = processStreams(),
): Promise<number> {
  try {
    return await fetchRuntimeCommand(options, streams);
  } catch (error) {
    if (!options.json || !isWasmRuntimeError(error)) throw error;
    printJson(streams, 'fetch', { ok: false, errors: [issueOf(error)] });
    return 1;
  }
}

async function fetchRuntimeCommand(options: FetchOptions, streams: CommandStreams): Promise<number> {
  const { ArtifactStore, fetchRuntime, findRecipe, loadConfig } = await import('@wasm-runtime/pipeline');
  let loaded: LoadedRecipe & { baseDir: string };
  if (options.lang !== undefined) {
    loaded = { ...(await findRecipe(options.lang, { cwd: options.dir })), baseDir: options.dir };
  } else {
    const config = await loadConfig(options.dir);
    if (config.value === undefined)
      return reportConfigErrors(config, options.dir, options.json, streams, 'fetch');
    loaded = {
      recipe: config.value.recipe,
      module: config.value.recipeModule ?? '(inline)',
      baseDir: config.value.baseDir,
    };
  }
  const { recipe } = loaded;
  const store = new ArtifactStore({
    ...(options.offline ? { offline: true } : {}),
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
  });
  const draw = !options.json && showProgress(streams);
  const start = performance.now();
  const runtime = await fetchRuntime(recipe, store, {
    baseDir: loaded.baseDir,
    ...(draw
      ? {
          onProgress: (event) => {
            if (event.type === 'progress') {
              const total = event.total === undefined ? '' : ` / ${formatBytes(event.total)}`;
              streams.stderr(`\r\x1b[Kfetching ${event.artifact}… ${formatBytes(event.received)}${total}`);
            }
          },
        }
      : {}),
  }).finally(() => {
    if (draw) streams.stderr('\r\x1b[K');
  });
  const ms = performance.now() - start;
  const how = runtime.fromCache ? 'cached' : recipe.source.kind === 'build' ? 'built' : 'downloaded';
  if (options.json) {
    printJson(streams, 'fetch', {
      ok: true,
      language: recipe.language,
      runtime: recipe.runtime,
      recipe: loaded.module,
      path: runtime.path,
      size: runtime.bytes.length,
      sha256: runtime.sha256,
      fromCache: runtime.fromCache,
      cacheDir: store.cacheDir,
      ms,
    });
    return 0;
  }
  const paint = painter(streams);
  const rel = relative(process.cwd(), runtime.path);
  streams.stdout(
    `${paint(1, `${recipe.runtime.name} ${recipe.runtime.version}`)} (${recipe.language}): ${how} in ${formatMs(ms)}\n` +
      `  ${rel.startsWith('..') ? runtime.path : rel}\n` +
      `  ${formatBytes(runtime.bytes.length)}, sha256 ${runtime.sha256}\n` +
      `  cache: ${store.cacheDir}\n`,
  );
  return 0;
}
