import { PairMismatchError } from './errors.js';
import { APP_IMPORT_MODULE, checkSplitManifest, type SplitManifest } from './manifest.js';
import { materializeApp, prefersMaterialize } from './materialize.js';
import { sha256Hex } from './sha256.js';

/**
 * Compiled engines by sha256, so every app of a runtime reuses one `WebAssembly.Module`.
 * Hashes of byte arrays are remembered per array object, so passing the same bytes again costs
 * a map lookup, not a hash.
 */
export class EngineCache {
  readonly #modules = new Map<string, WebAssembly.Module>();
  readonly #pending = new Map<string, Promise<WebAssembly.Module>>();
  readonly #hashes = new WeakMap<Uint8Array, string>();
  #compilations = 0;
  #hits = 0;

  /** Engines compiled by this cache so far. */
  get compilations(): number {
    return this.#compilations;
  }

  /** Lookups answered from the cache. */
  get hits(): number {
    return this.#hits;
  }

  /** Number of cached engines. */
  get size(): number {
    return this.#modules.size;
  }

  /** The sha256 (hex) of engine bytes, remembered per array. */
  hash(bytes: Uint8Array): string {
    let hash = this.#hashes.get(bytes);
    if (hash === undefined) {
      hash = sha256Hex(bytes);
      this.#hashes.set(bytes, hash);
    }
    return hash;
  }

  /** The compiled engine with this sha256, if cached. */
  get(sha256: string): WebAssembly.Module | undefined {
    return this.#modules.get(sha256);
  }

  /** Caches an engine compiled elsewhere (e.g. deserialized) under its sha256. */
  set(sha256: string, module: WebAssembly.Module): void {
    this.#modules.set(sha256, module);
  }

  /** Compiles `bytes` unless an engine with the same sha256 is cached; concurrent calls share one compile. */
  async compile(bytes: Uint8Array): Promise<WebAssembly.Module> {
    const hash = this.hash(bytes);
    const cached = this.#modules.get(hash);
    if (cached !== undefined) {
      this.#hits++;
      return cached;
    }
    let pending = this.#pending.get(hash);
    if (pending === undefined) {
      this.#compilations++;
      pending = WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>).then(
        (module) => {
          this.#modules.set(hash, module);
          this.#pending.delete(hash);
          return module;
        },
        (error: unknown) => {
          this.#pending.delete(hash);
          throw error;
        },
      );
      this.#pending.set(hash, pending);
    } else {
      this.#hits++;
    }
    return pending;
  }

  /** Synchronous `compile` (Node and workers; browsers refuse large synchronous compiles on the main thread). */
  compileSync(bytes: Uint8Array): WebAssembly.Module {
    const hash = this.hash(bytes);
    const cached = this.#modules.get(hash);
    if (cached !== undefined) {
      this.#hits++;
      return cached;
    }
    this.#compilations++;
    const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    this.#modules.set(hash, module);
    return module;
  }

  /** Forgets every engine. */
  clear(): void {
    this.#modules.clear();
    this.#pending.clear();
  }
}

/** The cache `link` uses unless given another. */
export const defaultEngineCache: EngineCache = new EngineCache();

/** Options of `link`. */
export interface LinkOptions {
  /** The import module name of the app's state; default: the manifest's, else `wasm-runtime:app`. */
  importModule?: string;
  /**
   * The manifest written by `split`: link then also checks that the engine's imports are the
   * manifest's and, for engine bytes, that their sha256 is the manifest's.
   */
  manifest?: SplitManifest;
  /** Where compiled engines are cached; `null` compiles every time. Default `defaultEngineCache`. */
  cache?: EngineCache | null;
  /**
   * For app bytes, build the app's memories and globals directly with the JS API
   * (`new WebAssembly.Memory`, copy the data segments, `new WebAssembly.Global`) instead of
   * compiling and instantiating the app module; same result. `'auto'` (the default) does so when
   * the app's data segments average 1 KiB or more, where it is faster (a synthetic 1 MiB app in
   * 16 segments: ~1.3x the floor against ~1.7x); a heap snapshot of tens of thousands of small
   * segments is faster through V8's native copy (the ~5,000-line Lua app: 50,000 segments).
   * `true` always tries, `false` never. Apps using anything the JS API cannot build exactly
   * (memory64, shared memories, custom page sizes, v128 or reference globals, non-plain
   * constants, out-of-bounds segments) are always instantiated as modules.
   */
  materializeApp?: boolean | 'auto';
}

/** The linked pair. */
export interface LinkedPair {
  /** The engine instance: call its exports, give its `memory` to the WASI host. */
  instance: WebAssembly.Instance;
  /** The app instance, or null when the app's state was materialized without instantiating it. */
  app: WebAssembly.Instance | null;
  /** What the engine imported from the app: its memories and globals by import name. */
  appExports: WebAssembly.Exports;
  /** The compiled engine (cached by sha256). */
  engineModule: WebAssembly.Module;
}

type ModuleInput = Uint8Array | WebAssembly.Module;

/** The app side, ready to give to the engine. */
interface AppSide {
  instance: WebAssembly.Instance | null;
  exports: WebAssembly.Exports;
  shape: readonly WebAssembly.ModuleExportDescriptor[];
}

/**
 * Instantiates the app module (or materializes its state, see `materializeApp`), then the
 * engine with the app's exports under the import module name plus the caller's `imports` (e.g.
 * `{ wasi_snapshot_preview1: wasi.imports }`; an entry of `imports` under the import module name
 * is replaced by the app's exports). Engine bytes are compiled once per sha256 through
 * the cache; a compiled engine `WebAssembly.Module` is used as given. Throws `PairMismatchError`
 * naming the item when the two do not fit.
 */
export async function link(
  engine: ModuleInput,
  app: ModuleInput,
  imports: WebAssembly.Imports = {},
  options: LinkOptions = {},
): Promise<LinkedPair> {
  const cache = engineCache(engine, options);
  const engineModule =
    engine instanceof WebAssembly.Module
      ? engine
      : cache === null
        ? await WebAssembly.compile(engine as Uint8Array<ArrayBuffer>)
        : await cache.compile(engine);
  const side =
    app instanceof WebAssembly.Module
      ? await instantiateAppAsync(app)
      : (appWithoutCompiling(app, options) ??
        (await instantiateAppAsync(await compileApp(app as Uint8Array<ArrayBuffer>))));
  const { importObject, importModule } = pairImports(engineModule, side, imports, options);
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(engineModule, importObject);
  } catch (error) {
    if (!(error instanceof RangeError)) throw linkFailure(error, engineModule, importModule);
    // Browsers refuse to instantiate a large module synchronously on the main thread (Chromium:
    // over 8 MB, a RangeError before anything runs); the asynchronous path has no such limit. No
    // guest code can have thrown it: split refuses modules with a start function.
    instance = await WebAssembly.instantiate(engineModule, importObject).catch((failure: unknown) => {
      throw linkFailure(failure, engineModule, importModule);
    });
  }
  return { instance, app: side.instance, appExports: side.exports, engineModule };
}

/** `instantiateApp`, falling back to asynchronous instantiation where browsers require it. */
async function instantiateAppAsync(module: WebAssembly.Module): Promise<AppSide> {
  try {
    return instantiateApp(module);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const instance = await WebAssembly.instantiate(module, {});
    return { instance, exports: instance.exports, shape: WebAssembly.Module.exports(module) };
  }
}

/**
 * Compiles app bytes synchronously where the platform allows it. An app module has no code, so
 * there is nothing for background compilation to do, and the asynchronous path only adds its
 * hand-offs: 7.3 ms against 5.9 ms for the ~5,000-line Lua app's 5 MB data module. Browsers
 * refuse synchronous compiles over 4 KiB on the main thread (a RangeError): then asynchronously.
 */
async function compileApp(bytes: Uint8Array<ArrayBuffer>): Promise<WebAssembly.Module> {
  try {
    return new WebAssembly.Module(bytes);
  } catch (error) {
    if (error instanceof RangeError) return WebAssembly.compile(bytes);
    throw error;
  }
}

/**
 * `link` without promises, for Node and workers: compiles with `new WebAssembly.Module`, which
 * browsers refuse on the main thread for modules over 4 KiB.
 */
export function linkSync(
  engine: ModuleInput,
  app: ModuleInput,
  imports: WebAssembly.Imports = {},
  options: LinkOptions = {},
): LinkedPair {
  const cache = engineCache(engine, options);
  const engineModule =
    engine instanceof WebAssembly.Module
      ? engine
      : cache === null
        ? new WebAssembly.Module(engine as Uint8Array<ArrayBuffer>)
        : cache.compileSync(engine);
  const side =
    appWithoutCompiling(app, options) ??
    instantiateApp(new WebAssembly.Module(app as Uint8Array<ArrayBuffer>));
  return instantiatePair(engineModule, side, imports, options);
}

/** The engine cache `options` ask for, after checking the engine against the manifest's hash. */
function engineCache(engine: ModuleInput, options: LinkOptions): EngineCache | null {
  const cache = options.cache === undefined ? defaultEngineCache : options.cache;
  checkManifestHash(engine, options, cache);
  return cache;
}

/**
 * The app side when no compile is needed: a compiled app instantiated, or app bytes materialized
 * with the JS API (see `materializeApp`); undefined when the bytes must be compiled.
 */
function appWithoutCompiling(app: ModuleInput, options: LinkOptions): AppSide | undefined {
  if (app instanceof WebAssembly.Module) return instantiateApp(app);
  const mode = options.materializeApp ?? 'auto';
  return mode === true || (mode === 'auto' && prefersMaterialize(app)) ? materializeApp(app) : undefined;
}

function checkManifestHash(engine: ModuleInput, options: LinkOptions, cache: EngineCache | null): void {
  const manifest = options.manifest;
  if (manifest !== undefined) checkSplitManifest(manifest);
  if (manifest === undefined || engine instanceof WebAssembly.Module) return;
  const hash = (cache ?? defaultEngineCache).hash(engine);
  if (hash !== manifest.engine.sha256) {
    throw new PairMismatchError(
      `the engine's sha256 is ${hash}, the manifest names engine ${manifest.engine.sha256} (${manifest.engine.file})`,
    );
  }
}

function instantiateApp(module: WebAssembly.Module): AppSide {
  const shape = WebAssembly.Module.exports(module);
  // An app module imports nothing: an import means this is not an app module (checked by the caller).
  if (WebAssembly.Module.imports(module).length > 0) {
    throw new PairMismatchError('the app module has imports, so it is not an app module split produced');
  }
  const instance = new WebAssembly.Instance(module, {});
  return { instance, exports: instance.exports, shape };
}

function instantiatePair(
  engineModule: WebAssembly.Module,
  app: AppSide,
  imports: WebAssembly.Imports,
  options: LinkOptions,
): LinkedPair {
  const { importObject, importModule } = pairImports(engineModule, app, imports, options);
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(engineModule, importObject);
  } catch (error) {
    throw linkFailure(error, engineModule, importModule);
  }
  return { instance, app: app.instance, appExports: app.exports, engineModule };
}

/** The engine's imports: the caller's, with the app's exports under the import module name. */
function pairImports(
  engineModule: WebAssembly.Module,
  app: AppSide,
  imports: WebAssembly.Imports,
  options: LinkOptions,
): { importObject: WebAssembly.Imports; importModule: string } {
  const importModule = options.importModule ?? options.manifest?.importModule ?? APP_IMPORT_MODULE;
  checkShapes(engineModule, app.shape, importModule, options.manifest);
  return { importObject: { ...imports, [importModule]: app.exports }, importModule };
}

/** What an engine's failed instantiation is: `PairMismatchError` when the app's side was refused. */
function linkFailure(error: unknown, engineModule: WebAssembly.Module, importModule: string): unknown {
  const item = error instanceof WebAssembly.LinkError ? failedImport(error, engineModule) : undefined;
  if (item?.module === importModule) {
    return new PairMismatchError(
      `the engine rejected the app's ${item.kind} "${item.name}": ${(error as Error).message}`,
      item.name,
      { cause: error },
    );
  }
  return error;
}

function checkShapes(
  engineModule: WebAssembly.Module,
  appShape: readonly WebAssembly.ModuleExportDescriptor[],
  importModule: string,
  manifest: SplitManifest | undefined,
): void {
  const wanted = WebAssembly.Module.imports(engineModule).filter((i) => i.module === importModule);
  const given = new Map(appShape.map((e) => [e.name, e.kind]));
  for (const imp of wanted) {
    const kind = given.get(imp.name);
    if (kind === undefined) {
      throw new PairMismatchError(
        `the engine imports ${imp.kind} "${imp.name}" from "${importModule}" but the app does not export it`,
        imp.name,
      );
    }
    if (kind !== imp.kind) {
      throw new PairMismatchError(
        `the engine imports "${imp.name}" as a ${imp.kind}, the app exports a ${kind}`,
        imp.name,
      );
    }
  }
  for (const name of given.keys()) {
    if (!wanted.some((i) => i.name === name)) {
      throw new PairMismatchError(
        `the app exports "${name}", which the engine does not import from "${importModule}"`,
        name,
      );
    }
  }
  if (manifest !== undefined) {
    const names = manifest.imports.map((i) => `${i.kind} ${i.name}`).join(', ');
    const actual = wanted.map((i) => `${i.kind} ${i.name}`).join(', ');
    if (names !== actual) {
      throw new PairMismatchError(`the engine imports [${actual}] but the manifest lists [${names}]`);
    }
  }
}

/** The import a V8 link error is about: it names it (`module="m" function="f"`) or gives its index. */
function failedImport(
  error: WebAssembly.LinkError,
  module: WebAssembly.Module,
): WebAssembly.ModuleImportDescriptor | undefined {
  const imports = WebAssembly.Module.imports(module);
  const named = /module="([^"]*)" function="([^"]*)"/.exec(error.message);
  if (named !== null) return imports.find((i) => i.module === named[1] && i.name === named[2]);
  const indexed = /import #?(\d+)/i.exec(error.message);
  return indexed === null ? undefined : imports[Number(indexed[1])];
}
