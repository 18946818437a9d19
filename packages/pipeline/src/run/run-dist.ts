import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultEngineCache, type EngineCache } from '@wasm-runtime/split';
import { checkImports, type InputOption, type OutputOption, WASI } from '@wasm-runtime/wasi';
import { DistError, DistIntegrityError } from '../errors.js';
import { DIST_MANIFEST_FILE, type DistManifest } from '../manifest.js';
import { resolveRecipeModule } from '../recipe/resolve.js';
import type { Recipe } from '../recipe/types.js';
import { checkDistManifest } from '../schema/manifest.js';
import { sha256Hex } from '../store/sha256.js';
import { deliver, runDistInWorker } from './bounded-dist.js';
import { cappedDataModule, engineForHost, enginePreview2, type RunResult, runSplitPair } from './core.js';
import { checkLimits, type RunLimits } from './limits.js';
import { confineMounts, isWritable, type SandboxOptions, verifyMountFiles } from './sandbox.js';
import { distSourcePaths, sourcePathsOutput } from './source-paths.js';

/** Options of {@link runDist}: what the guest sees, and the limits of the run (see `RunLimits`). */
export interface RunDistOptions extends RunLimits {
  /** Arguments after the program name (the guest's `argv[0]` is the app's name). */
  args?: string[];
  /** The guest's whole environment. */
  env?: Record<string, string>;
  /** Extra host directories, preopened after the dist's own mounts. */
  dirs?: Array<{ host: string; guest: string }>;
  /** Default `'inherit'` for all three. */
  stdin?: InputOption;
  stdout?: OutputOption;
  stderr?: OutputOption;
  /** Where the compiled engine is cached; default the process-wide cache of `@wasm-runtime/split`. */
  engineCache?: EngineCache | null;
  /** Check every file against the manifest's sha256 (default true). */
  verify?: boolean;
  /**
   * Let the guest write to the mounts the manifest marks writable (`readOnly: false`), which are
   * directories of the dist's `files/` tree. Default false: every mount is read-only, whatever
   * the manifest says (`--writable-mounts` on the command line). A loaded dist keeps what
   * {@link loadDist} was given.
   */
  writableMounts?: boolean;
  /**
   * Run a post-restore hook from a recipe file the dist names (a path, not an installed package):
   * that is the dist's own JavaScript, run on this host. Default false: such a dist is refused
   * with a `DistError` (`--trust-dist-recipe` on the command line). Hooks of installed recipe
   * packages always run.
   */
  trustDistRecipe?: boolean;
  /**
   * Name the app's own files by the user's source paths in what the guest writes to stderr
   * (`src/lib/cfg.lua:4:` for `/app/lib/cfg.lua:4:`), from the directories the manifest records
   * (`mounts[].source`), as the CLI's `run` does. Output is passed on as it comes, except a tail
   * that may still become a path; `'buffer'` is rewritten once the run is over. Default false.
   */
  sourcePaths?: boolean;
}

/** Options of {@link loadDist}. */
export interface LoadDistOptions extends SandboxOptions {
  /**
   * Check the split pair and the files shipped for run time against the manifest's sizes and
   * sha256s (default true). The sandbox rules are checked either way.
   */
  verify?: boolean;
  engineCache?: EngineCache | null;
}

/** A loaded dist: its manifest and the split pair's bytes. */
export interface LoadedDist {
  dir: string;
  manifest: DistManifest;
  /** The engine in the form this host runs (see {@link hostExceptionForms}). */
  engine: Uint8Array;
  /** The manifest entry of that engine file. */
  engineFile: { path: string; sha256: string };
  data: Uint8Array;
  /** The real host directory of each mount that ships, by guest path (inside the dist's `files/`). */
  mountDirs: ReadonlyMap<string, string>;
  /** Whether mounts the manifest marks writable are preopened writable (`LoadDistOptions`). */
  writableMounts: boolean;
}

/** Why the manifest of `dir` could not be read, and what to give instead. */
async function whyNoManifest(dir: string, cause: unknown): Promise<string> {
  const st = await stat(dir).catch(() => undefined);
  if (st === undefined)
    return 'the directory does not exist (give the --out directory of `wasm-runtime build`)';
  if (!st.isDirectory())
    return 'it is a file, not a directory (give the --out directory of `wasm-runtime build`)';
  if ((cause as { code?: unknown }).code !== 'ENOENT')
    return `its ${DIST_MANIFEST_FILE} cannot be read: ${(cause as Error).message}`;
  const pairs = ((await readdir(dir).catch(() => [])) as string[]).filter((f) => f.endsWith('.split.json'));
  if (pairs.length > 0) {
    return (
      `it has no ${DIST_MANIFEST_FILE}: it holds a pair \`wasm-runtime split --out-dir\` wrote ` +
      `(${pairs.sort().join(', ')}), which \`wasm-runtime run ${dir}\` runs as a command; a dist is what ` +
      '`wasm-runtime build` writes'
    );
  }
  return `it has no ${DIST_MANIFEST_FILE} (build one with \`wasm-runtime build\`)`;
}

/**
 * Reads a dist directory's manifest and split pair. The manifest is untrusted input: its mounts
 * must be directories of the dist's own `files/` tree (after `..` and symlinks) and its saved
 * descriptors must stay inside them, else `DistManifestError` or `DistMountEscapeError`; with
 * `verify` (the default) the split pair and the shipped files must match their recorded sha256s
 * (`DistIntegrityError`). Done once per load: runs of a loaded dist check nothing again.
 */
export async function loadDist(distDir: string, options: LoadDistOptions = {}): Promise<LoadedDist> {
  const dir = resolve(distDir);
  let text: string;
  try {
    text = await readFile(join(dir, DIST_MANIFEST_FILE), 'utf8');
  } catch (cause) {
    throw new DistError(dir, await whyNoManifest(dir, cause), { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new DistError(dir, `${DIST_MANIFEST_FILE} is not valid JSON`, { cause });
  }
  const manifest = checkDistManifest(dir, parsed, options);
  const mountDirs = await confineMounts(dir, manifest);
  const engineFile = engineForHost(dir, manifest);
  const cache = options.engineCache === undefined ? defaultEngineCache : options.engineCache;
  const read = async (file: { path: string; sha256: string }, engine = false): Promise<Uint8Array> => {
    // A regular file, not a link: the manifest names it, and a link could name a device or a FIFO.
    const st = await lstat(join(dir, file.path)).catch((cause: unknown) => {
      throw new DistError(dir, `${file.path} is missing`, { cause });
    });
    if (!st.isFile()) throw new DistError(dir, `${file.path} is not a regular file`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(join(dir, file.path)));
    } catch (cause) {
      throw new DistError(dir, `${file.path} cannot be read`, { cause });
    }
    if (options.verify !== false) {
      // The engine cache remembers the hash of these bytes, so linking them does not hash again.
      const actual = engine && cache !== null ? cache.hash(bytes) : sha256Hex(bytes);
      if (actual !== file.sha256) throw new DistIntegrityError(join(dir, file.path), file.sha256, actual);
    }
    return bytes;
  };
  const engine = await read(engineFile, true);
  // Once per load: every WASI import of the engine must be a preview1 function with its type.
  checkImports(engine, { name: join(dir, engineFile.path) });
  const loaded: LoadedDist = {
    dir,
    manifest,
    engine,
    engineFile,
    data: await read(manifest.files.data),
    mountDirs,
    writableMounts: options.writableMounts === true,
  };
  if (options.verify !== false) await verifyMountFiles(dir, manifest, mountDirs, options);
  return loaded;
}

/** The recipe's post-restore step of a dist, when its manifest names a JavaScript hook. */
export async function loadHook(
  dir: string,
  manifest: DistManifest,
  trust: boolean,
): Promise<Recipe['postRestore']> {
  if (!manifest.postRestore.hook || manifest.recipe === null) return undefined;
  const spec = manifest.recipe;
  const named =
    spec.startsWith('./') || spec.startsWith('../') || isAbsolute(spec) || spec.startsWith('file:');
  // A hook is JavaScript run on this host. A file the dist names is the dist's own code: never run
  // unless the user says they trust it. A package is resolved from where this runner is installed,
  // never from the dist's directory, which could ship a node_modules of its own.
  if (named && !trust) {
    throw new DistError(
      dir,
      `its post-restore hook is JavaScript in ${spec}, a file the dist names: running it would run the dist's code on this host. ` +
        'Pass trustDistRecipe: true (--trust-dist-recipe) only for a dist you built yourself',
    );
  }
  const url = named
    ? spec.startsWith('file:')
      ? spec
      : pathToFileURL(resolve(dir, spec)).href
    : resolveRecipeModule(spec, dirname(fileURLToPath(import.meta.url)));
  if (url === undefined) {
    throw new DistError(
      dir,
      `its post-restore hook lives in the recipe ${spec}, which cannot be found: install it`,
    );
  }
  let mod: { recipe?: Recipe; default?: Recipe };
  try {
    mod = (await import(url)) as typeof mod;
  } catch (cause) {
    throw new DistError(dir, `its post-restore hook lives in the recipe ${spec}, which cannot be loaded`, {
      cause,
    });
  }
  return (mod.recipe ?? mod.default)?.postRestore;
}

/** What a loaded dist keeps between runs: its compiled app module and its post-restore hook. */
export interface Prepared {
  data: WebAssembly.Module | Uint8Array;
  /** The app module with its memories capped, by `maxMemory`. */
  limited?: Map<number, WebAssembly.Module | Uint8Array>;
  /** Loaded by the first run that needs it. */
  hook?: Promise<Recipe['postRestore']>;
}
const prepared = new WeakMap<LoadedDist, Prepared>();

/** What a loaded dist keeps between runs (its compiled app module, its hook), made once. */
export function prepare(dist: LoadedDist): Prepared {
  let p = prepared.get(dist);
  if (p === undefined) {
    let data: WebAssembly.Module | Uint8Array;
    try {
      // Compiled once, instantiated by every run of this loaded dist.
      data = new WebAssembly.Module(dist.data as Uint8Array<ArrayBuffer>);
    } catch {
      data = dist.data; // left to link, which reports what is wrong with it
    }
    p = { data };
    prepared.set(dist, p);
  }
  return p;
}

/** The app module to link: as built, or with its memories capped at `maxMemory`. */
function appModule(
  loaded: LoadedDist,
  reused: Prepared | undefined,
  maxMemory: number | undefined,
): WebAssembly.Module | Uint8Array {
  if (maxMemory === undefined) return reused?.data ?? loaded.data;
  let data = reused?.limited?.get(maxMemory);
  if (data === undefined) {
    const bytes = cappedDataModule({ where: loaded.dir, manifest: loaded.manifest }, loaded.data, maxMemory);
    if (reused === undefined) return bytes;
    data = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    reused.limited ??= new Map();
    reused.limited.set(maxMemory, data);
  }
  return data;
}

/**
 * Runs a built app: links the split pair (the engine compiled once per process and cached by
 * sha256), preopens the dist's run-time mounts and `dirs`, applies the recipe's post-restore step,
 * then runs the entry. Resolves to the exit code (a `proc_exit` code, or an `export` entry's i32
 * result) and, for `stdout`/`stderr` set to `'buffer'`, what the guest wrote there. A trap
 * propagates as `WebAssembly.RuntimeError`.
 *
 * `dist` is a dist directory, read and verified on every call, or what {@link loadDist} returned:
 * a server that starts the same app per request loads it once, and every run then reuses its
 * bytes, its compiled app module and its recipe hook, touching no file.
 *
 * `timeout` runs the app in a worker thread that is stopped at the deadline (`RunTimeoutError`;
 * stdin must then be inherit, ignore, text or bytes). `maxMemory` caps every memory of the app
 * (`MemoryLimitError` when a run fails at the cap). No instance outlives its run, so a stopped or
 * failed run never leaves state for the next.
 */
export async function runDist(dist: string | LoadedDist, options: RunDistOptions = {}): Promise<RunResult> {
  checkLimits(options);
  const loaded =
    typeof dist === 'string'
      ? await loadDist(dist, {
          ...(options.verify === undefined ? {} : { verify: options.verify }),
          ...(options.engineCache === undefined ? {} : { engineCache: options.engineCache }),
          writableMounts: options.writableMounts === true,
        })
      : dist;
  if (options.writableMounts !== undefined && options.writableMounts !== loaded.writableMounts) {
    throw new DistError(
      loaded.dir,
      'writableMounts of a loaded dist is chosen when it is loaded: pass it to loadDist, not runDist',
    );
  }
  if (options.sourcePaths === true) return runWithSourcePaths(dist, loaded, options);
  if (options.timeout !== undefined) return runDistInWorker(loaded, options);
  const reused = typeof dist === 'string' ? undefined : prepare(dist);
  const { manifest, dir } = loaded;
  const preopens: Record<string, string | { dir: string; readOnly: boolean }> = {};
  for (const mount of manifest.mounts) {
    const host = loaded.mountDirs.get(mount.guest);
    if (host !== undefined) preopens[mount.guest] = { dir: host, readOnly: !isWritable(mount, loaded) };
  }
  for (const extra of options.dirs ?? []) {
    const st = await stat(extra.host).catch(() => undefined);
    if (!st?.isDirectory()) throw new DistError(dir, `--dir ${extra.host}: not a directory`);
    preopens[extra.guest] = extra.host;
  }
  const hostState = manifest.hostState;
  const preview2 = enginePreview2(loaded.engine);
  const wasi = new WASI({
    ...(preview2.length === 0 ? {} : { preview2 }),
    args: [manifest.name, ...(options.args ?? [])],
    env: options.env ?? {},
    preopens,
    stdin: options.stdin ?? 'inherit',
    stdout: options.stdout ?? 'inherit',
    stderr: options.stderr ?? 'inherit',
    ...(hostState === null || hostState === undefined ? {} : { state: hostState }),
  });
  let postRestore: Recipe['postRestore'];
  if (reused === undefined) postRestore = await loadHook(dir, manifest, options.trustDistRecipe === true);
  else {
    reused.hook ??= loadHook(dir, manifest, options.trustDistRecipe === true);
    postRestore = await reused.hook;
  }
  const exitCode = await runSplitPair(
    {
      where: dir,
      manifest,
      engine: loaded.engine,
      engineFile: loaded.engineFile,
      data: appModule(loaded, reused, options.maxMemory),
      ...(postRestore === undefined ? {} : { postRestore }),
    },
    wasi,
    {
      ...(options.args === undefined ? {} : { args: options.args }),
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.maxMemory === undefined ? {} : { maxMemory: options.maxMemory }),
      ...(options.engineCache === undefined ? {} : { engineCache: options.engineCache }),
    },
  );
  return {
    exitCode,
    ...(options.stdout === 'buffer' ? { stdout: wasi.stdout } : {}),
    ...(options.stderr === 'buffer' ? { stderr: wasi.stderr } : {}),
  };
}

/** `runDist` with `sourcePaths`: the guest's stderr goes through the rewriter of the dist's mounts. */
async function runWithSourcePaths(
  dist: string | LoadedDist,
  loaded: LoadedDist,
  options: RunDistOptions,
): Promise<RunResult> {
  const paths = distSourcePaths(loaded.manifest);
  // A loaded dist as given keeps what it reuses between runs; one read from a directory is this run's.
  const again = typeof dist === 'string' ? loaded : dist;
  const stderr = options.stderr ?? 'inherit';
  if (paths.empty || stderr === 'ignore') return runDist(again, { ...options, sourcePaths: false });
  if (stderr === 'buffer') {
    const result = await runDist(again, { ...options, sourcePaths: false });
    const text = new TextDecoder().decode(result.stderr);
    return { ...result, stderr: new TextEncoder().encode(paths.rewrite(text)) };
  }
  const output = sourcePathsOutput(
    paths,
    stderr === 'inherit' ? (chunk) => void process.stderr.write(chunk) : deliver(stderr),
  );
  try {
    return await runDist(again, { ...options, sourcePaths: false, stderr: (chunk) => output.write(chunk) });
  } finally {
    output.end();
  }
}
