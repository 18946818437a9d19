import type { SplitManifest } from '@wasm-runtime/split';
import type { HostState } from '@wasm-runtime/wasi';
import type { ExceptionForm } from '@wasm-runtime/wasm';
import type { PreinitSummary } from './build/preinit-adapter.js';
import type { EntrySpec, StdinProbe } from './recipe/types.js';

/** The `format` of the dist manifests this version writes and reads. */
export const DIST_MANIFEST_FORMAT = 'wasm-runtime-dist@1';

/** The file name of the manifest in a dist directory. */
export const DIST_MANIFEST_FILE = 'manifest.json';

/** A file of the dist directory. */
export interface DistFile {
  /** Path relative to the dist directory, `/`-separated. */
  path: string;
  size: number;
  sha256: string;
}

/**
 * A module of the dist, with the exception-handling form its code uses: `legacy` runs in V8
 * (Node, browsers), `exnref` in Wasmtime and other standard hosts, `none` in both.
 */
export interface DistModuleFile extends DistFile {
  exceptions: ExceptionForm;
}

/** The WASI 0.2 command component of the app (`wasi:cli/run` its entry). */
export interface DistComponentFile extends DistModuleFile {
  world: 'wasi:cli/command';
}

/** A staged file shipped for run time, or a file init read (listed for provenance). */
export interface MountFile {
  path: string;
  size: number;
  sha256: string;
}

/** A directory the guest sees. */
export interface DistMount {
  guest: string;
  readOnly: boolean;
  /** Where `runDist` finds it, relative to the dist directory; null when only init needed it. */
  dir: string | null;
  files: MountFile[];
  /**
   * For a mount of the app's own files: their directory relative to the config's directory,
   * `/`-separated (`src`; `''` for that directory itself). Messages of a run name the user's files
   * by it (`src/lib/cfg.lua:4:` for `/app/lib/cfg.lua:4:`, `runDist`'s `sourcePaths`). Absent for
   * the runtime's own files, and in dists built before it was recorded.
   */
  source?: string;
}

/**
 * `dist/manifest.json`: what a build emitted and how to run it. Versioned by `format`; its JSON
 * schema is `@wasm-runtime/pipeline/manifest.schema.json`. It holds nothing that varies between
 * two builds of the same inputs (no times, no absolute paths), so dists are byte-identical.
 */
export interface DistManifest {
  $schema?: string;
  format: typeof DIST_MANIFEST_FORMAT;
  name: string;
  runtime: {
    language: string;
    name: string;
    version: string;
    /** sha256 of the runtime module before pre-initialization. */
    sha256: string;
  };
  /**
   * How to load the recipe again (for a JS post-restore hook): a package specifier, or a path
   * relative to the dist directory (`./` or `../`) for a recipe module given by path; null for
   * an inline recipe object.
   */
  recipe: string | null;
  entry: {
    /** `command`: the snapshot's `_start`; `export`: this export is called by `runDist`. */
    kind: EntrySpec['kind'];
    export: string;
    /** The app's entry file, relative to its root. */
    file: string;
    /** `export` entries: i32 arguments of the call, when the recipe gives some. */
    args?: number[];
    /** `export` entries: `pointer` when the exit code is stored at the address the export returns. */
    result?: 'value' | 'pointer';
    /** `export` entries: `cli` when the run's arguments, environment and stdin are passed to the export. */
    input?: 'cli';
    /** `input: 'cli'` entries: the call that says whether the app takes stdin (see `StdinProbe`). */
    stdinProbe?: StdinProbe;
  };
  files: {
    /** The monolithic snapshot `<name>.wasm`: runs in any WASI host that runs its `exceptions` form. */
    snapshot: DistModuleFile;
    /** The shared code-only engine `engine-<sha>.wasm`. */
    engine: DistModuleFile;
    /** The data-only app module `<name>.data.wasm` (no code: serves every form of the engine). */
    data: DistModuleFile;
    /**
     * When the snapshot uses legacy exception handling: the same snapshot in the exnref form
     * (`<name>.exnref.wasm`), for Wasmtime. Absent otherwise, since then one file serves every host.
     */
    snapshotExnref?: DistModuleFile;
    /** With `snapshotExnref`: the engine in the exnref form (`engine-<its sha>.wasm`). */
    engineExnref?: DistModuleFile;
    /** `<name>.component.wasm`, when the build was asked for a component (`--component`). */
    component?: DistComponentFile;
  };
  /** The manifest of the split pair, as `@wasm-runtime/split` wrote it (what `link` checks). */
  split: SplitManifest;
  mounts: DistMount[];
  postRestore: { call: string | null; hook: boolean };
  preinit: PreinitSummary;
  /**
   * The WASI descriptor table to restore (`new WASI({ state })`) when init left files open, or
   * null. Every mount it names ships in the dist.
   */
  hostState: HostState | null;
}
