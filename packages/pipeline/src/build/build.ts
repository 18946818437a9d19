import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineFileName, split } from '@wasm-runtime/split';
import { type FileSystem, MemoryFS } from '@wasm-runtime/wasi';
import { loadConfig, resolveConfig } from '../config/config.js';
import type { ConfigOverrides, ResolvedConfig, WasmRuntimeConfig } from '../config/types.js';
import {
  type BuildStage,
  BuildStageError,
  ConfigError,
  InvalidRecipeError,
  OutputDirError,
  UnshippedStateError,
  type ValidationIssue,
} from '../errors.js';
import {
  DIST_MANIFEST_FILE,
  DIST_MANIFEST_FORMAT,
  type DistFile,
  type DistManifest,
  type DistModuleFile,
  type DistMount,
} from '../manifest.js';
import type { InitSpec, Recipe, RecipeContext, StdinProbe } from '../recipe/types.js';
import { type SourceMount, sourcePathRewriter } from '../run/source-paths.js';
import { ArtifactStore, type FetchedArtifact, type StoreEvent } from '../store/index.js';
import { sha256Hex } from '../store/sha256.js';
import { exceptionFormOf, toComponent, toExnref } from './forms.js';
import { runPreinit } from './preinit-adapter.js';
import { DEFAULT_MOUNTS, type StagedMount, stageMount } from './stage.js';

/** The stages of a build, in the order they run. */
export const BUILD_STAGES: readonly BuildStage[] = ['fetch', 'stage', 'preinit', 'split', 'forms', 'emit'];

/** Progress of a build, for a CLI to draw (the library never prints). */
export type BuildEvent =
  | { type: 'stage-start'; stage: BuildStage }
  | { type: 'stage-end'; stage: BuildStage; ms: number }
  | { type: 'store'; event: StoreEvent }
  | { type: 'init-output'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'file'; path: string; size: number }
  | { type: 'warning'; issue: ValidationIssue };

/** Options of {@link build}. */
export interface BuildOptions {
  /** The artifact store; default `new ArtifactStore()` (cache in `$WASM_RUNTIME_CACHE` or the user cache). */
  store?: ArtifactStore;
  /** Receives {@link BuildEvent}s. An exception it throws fails the build like a failing stage. */
  onEvent?: (event: BuildEvent) => void;
  signal?: AbortSignal;
  /** Flags over the config (only when `config` is a directory, a file or a raw config). */
  overrides?: ConfigOverrides;
  /** Directory a raw config's relative paths are resolved against; default `process.cwd()`. */
  baseDir?: string;
}

/** What a build produced. */
export interface BuildResult {
  /** Absolute path of the dist directory. */
  outDir: string;
  manifest: DistManifest;
  /** Every file written, manifest included, sorted by path. */
  files: DistFile[];
  /** Wall time of each stage in milliseconds. */
  timings: Record<BuildStage, number>;
  /** Phase timings the pre-initializer reported (milliseconds). */
  preinitTimings: Record<string, number>;
  /**
   * Sizes in bytes: the runtime module, the snapshot, the engine, the app's data module, and the
   * other forms when built (the exnref snapshot and engine, the component).
   */
  sizes: {
    runtime: number;
    snapshot: number;
    engine: number;
    data: number;
    exnrefSnapshot?: number;
    exnrefEngine?: number;
    component?: number;
  };
  /** True when the runtime module came from the cache (no download, no compile). */
  runtimeFromCache: boolean;
  /** What init printed. */
  initOutput: { stdout: string; stderr: string };
}

function isResolved(config: unknown): config is ResolvedConfig {
  return (
    typeof config === 'object' &&
    config !== null &&
    'baseDir' in config &&
    'recipe' in config &&
    typeof (config as ResolvedConfig).recipe === 'object' &&
    Array.isArray((config as ResolvedConfig).include)
  );
}

async function resolveBuildConfig(
  config: string | WasmRuntimeConfig | ResolvedConfig,
  options: BuildOptions,
): Promise<ResolvedConfig> {
  if (isResolved(config)) return config;
  const overrides = options.overrides === undefined ? {} : { overrides: options.overrides };
  const result =
    typeof config === 'string'
      ? await loadConfig(config, overrides)
      : await resolveConfig(config, { ...overrides, baseDir: options.baseDir ?? process.cwd() });
  for (const issue of result.warnings) options.onEvent?.({ type: 'warning', issue });
  if (result.value === undefined) {
    const where =
      typeof config === 'string' && 'configFile' in result && result.configFile
        ? String(result.configFile)
        : 'the config';
    throw new ConfigError(result.errors, where);
  }
  return result.value;
}

/** Fetches (or builds) the recipe's runtime module: its bytes, path, sha256, and whether it was cached. */
export async function fetchRuntime(
  recipe: Recipe,
  store: ArtifactStore,
  options: { baseDir: string; signal?: AbortSignal | undefined; onProgress?: (event: StoreEvent) => void },
): Promise<{ bytes: Uint8Array; path: string; sha256: string; fromCache: boolean }> {
  const fetchOptions = {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  };
  const source = recipe.source;
  let path: string;
  let fromCache = true;
  switch (source.kind) {
    case 'file':
      path = resolve(options.baseDir, source.path);
      break;
    case 'url':
    case 'npm': {
      const { file, ...artifactSource } = source;
      const artifact = await store.fetch(artifactSource, fetchOptions);
      fromCache = artifact.fromCache;
      path = file === undefined ? artifact.path : join(await store.unpack(artifact, fetchOptions), file);
      break;
    }
    case 'build': {
      const inputs: Record<string, FetchedArtifact> = {};
      for (const name of Object.keys(source.inputs ?? {}).sort()) {
        const artifact = await store.fetch(source.inputs![name]!, fetchOptions);
        fromCache &&= artifact.fromCache;
        inputs[name] = artifact;
      }
      const context = { inputs, store, signal: options.signal };
      const extra = typeof source.key === 'function' ? await source.key(context) : source.key;
      const key = [
        'wasm-runtime-recipe-build',
        recipe.language,
        recipe.runtime.name,
        recipe.runtime.version,
        source.output,
        ...Object.entries(inputs).map(([name, a]) => `${name}=${a.sha256}`),
        ...extra,
      ];
      let built = false;
      const dir = await store.cachedBuild(
        key,
        async (tmp) => {
          built = true;
          await source.build({ ...context, dir: tmp });
        },
        fetchOptions,
      );
      fromCache &&= !built;
      path = join(dir, source.output);
      break;
    }
  }
  const bytes = new Uint8Array(await readFile(path));
  return { bytes, path, sha256: sha256Hex(bytes), fromCache };
}

function initSpecOf(recipe: Recipe, context: RecipeContext): InitSpec {
  return typeof recipe.init === 'function' ? recipe.init(context) : (recipe.init ?? {});
}

// A recipe loaded from a path is recorded relative to the dist, so the manifest holds no
// absolute path and two checkouts build the same bytes.
function recipeReference(module: string | null, out: string): string | null {
  if (module === null || !module.startsWith('file:')) return module;
  const rel = relative(out, fileURLToPath(module)).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

function distFile(path: string, bytes: Uint8Array | string): DistFile {
  return {
    path,
    size: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length,
    sha256: sha256Hex(bytes),
  };
}

function moduleFile(path: string, bytes: Uint8Array): DistModuleFile {
  return { ...distFile(path, bytes), exceptions: exceptionFormOf(bytes) };
}

async function looksLikeDist(dir: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, DIST_MANIFEST_FILE), 'utf8')) as {
      format?: unknown;
    };
    return typeof manifest.format === 'string' && manifest.format.startsWith('wasm-runtime-dist@');
  } catch {
    return false;
  }
}

/**
 * Writes `files` as the directory `out`, atomically: everything goes to a temporary sibling
 * directory first, which replaces `out` only once complete, so a failure never leaves a
 * half-written dist (the previous one stays). Refuses to replace a non-empty directory that is
 * not a dist.
 */
export async function emitDir(
  out: string,
  files: ReadonlyArray<{ path: string; bytes: Uint8Array | string }>,
  onFile?: (path: string, size: number) => void,
): Promise<void> {
  const parent = dirname(out);
  await mkdir(parent, { recursive: true });
  if (existsSync(out)) {
    const entries = await readdir(out);
    if (entries.length > 0 && !(await looksLikeDist(out))) {
      throw new OutputDirError(out);
    }
  }
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `.${basename(out)}.tmp-${suffix}`);
  const old = join(parent, `.${basename(out)}.old-${suffix}`);
  try {
    await mkdir(tmp);
    for (const file of files) {
      const target = join(tmp, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.bytes);
      onFile?.(file.path, typeof file.bytes === 'string' ? Buffer.byteLength(file.bytes) : file.bytes.length);
    }
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  let moved = false;
  try {
    if (existsSync(out)) {
      await rename(out, old);
      moved = true;
    }
    await rename(tmp, out);
  } catch (error) {
    if (moved && !existsSync(out)) await rename(old, out).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  if (moved) await rm(old, { recursive: true, force: true });
}

/**
 * The user's source directory of each mount of the app's own files, relative to the config's
 * directory (`src` for a root of `src`), `/`-separated.
 */
function sourceMounts(mounts: readonly StagedMount[], baseDir: string): SourceMount[] {
  // The runtime's own files (a standard library) are not the user's.
  return mounts
    .filter((m) => m.root === 'app')
    .map((m) => ({
      guest: m.guest,
      source: relative(baseDir, m.from).split(sep).join('/'),
      files: m.files.map((f) => f.path),
    }));
}

/**
 * Builds an app: fetch the runtime → stage the app's files → pre-initialize → split → emit
 * `dist/` (`<name>.wasm`, `engine-<sha>.wasm`, `<name>.data.wasm`, `manifest.json`, and
 * `files/` for mounts needed at run time).
 *
 * `config` is an app directory or config file (loaded with {@link loadConfig}), a config object
 * (paths relative to `options.baseDir`), or an already resolved config. A bad config throws
 * `ConfigError` with every problem; a failing stage throws `BuildStageError` (`stage`, `cause`)
 * and leaves the output directory as it was. The same inputs give byte-identical files.
 */
export async function build(
  config: string | WasmRuntimeConfig | ResolvedConfig,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const resolved = await resolveBuildConfig(config, options);
  const { recipe, name } = resolved;
  const emit = options.onEvent ?? (() => {});
  const store = options.store ?? new ArtifactStore();
  const timings = {} as Record<BuildStage, number>;

  async function stage<T>(which: BuildStage, run: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      options.signal?.throwIfAborted();
      emit({ type: 'stage-start', stage: which });
      const value = await run();
      timings[which] = performance.now() - start;
      emit({ type: 'stage-end', stage: which, ms: timings[which] });
      return value;
    } catch (cause) {
      throw new BuildStageError(which, name, { cause });
    }
  }

  const runtime = await stage('fetch', () =>
    fetchRuntime(recipe, store, {
      baseDir: resolved.baseDir,
      signal: options.signal,
      onProgress: (event) => emit({ type: 'store', event }),
    }),
  );

  const mounts = await stage('stage', async () => {
    const staged: StagedMount[] = [];
    for (const mount of recipe.stage?.mounts ?? DEFAULT_MOUNTS) {
      staged.push(
        mount.root === 'runtime'
          ? await stageMount(dirname(runtime.path), mount, ['**'], [])
          : await stageMount(resolved.root, mount, resolved.include, resolved.exclude),
      );
    }
    return staged;
  });

  // The entry lives in the first mount of the app's own files.
  const first = mounts.find((m) => m.root === 'app') ?? mounts[0]!;
  const context: RecipeContext = {
    name,
    entry: resolved.entry,
    entryGuestPath: `${first.guest.replace(/\/$/, '')}/${resolved.entry}`,
    options: resolved.options,
  };
  const initSpec = initSpecOf(recipe, context);
  const initFunc = initSpec.export ?? 'wizer-initialize';
  const entry = recipe.entry;
  const entryExport = entry.kind === 'command' ? '_start' : entry.export;

  const pre = await stage('preinit', async () => {
    const preopens: Record<string, FileSystem> = {};
    for (const mount of mounts)
      preopens[mount.guest] = new MemoryFS(mount.tree, { readOnly: mount.readOnly, time: 0n });
    const outcome = await runPreinit(runtime.bytes, {
      initFunc,
      renameFuncs: entry.kind === 'command' && entry.export !== undefined ? [['_start', entry.export]] : [],
      args: [...(resolved.init.args ?? initSpec.args ?? [name])],
      env: { ...initSpec.env, ...resolved.init.env },
      stdin: initSpec.stdin,
      maxDataSegments: initSpec.maxDataSegments,
      preopens,
      inputName: `the ${recipe.runtime.name} ${recipe.runtime.version} runtime`,
      userPaths: sourcePathRewriter(sourceMounts(mounts, resolved.baseDir)).rewrite,
    });
    if (outcome.stdout !== '') emit({ type: 'init-output', stream: 'stdout', text: outcome.stdout });
    if (outcome.stderr !== '') emit({ type: 'init-output', stream: 'stderr', text: outcome.stderr });
    if (outcome.hostState !== null) {
      const shipped = new Set(mounts.filter((m) => m.atRuntime).map((m) => m.guest));
      for (const fd of outcome.hostState.fds) {
        const isPreopen = fd.kind === 'dir' && fd.preopen !== undefined;
        if (fd.kind !== 'stdio' && !isPreopen && !shipped.has(fd.mount))
          throw new UnshippedStateError(fd.mount, fd.path);
      }
      // Preopens of mounts only init needed are not there at run time: leave them out.
      outcome.hostState = {
        version: 1,
        fds: outcome.hostState.fds.filter((fd) => fd.kind === 'stdio' || shipped.has(fd.mount)),
      };
    }
    const exported = WebAssembly.Module.exports(
      await WebAssembly.compile(outcome.module as Uint8Array<ArrayBuffer>),
    );
    if (!exported.some((e) => e.name === entryExport && e.kind === 'function')) {
      throw new InvalidRecipeError(`the ${recipe.language} recipe`, [
        {
          path: 'entry.export',
          message: `the snapshot exports no function "${entryExport}"${entry.kind === 'command' && entry.export !== undefined ? ` (renamed from "${entry.export}")` : ''}: name an export of the runtime`,
        },
      ]);
    }
    return outcome;
  });

  const pair = await stage('split', async () =>
    split(pre.module, {
      runtime: {
        language: recipe.language,
        name: recipe.runtime.name,
        version: recipe.runtime.version,
        sha256: runtime.sha256,
      },
      original: runtime.bytes,
      // The init export that ran is gone from the snapshot; other init-like exports of the
      // runtime (StarlingMonkey keeps `wizer-initialize` beside `componentize.wizer`) are not ours.
      initExports: [initFunc],
    }),
  );

  const snapshotFile = `${name}.wasm`;
  const dataFile = `${name}.data.wasm`;
  const engineFile = engineFileName(pair.engine);
  const snapshotEntry = moduleFile(snapshotFile, pre.module);

  // Hosts that run only standard exception handling (Wasmtime, wasm-tools, jco) get the exnref
  // form of a snapshot using legacy EH, translated after pre-initialization (which ran the legacy
  // form on V8); the data module has no code, so it serves both forms of the engine.
  const forms = await stage('forms', async () => {
    let exnref: { snapshot: Uint8Array; engine: Uint8Array } | undefined;
    if (snapshotEntry.exceptions === 'legacy') {
      exnref = {
        snapshot: await toExnref(pre.module, snapshotFile),
        engine: await toExnref(pair.engine, engineFile),
      };
    }
    const component = resolved.component
      ? await toComponent(exnref?.snapshot ?? pre.module, snapshotFile)
      : undefined;
    return { exnref, component };
  });

  const outputs: Array<{ path: string; bytes: Uint8Array | string }> = [
    { path: snapshotFile, bytes: pre.module },
    { path: engineFile, bytes: pair.engine },
    { path: dataFile, bytes: pair.app },
  ];
  const files: DistManifest['files'] = {
    snapshot: snapshotEntry,
    engine: moduleFile(engineFile, pair.engine),
    data: moduleFile(dataFile, pair.app),
  };
  if (forms.exnref !== undefined) {
    const exnrefSnapshotFile = `${name}.exnref.wasm`;
    const exnrefEngineFile = engineFileName(forms.exnref.engine);
    outputs.push(
      { path: exnrefSnapshotFile, bytes: forms.exnref.snapshot },
      { path: exnrefEngineFile, bytes: forms.exnref.engine },
    );
    files.snapshotExnref = moduleFile(exnrefSnapshotFile, forms.exnref.snapshot);
    files.engineExnref = moduleFile(exnrefEngineFile, forms.exnref.engine);
  }
  if (forms.component !== undefined) {
    const componentFile = `${name}.component.wasm`;
    outputs.push({ path: componentFile, bytes: forms.component });
    files.component = {
      ...distFile(componentFile, forms.component),
      exceptions: forms.exnref === undefined ? snapshotEntry.exceptions : 'exnref',
      world: 'wasi:cli/command',
    };
  }
  const sources = new Map(sourceMounts(mounts, resolved.baseDir).map((m) => [m.guest, m.source]));
  const distMounts: DistMount[] = mounts.map((mount) => {
    const dir = mount.atRuntime ? `files${mount.guest.replace(/\/$/, '')}` : null;
    if (dir !== null) for (const f of mount.files) outputs.push({ path: `${dir}/${f.path}`, bytes: f.data });
    const source = sources.get(mount.guest);
    return {
      guest: mount.guest,
      readOnly: mount.readOnly,
      dir,
      files: mount.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
      ...(source === undefined ? {} : { source }),
    };
  });
  const manifest: DistManifest = {
    format: DIST_MANIFEST_FORMAT,
    name,
    runtime: {
      language: recipe.language,
      name: recipe.runtime.name,
      version: recipe.runtime.version,
      sha256: runtime.sha256,
    },
    recipe: recipeReference(resolved.recipeModule, resolved.out),
    entry: {
      kind: entry.kind,
      export: entryExport,
      file: resolved.entry,
      ...(entry.kind === 'export' && entry.args !== undefined ? { args: [...entry.args] } : {}),
      ...(entry.kind === 'export' && entry.result !== undefined ? { result: entry.result } : {}),
      ...(entry.kind === 'export' && entry.input !== undefined ? { input: entry.input } : {}),
      ...(entry.kind === 'export' && entry.stdinProbe !== undefined
        ? { stdinProbe: structuredClone(entry.stdinProbe) as StdinProbe }
        : {}),
    },
    files,
    split: pair.manifest,
    mounts: distMounts,
    postRestore: { call: recipe.postRestore?.call ?? null, hook: recipe.postRestore?.hook !== undefined },
    preinit: pre.summary,
    hostState: pre.hostState,
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  outputs.push({ path: DIST_MANIFEST_FILE, bytes: manifestText });

  await stage('emit', () =>
    emitDir(resolved.out, outputs, (path, size) => emit({ type: 'file', path, size })),
  );

  return {
    outDir: resolved.out,
    manifest,
    files: outputs.map((f) => distFile(f.path, f.bytes)).sort((a, b) => (a.path < b.path ? -1 : 1)),
    timings,
    preinitTimings: pre.timings,
    sizes: {
      runtime: runtime.bytes.length,
      snapshot: pre.module.length,
      engine: pair.engine.length,
      data: pair.app.length,
      ...(forms.exnref === undefined
        ? {}
        : { exnrefSnapshot: forms.exnref.snapshot.length, exnrefEngine: forms.exnref.engine.length }),
      ...(forms.component === undefined ? {} : { component: forms.component.length }),
    },
    runtimeFromCache: runtime.fromCache,
    initOutput: { stdout: pre.stdout, stderr: pre.stderr },
  };
}
