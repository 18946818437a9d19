import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ArtifactStore, type BuildSource, fetchRuntime, type Recipe } from '@wasm-runtime/pipeline';
import { REACTOR_CALL_STATUS, REACTOR_EXPORTS } from '@wasm-runtime/wasi-cc';
import {
  compileLibpython,
  libpythonBuildKey,
  linkPython,
  PYTHON_HOME,
  pythonBuildKey,
  STDLIB_TREE,
  STDLIB_ZIP,
} from './build.js';
import { PythonBuildError } from './errors.js';
import { PYTHON_SOURCE, ZLIB_SOURCE } from './source.js';

/**
 * The names the driver exports: the reactor ABI shared with the other C runtimes
 * ({@link REACTOR_EXPORTS}; the README has what each does in Python). `init` initializes the
 * interpreter and imports the app's entry module, `run` calls its `main()`, `reseed` makes
 * sys.argv, os.environ and `random` the run's, and `call` calls a function of the entry module
 * with one `bytes`.
 */
export const PYTHON_EXPORTS: typeof REACTOR_EXPORTS = REACTOR_EXPORTS;

/** Status codes `wasm_runtime_call` returns ({@link REACTOR_CALL_STATUS}). */
export const PYTHON_CALL_STATUS: typeof REACTOR_CALL_STATUS = REACTOR_CALL_STATUS;

/** The guest directory of the app's files. */
export const PYTHON_APP_ROOT = '/app';

/** Options of {@link pythonRecipe}: variants of the runtime build and of the staged library. */
export interface PythonRecipeOptions {
  /**
   * How the standard library is staged: `zip` (default), one stored zip of .pyc files read by
   * zipimport; `tree`, a directory tree of .pyc files. Both are in every build.
   */
  stdlib?: 'zip' | 'tree';
  /** The C compiler; default `clang` (Debian's clang 14). Its `--version` is in the cache key. */
  clang?: string;
  /** The build python; default `/usr/bin/python3.11`. Its version is in the cache key. */
  buildPython?: string;
  /** Parallel jobs; default the number of CPUs (not in the cache key). */
  jobs?: number;
}

/** The config's `options` this recipe reads. */
export interface PythonAppOptions {
  /**
   * The seed of the str/bytes hash secret, frozen into the snapshot and shared by every instance
   * of the build: an integer from 0 to 4294967295 for reproducible builds (0 turns hash
   * randomization off). Default: a fresh random seed per build.
   */
  hashSeed?: number;
  /** True when the app is only called through the reactor API: its entry module may lack `main()`. */
  reactor?: boolean;
}

function hashSeed(options: Readonly<Record<string, unknown>>): string {
  const seed = options['hashSeed'];
  if (seed === undefined) return String(randomInt(0, 2 ** 32));
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 4294967295) {
    throw new PythonBuildError(
      'ERR_PYTHON_BAD_OPTION',
      `options.hashSeed must be an integer from 0 to 4294967295, got ${JSON.stringify(seed)}: fix it in the config, or leave it out for a fresh random seed per build`,
    );
  }
  return String(seed);
}

/** The build source of the runtime: the pinned tarballs in, `python.wasm` and the stdlib out. */
function pythonBuildSource(options: PythonRecipeOptions): BuildSource & { output: 'python.wasm' } {
  const keyOptions = {
    ...(options.clang === undefined ? {} : { clang: options.clang }),
    ...(options.buildPython === undefined ? {} : { buildPython: options.buildPython }),
  };
  return {
    kind: 'build',
    inputs: { python: PYTHON_SOURCE, zlib: ZLIB_SOURCE },
    // The first item names the layout of the build directory.
    key: async () => ['python-build-dir/1', await pythonBuildKey(keyOptions)],
    build: async (context) => {
      const python = context.inputs['python'];
      const zlib = context.inputs['zlib'];
      if (python === undefined || zlib === undefined)
        throw new TypeError('the pipeline passed no `python` or `zlib` input to the Python recipe build');
      // The slow half (configure, make) is cached apart: a driver change only relinks.
      const libpython = await context.store.cachedBuild(
        ['wasm-runtime-libpython', python.sha256, zlib.sha256, await libpythonBuildKey(keyOptions)],
        (dir) =>
          compileLibpython({
            python: python.path,
            zlib: zlib.path,
            outDir: dir,
            ...keyOptions,
            ...(options.jobs === undefined ? {} : { jobs: options.jobs }),
          }),
        context.signal === undefined ? {} : { signal: context.signal },
      );
      await linkPython({ libpython, outDir: context.dir, ...keyOptions });
      const inputs = {
        python: python.sha256,
        zlib: zlib.sha256,
        ...JSON.parse(await pythonBuildKey(keyOptions)),
      };
      await writeFile(join(context.dir, 'inputs.json'), `${JSON.stringify(inputs, null, 2)}\n`);
    },
    output: 'python.wasm',
  };
}

/**
 * A Python recipe for `@wasm-runtime/pipeline`, for a variant of the runtime build (see
 * {@link recipe} for the default one).
 */
export function pythonRecipe(options: PythonRecipeOptions = {}): Recipe & { source: { kind: 'build' } } {
  const tree = options.stdlib === 'tree';
  const stdlibGuest = tree ? `${PYTHON_HOME}/lib/python3.11` : `${PYTHON_HOME}/lib`;
  const stdlibPath = tree ? stdlibGuest : `${PYTHON_HOME}/${STDLIB_ZIP}`;
  return {
    language: 'python',
    runtime: { name: 'cpython', version: '3.11.2+wasm-runtime.1' },
    source: pythonBuildSource(options),
    stage: {
      mounts: [
        // The app's files: imports at init, and lazy imports and data files after restore.
        { guest: PYTHON_APP_ROOT, atRuntime: true },
        {
          guest: stdlibGuest,
          root: 'runtime',
          from: tree ? STDLIB_TREE : dirname(STDLIB_ZIP),
          atRuntime: true,
        },
      ],
    },
    init: (context) => ({
      env: {
        WASM_RUNTIME_PY_ENTRY: context.entryGuestPath,
        WASM_RUNTIME_PY_ROOT: PYTHON_APP_ROOT,
        WASM_RUNTIME_PY_HOME: PYTHON_HOME,
        WASM_RUNTIME_PY_PATH: `${stdlibPath}:${PYTHON_APP_ROOT}`,
        WASM_RUNTIME_PY_HASH_SEED: hashSeed(context.options),
        WASM_RUNTIME_PY_REPORT: '1',
        // An app called only through the reactor API may have no main(); any other must have one.
        ...(context.options['reactor'] === true ? { WASM_RUNTIME_PY_REACTOR: '1' } : {}),
      },
    }),
    entry: { kind: 'command', export: PYTHON_EXPORTS.run },
    postRestore: { call: PYTHON_EXPORTS.reseed },
    defaults: {
      entry: 'main.py',
      exclude: ['__pycache__/**', '**/__pycache__/**', '**/*.pyc'],
    },
  };
}

/**
 * The Python recipe: CPython 3.11.2 built from the pinned tarballs (fetched by the pipeline's
 * artifact store: a mirror, python.org, then Debian's pool) with the local wasm32-wasi toolchain
 * and cached by the store's `cachedBuild`; init (`wizer-initialize`) imports the app's entry
 * module at build time; the snapshot's `_start` calls its `main()`; after restore,
 * `wasm_runtime_reseed` makes sys.argv, os.environ and `random` the run's. The standard library
 * is a stored zip of .pyc mounted read-only at `/usr/local/lib`, shipped in `dist/files` for
 * imports after restore.
 */
export const recipe: Recipe & { source: { kind: 'build' } } = pythonRecipe();

/** Options of {@link buildPython}. */
export interface BuildPythonOptions extends PythonRecipeOptions {
  /** The artifact store (cache root, mirrors, offline mode); default `new ArtifactStore()`. */
  store?: ArtifactStore;
  signal?: AbortSignal;
}

/** A built CPython runtime. */
export interface PythonBuild {
  /** Absolute path of `python.wasm`, inside the store's cache: treat it as read-only. */
  wasmPath: string;
  /** The build directory (`python.wasm`, `lib/python311.zip`, `tree/python3.11/`, `inputs.json`). */
  dir: string;
  /** Lowercase hex sha256 of the module's bytes. */
  sha256: string;
  /** True when the build came from the cache and nothing was downloaded or compiled. */
  cached: boolean;
}

/**
 * Builds CPython for WASI the way the pipeline does for {@link recipe}, or returns the cached
 * build with the same inputs. The bytes depend only on the inputs (sources, driver, flags,
 * toolchain, build python), never on paths or time.
 */
export async function buildPython(options: BuildPythonOptions = {}): Promise<PythonBuild> {
  const { store = new ArtifactStore(), signal, ...variant } = options;
  const runtime = await fetchRuntime(pythonRecipe(variant), store, { baseDir: process.cwd(), signal });
  return {
    wasmPath: runtime.path,
    dir: dirname(runtime.path),
    sha256: runtime.sha256,
    cached: runtime.fromCache,
  };
}
