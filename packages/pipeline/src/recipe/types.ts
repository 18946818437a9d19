import type { ArtifactSource, ArtifactStore, FetchedArtifact } from '../store/index.js';

/**
 * A recipe: everything the build pipeline needs to know about one language runtime. It is data
 * plus a few small hooks; adding a language is adding a package `@wasm-runtime/<language>` that
 * exports `recipe` (or a module named in a config), never a change to the pipeline.
 *
 * The pipeline: fetch the runtime module ({@link Recipe.runtime}), stage the app's files
 * ({@link Recipe.stage}), pre-initialize by calling the init export ({@link Recipe.init}), make the
 * entry ({@link Recipe.entry}) the snapshot's entry point, split, emit. At run time,
 * {@link Recipe.postRestore} runs before the entry.
 */
export interface Recipe {
  /** The language name users type (`--lang lua`); lowercase letters, digits and dashes. */
  language: string;
  /** Identity of the runtime build, recorded in the manifest and the split engine's manifest. */
  runtime: RuntimeIdentity;
  /** Where the runtime's `.wasm` comes from. */
  source: RuntimeSource;
  /** How the app's files are shown to init. Default: the whole app tree read-only at `/app`. */
  stage?: StageSpec;
  /** How init is invoked. Default: the export `wizer-initialize`, no args, empty environment. */
  init?: InitSpec | ((context: RecipeContext) => InitSpec);
  /** What runs when the snapshot starts. */
  entry: EntrySpec;
  /** What runs after a snapshot is restored and before the entry (reseeding). */
  postRestore?: PostRestore;
  /** Defaults for the user's config. */
  defaults?: RecipeDefaults;
}

/** Which runtime build a recipe uses. `name` + `version` must change whenever the build changes. */
export interface RuntimeIdentity {
  /** Runtime name: `lua`, `cpython`, `ruby`, `starlingmonkey`. */
  name: string;
  /** Upstream version plus anything that changes the build (`5.4.4`, `3.11.2+wasi-2`). */
  version: string;
}

/**
 * Where the runtime module comes from; every form ends as one verified `.wasm` file.
 *
 * - `url` / `npm`: an artifact of the store (sha256-pinned URL with fallbacks; an npm package
 *   version, optionally one file inside it with `path`). For an npm source without `path`, the
 *   tarball is unpacked and `file` names the module inside it (`package/dist/ruby.wasm`).
 * - `build`: built from pinned inputs with a local toolchain, cached with the store's
 *   `cachedBuild` under a key made of `key` and the inputs' sha256.
 * - `file`: a local module (development and tests); relative to the config's directory.
 */
export type RuntimeSource =
  | (ArtifactSource & { kind: 'url' | 'npm'; file?: string })
  | BuildSource
  | { kind: 'file'; path: string };

/** A runtime built from pinned sources by the recipe's own `build` function. */
export interface BuildSource {
  kind: 'build';
  /** Pinned inputs fetched through the store first (source tarballs), by name. */
  inputs?: Record<string, ArtifactSource>;
  /**
   * Everything else the output depends on (flags, toolchain versions, driver sources' hashes).
   * The inputs' sha256 are added by the pipeline. A function may probe the toolchain.
   */
  key: readonly string[] | ((context: BuildContext) => Promise<readonly string[]> | readonly string[]);
  /** Builds into `context.dir` (a fresh temporary directory, renamed into the cache on success). */
  build: (context: BuildContext & { dir: string }) => Promise<void>;
  /** The module's path inside the build directory. */
  output: string;
}

/** What a `build` source's functions receive. */
export interface BuildContext {
  /** The fetched inputs, by the names given in `inputs`. */
  inputs: Record<string, FetchedArtifact>;
  store: ArtifactStore;
  signal?: AbortSignal | undefined;
}

/** How the app's files are mounted for init (and, if asked, at run time). */
export interface StageSpec {
  mounts: readonly MountSpec[];
}

/** One directory the guest sees. */
export interface MountSpec {
  /** Guest path of the preopen, e.g. `/app`. */
  guest: string;
  /** Directory inside the app root (or the runtime's directory, see `root`) the files come from (default `.`). */
  from?: string;
  /**
   * What `from` is relative to: `app` (default), the app root; `runtime`, the directory holding the
   * runtime module (a `build` source's build directory, the unpacked tarball of an `npm` source),
   * for files that ship with the runtime, such as a standard library. The config's
   * `files.include`/`files.exclude` apply only to `app` mounts; a `runtime` mount stages every
   * file under `from` unless its own `include`/`exclude` say otherwise.
   */
  root?: 'app' | 'runtime';
  /** Globs (relative to `from`) of the files to stage. Default: the config's `files.include`, else every file. */
  include?: readonly string[];
  /** Globs to leave out, added to the config's `files.exclude` and the built-in excludes. */
  exclude?: readonly string[];
  /** Default true: init cannot write to the mount. */
  readOnly?: boolean;
  /**
   * Files the recipe itself provides (a driver script the runtime loads at init), by path inside
   * the mount: the mount then holds these instead of the app's files (`from`, `include` and
   * `exclude` do not apply).
   */
  files?: Readonly<Record<string, string | Uint8Array>>;
  /**
   * True when the runtime reads these files after restore (lazy imports): they are copied into
   * `dist/files/<guest path>` and preopened by `runDist`. Default false: init reads everything.
   */
  atRuntime?: boolean;
}

/** How the init export is called. */
export interface InitSpec {
  /** The init export; default `wizer-initialize`. */
  export?: string;
  /** argv during init (`args[0]` is the program name; default `[<app name>]`). */
  args?: readonly string[];
  /** The whole environment init sees. */
  env?: Readonly<Record<string, string>>;
  /** Bytes or text on stdin during init. */
  stdin?: string | Uint8Array;
  /**
   * Bound on the snapshot's data segments (default: the pre-initializer's, 50,000). V8 pays per
   * segment at every start: a runtime with a large heap (Ruby's 21 MB) starts faster with fewer,
   * larger segments (Wizer caps them at 10,000).
   */
  maxDataSegments?: number;
}

/** The snapshot's entry point. */
export type EntrySpec =
  | {
      /**
       * A WASI command: `_start`. With `export`, that export is renamed to `_start` in the snapshot
       * (Wizer's `--rename-func _start=<export>`); without it, the module's own `_start` is kept.
       */
      kind: 'command';
      export?: string;
    }
  | {
      /** A reactor whose `export` (`()` or `() -> i32` exit code, unless `args` says) `runDist` calls. */
      kind: 'export';
      export: string;
      /** i32 arguments the export is called with (default none). */
      args?: readonly number[];
      /**
       * Where the exit code is: the export's i32 result (`value`, the default), or the i32 stored
       * at the address it returns (`pointer`: a canonical-ABI return area, as a component's
       * lowered export returns its result).
       */
      result?: 'value' | 'pointer';
      /**
       * What the export receives after `args`: nothing (the default), or `cli`: the address of a
       * canonical-ABI parameter area holding the run's `(arguments: list<string>, environment:
       * list<tuple<string, string>>, stdin: list<u8>)` (a pointer and a length for each, six i32),
       * every list allocated with the module's `cabi_realloc`. The arguments (the program name
       * first) and the environment are the WASI host's; stdin is read to its end before the call.
       * For runtimes whose code cannot call WASI itself (StarlingMonkey's JavaScript).
       */
      input?: 'cli';
      /**
       * With `input: 'cli'`: asks the module whether the app takes stdin before stdin is read, so
       * an app that never reads it does not wait for it (a run's stdin may be a pipe nobody
       * closes). The entry export is called with these `args`; its result (read as `result` says)
       * is nonzero when the app takes stdin, which is then read; else the app gets none. `post`,
       * if given, is an export called next with `postArgs` (a canonical-ABI post-return).
       * Without a probe, stdin is always read.
       */
      stdinProbe?: StdinProbe;
    };

/** See `stdinProbe` of an `export` entry. */
export interface StdinProbe {
  args: readonly number[];
  result?: 'value' | 'pointer';
  post?: string;
  postArgs?: readonly number[];
}

/** After restore: an export to call (data, recorded in the manifest), and/or a JS hook. */
export interface PostRestore {
  /** An export called with no arguments after restore, before the entry; e.g. a reseed function. */
  call?: string;
  /**
   * A JS hook, run by `runDist` when it can import the recipe (the manifest records the recipe's
   * module specifier). Hosts other than `runDist` only see `call`: prefer it, or an entry that
   * reseeds by itself.
   */
  hook?: (instance: WebAssembly.Instance, context: RestoreContext) => void | Promise<void>;
}

/** What a post-restore hook receives. */
export interface RestoreContext {
  /** The dist manifest. */
  manifest: unknown;
  /** The arguments and environment of this run. */
  args: readonly string[];
  env: Readonly<Record<string, string>>;
}

/** Config defaults a recipe provides. */
export interface RecipeDefaults {
  /** The entry file when the config names none (`main.lua`). */
  entry?: string;
  /** Globs of the app's files when the config names none (`**\/*.lua`). */
  include?: readonly string[];
  /** Globs always left out for this language (`__pycache__/**`). */
  exclude?: readonly string[];
}

/** What a recipe's `init` function receives. */
export interface RecipeContext {
  /** The app's name (the config's `name`). */
  name: string;
  /** The entry file, relative to the app root, with `/` separators. */
  entry: string;
  /** The guest path of the entry file (`/app/main.lua`), under the first mount of the app's files. */
  entryGuestPath: string;
  /** The config's recipe-specific `options`. */
  options: Readonly<Record<string, unknown>>;
}
