import { lstat, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { defaultEngineCache, type EngineCache, link } from '@wasm-runtime/split';
import {
  checkImports,
  type InputOption,
  type OutputOption,
  ProcExit,
  preview2ModuleNames,
  WASI,
} from '@wasm-runtime/wasi';
import { DistError, DistIntegrityError, DistManifestError } from '../errors.js';
import { DIST_MANIFEST_FILE, DIST_MANIFEST_FORMAT, type DistManifest } from '../manifest.js';
import { resolveRecipeModule } from '../recipe/resolve.js';
import type { Recipe } from '../recipe/types.js';
import { distManifestIssues } from '../schema/manifest.js';
import { sha256Hex } from '../store/sha256.js';
import { isObject } from '../validation.js';
import { runDistInWorker } from './bounded-dist.js';
import { checkLimits, limitMemories, memoryLimitReached, type RunLimits } from './limits.js';
import { confineMounts, isWritable, type SandboxOptions, verifyMountFiles } from './sandbox.js';

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

// The smallest modules using each form of exception handling: one function whose body is
// `try catch_all end` (legacy) or `try_table end` (exnref).
const LEGACY_EH_PROBE = Uint8Array.of(
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  4,
  1,
  96,
  0,
  0,
  3,
  2,
  1,
  0,
  10,
  8,
  1,
  6,
  0,
  6,
  64,
  25,
  11,
  11,
);
const EXNREF_EH_PROBE = Uint8Array.of(
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  4,
  1,
  96,
  0,
  0,
  3,
  2,
  1,
  0,
  10,
  8,
  1,
  6,
  0,
  31,
  64,
  0,
  11,
  11,
);

/**
 * Which forms of WebAssembly exception handling this JS host compiles: Node 20's V8 runs only
 * the legacy form, newer V8 both.
 */
export function hostExceptionForms(): { legacy: boolean; exnref: boolean } {
  return {
    legacy: WebAssembly.validate(LEGACY_EH_PROBE),
    exnref: WebAssembly.validate(EXNREF_EH_PROBE),
  };
}

/** The engine entry of a dist for this host: the legacy form where it runs, else the exnref one. */
function engineForHost(dir: string, manifest: DistManifest): { path: string; sha256: string } {
  const engine = manifest.files.engine;
  if (engine.exceptions !== 'legacy') return engine;
  const host = hostExceptionForms();
  if (host.legacy) return engine;
  const exnref = manifest.files.engineExnref;
  if (host.exnref && exnref !== undefined) return exnref;
  throw new DistError(
    dir,
    `its engine uses legacy exception handling, which this host does not run${exnref === undefined ? ', and it has no exnref form: rebuild it with this version of wasm-runtime' : ', nor the exnref form'}`,
  );
}

/** The parsed manifest, if this version can use it: its format, its schema, the sandbox rules. */
function checkManifest(dir: string, value: unknown, options: SandboxOptions): DistManifest {
  const format = isObject(value) ? value['format'] : undefined;
  if (isObject(value) && format !== DIST_MANIFEST_FORMAT && typeof format === 'string') {
    throw new DistError(
      dir,
      `${DIST_MANIFEST_FILE} has format ${JSON.stringify(format)}, this version reads ${DIST_MANIFEST_FORMAT}: rebuild it with this version of wasm-runtime`,
    );
  }
  const issues = distManifestIssues(value, options);
  if (issues.length > 0) throw new DistManifestError(dir, issues);
  return value as DistManifest;
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
    throw new DistError(dir, `it has no ${DIST_MANIFEST_FILE} (build one with \`wasm-runtime build\`)`, {
      cause,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new DistError(dir, `${DIST_MANIFEST_FILE} is not valid JSON`, { cause });
  }
  const manifest = checkManifest(dir, parsed, options);
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

async function loadHook(dir: string, manifest: DistManifest, trust: boolean): Promise<Recipe['postRestore']> {
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
interface Prepared {
  data: WebAssembly.Module | Uint8Array;
  /** The app module with its memories capped, by `maxMemory`. */
  limited?: Map<number, WebAssembly.Module | Uint8Array>;
  /** Loaded by the first run that needs it. */
  hook?: Promise<Recipe['postRestore']>;
}
const prepared = new WeakMap<LoadedDist, Prepared>();

function prepare(dist: LoadedDist): Prepared {
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

// The WASI 0.2 interfaces an engine imports, per engine bytes (a loaded dist keeps its bytes).
const preview2Names = new WeakMap<Uint8Array, readonly string[]>();

function preview2Of(engine: Uint8Array): readonly string[] {
  let names = preview2Names.get(engine);
  if (names === undefined) {
    names = preview2ModuleNames(engine);
    preview2Names.set(engine, names);
  }
  return names;
}

/** The app module to link: as built, or with its memories capped at `maxMemory` bytes. */
function appModule(
  loaded: LoadedDist,
  reused: Prepared | undefined,
  maxMemory: number | undefined,
): WebAssembly.Module | Uint8Array {
  if (maxMemory === undefined) return reused?.data ?? loaded.data;
  let data = reused?.limited?.get(maxMemory);
  if (data === undefined) {
    const what = `the app module ${join(loaded.dir, loaded.manifest.files.data.path)}`;
    const bytes = limitMemories(loaded.data, maxMemory, what);
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
 * result). A trap propagates as `WebAssembly.RuntimeError`.
 *
 * `dist` is a dist directory, read and verified on every call, or what {@link loadDist} returned:
 * a server that starts the same app per request loads it once, and every run then reuses its
 * bytes, its compiled app module and its recipe hook, touching no file.
 *
 * `timeout` runs the app in a worker thread that is stopped at the deadline (`RunTimeoutError`;
 * stdin must then be inherit, ignore, a string or bytes). `maxMemory` caps every memory of the app
 * (`MemoryLimitError` when a run fails at the cap). No instance outlives its run, so a stopped or
 * failed run never leaves state for the next.
 */
export async function runDist(dist: string | LoadedDist, options: RunDistOptions = {}): Promise<number> {
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
  const preview2 = preview2Of(loaded.engine);
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
  const { instance, appExports } = await link(
    loaded.engine,
    appModule(loaded, reused, options.maxMemory),
    wasi.imports as WebAssembly.Imports,
    {
      // The split manifest names the engine it wrote; another form of it has its own sha256.
      manifest:
        loaded.engineFile.sha256 === manifest.split.engine.sha256
          ? manifest.split
          : {
              ...manifest.split,
              engine: { file: loaded.engineFile.path, sha256: loaded.engineFile.sha256 },
            },
      ...(options.engineCache === undefined ? {} : { cache: options.engineCache }),
    },
  );
  let hook: Recipe['postRestore'];
  if (reused === undefined) hook = await loadHook(dir, manifest, options.trustDistRecipe === true);
  else {
    reused.hook ??= loadHook(dir, manifest, options.trustDistRecipe === true);
    hook = await reused.hook;
  }
  const exports = instance.exports;
  const { maxMemory } = options;
  /** A failed run's outcome, or the `MemoryLimitError` when its memory had reached the cap. */
  const limited = <T>(outcome: T, failed: boolean, ending: string): T => {
    if (failed && maxMemory !== undefined) {
      const error = memoryLimitReached(Object.values(appExports), maxMemory, `the app in ${dir}`, ending);
      if (error !== undefined) throw error;
    }
    return outcome;
  };
  const exited = (code: number): number => (code === 0 ? 0 : limited(code, true, `exited with ${code}`));
  try {
    const call = manifest.postRestore.call;
    if (call !== null || hook?.hook !== undefined || manifest.entry.kind === 'export') {
      const memory = exports['memory'];
      if (memory instanceof WebAssembly.Memory) wasi.bindMemory(memory, exports['cabi_realloc']);
    }
    if (call !== null) {
      const fn = exports[call];
      if (typeof fn !== 'function')
        throw new DistError(dir, `its post-restore export "${call}" is missing from the engine`);
      (fn as () => unknown)();
    }
    if (hook?.hook !== undefined) {
      await hook.hook(instance, { manifest, args: options.args ?? [], env: options.env ?? {} });
    }
    if (manifest.entry.kind === 'command') return exited(wasi.start(instance));
    const entry = exports[manifest.entry.export];
    if (typeof entry !== 'function')
      throw new DistError(dir, `its entry export "${manifest.entry.export}" is missing`);
    const result = (entry as (...args: number[]) => unknown)(...(manifest.entry.args ?? []));
    if (manifest.entry.result === 'pointer') {
      const memory = exports['memory'];
      if (typeof result !== 'number' || !(memory instanceof WebAssembly.Memory))
        throw new DistError(
          dir,
          `its entry export "${manifest.entry.export}" returned no address of an exit code`,
        );
      return exited(new DataView(memory.buffer).getInt32(result >>> 0, true));
    }
    return exited(typeof result === 'number' ? result : 0);
  } catch (error) {
    if (error instanceof ProcExit) return exited(error.exitCode);
    const trapped = error instanceof WebAssembly.RuntimeError || error instanceof RangeError;
    const badExit = isWasmRuntimeError(error, 'ERR_WASI_EXIT_STATUS');
    throw limited(error, trapped || badExit, trapped ? 'trapped' : 'exited with an invalid status');
  }
}
