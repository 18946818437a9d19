import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ArtifactStore, type BuildSource, fetchRuntime, type Recipe } from '@wasm-runtime/pipeline';
import { sha256Hex } from '@wasm-runtime/wasi-cc';
import { compileLua, luaBuildKey } from './build.js';
import { LUA_EXPORTS } from './instance.js';
import { LUA_SOURCE } from './source.js';

/** Options of {@link luaRecipe}: variants of the runtime build. */
export interface LuaRecipeOptions {
  /**
   * Run binaryen's `wasm-opt -O2` on the linked module (about 17% smaller); default false. The
   * `wasm-opt --version` then joins the cache key, and the runtime version gets `+wasm-opt`.
   */
  wasmOpt?: boolean;
  /** The C compiler; default `clang` (Debian's clang 14). Its `--version` is in the cache key. */
  clang?: string;
  /** Parallel compile jobs; default the number of CPUs (not in the cache key). */
  jobs?: number;
}

/** The build source of the Lua runtime: the pinned tarball in, `lua.wasm` out, keyed on every input. */
function luaBuildSource(options: LuaRecipeOptions): BuildSource & { output: 'lua.wasm' } {
  const keyOptions = {
    ...(options.clang === undefined ? {} : { clang: options.clang }),
    wasmOpt: options.wasmOpt ?? false,
  };
  return {
    kind: 'build',
    inputs: { lua: LUA_SOURCE },
    // The first item names the layout of the build directory (lua.wasm and inputs.json).
    key: async () => ['lua-build-dir/2', await luaBuildKey(keyOptions)],
    build: async (context) => {
      const lua = context.inputs['lua'];
      if (lua === undefined)
        throw new TypeError('the pipeline passed no `lua` input to the Lua recipe build');
      await compileLua({
        tarball: lua.path,
        outFile: join(context.dir, 'lua.wasm'),
        ...keyOptions,
        ...(options.jobs === undefined ? {} : { jobs: options.jobs }),
      });
      // What the bytes depend on, beside the module, for whoever wonders why a rebuild happened.
      const inputs = { source: lua.sha256, ...JSON.parse(await luaBuildKey(keyOptions)) };
      await writeFile(join(context.dir, 'inputs.json'), `${JSON.stringify(inputs, null, 2)}\n`);
    },
    output: 'lua.wasm',
  };
}

/**
 * A Lua recipe for `@wasm-runtime/pipeline`, for a variant of the runtime build (see
 * {@link recipe} for the default one).
 */
export function luaRecipe(options: LuaRecipeOptions = {}): Recipe & { source: { kind: 'build' } } {
  return {
    language: 'lua',
    runtime: { name: 'lua', version: `5.4.4+wasm-runtime.3${options.wasmOpt ? '+wasm-opt' : ''}` },
    source: luaBuildSource(options),
    init: (context) => ({
      export: LUA_EXPORTS.init,
      env: {
        LUA_APP_ENTRY: context.entryGuestPath,
        // An app called only through the reactor API may have no main; any other must have one.
        ...(context.options['reactor'] === true ? { LUA_APP_REACTOR: '1' } : {}),
      },
    }),
    entry: { kind: 'command', export: LUA_EXPORTS.run },
    postRestore: { call: LUA_EXPORTS.reseed },
    defaults: { entry: 'main.lua' },
  };
}

/**
 * The Lua recipe: the runtime is built from the pinned tarball (fetched by the pipeline's artifact
 * store: a mirror, lua.org, then Debian's pool) with the local wasm32-wasi toolchain and cached by
 * the store's `cachedBuild`; init (`wizer-initialize`) runs the app's entry module at build time
 * with `LUA_APP_ENTRY` set to its guest path; the snapshot's `_start` is the driver's
 * `wasm-runtime.run`; after restore, `wasm_runtime_reseed` reseeds `math.random`.
 */
export const recipe: Recipe & { source: { kind: 'build' } } = luaRecipe();

/** Options of {@link buildLua}. */
export interface BuildLuaOptions extends LuaRecipeOptions {
  /** The artifact store (cache root, mirrors, offline mode); default `new ArtifactStore()`. */
  store?: ArtifactStore;
  signal?: AbortSignal;
}

/** A built `lua.wasm`. */
export interface LuaBuild {
  /** Absolute path of the module, inside the store's cache: treat it as read-only. */
  wasmPath: string;
  /** Lowercase hex sha256 of the module's bytes. */
  sha256: string;
  /** The store's build key (the hash of every input): the name of the build's cache directory. */
  key: string;
  /** True when the module came from the cache and nothing was downloaded or compiled. */
  cached: boolean;
}

/**
 * Builds `lua.wasm` (Lua 5.4.4's core and standard libraries plus the wasm-runtime driver) the way
 * the pipeline does for {@link recipe}, or returns the cached build with the same inputs. The bytes
 * depend only on the inputs (source, driver, flags, toolchain), never on paths or time.
 */
export async function buildLua(options: BuildLuaOptions = {}): Promise<LuaBuild> {
  const { store = new ArtifactStore(), signal, ...variant } = options;
  const runtime = await fetchRuntime(luaRecipe(variant), store, { baseDir: process.cwd(), signal });
  return {
    wasmPath: runtime.path,
    sha256: sha256Hex(runtime.bytes),
    key: basename(dirname(runtime.path)),
    cached: runtime.fromCache,
  };
}
