import type { ValidationIssue } from '../errors.js';
import type { Recipe } from '../recipe/types.js';

/**
 * A build config as the user writes it: `wasm-runtime.config.json` (schema:
 * `@wasm-runtime/pipeline/config.schema.json`), or `wasm-runtime.config.mjs` / `.js` / `.ts`
 * exporting `defineConfig({...})` as default. Paths are relative to the config file's directory.
 */
export interface WasmRuntimeConfig {
  /** The app's name: names `<name>.wasm` and `<name>.data.wasm`. Default: the app directory's name. */
  name?: string;
  /** The language, whose recipe is the installed package `@wasm-runtime/<lang>`. */
  lang?: string;
  /**
   * A recipe module (path relative to the config, or a package specifier) or, in a JS config, a
   * recipe object. Takes the place of `lang`'s lookup.
   */
  recipe?: string | Recipe;
  /** The app's entry file, relative to `root`. Default: the recipe's (`main.lua`). */
  entry?: string;
  /** The app's root directory, relative to the config. Default `.`. */
  root?: string;
  /** The output directory, relative to the config. Default `dist`. */
  out?: string;
  /** Which files of `root` are staged. */
  files?: {
    /** Default: the recipe's `defaults.include`, else every file. */
    include?: string[];
    /** Added to the built-in excludes (`node_modules/**`, `.git/**`, the out dir, config files). */
    exclude?: string[];
  };
  /** Extra init settings, merged over the recipe's: args replace, env is merged. */
  init?: {
    args?: string[];
    env?: Record<string, string>;
  };
  /** Recipe-specific options, passed to the recipe's `init` function. */
  options?: Record<string, unknown>;
  /**
   * Also emit `<name>.component.wasm`, a WASI 0.2 command component of the app (for Wasmtime,
   * `jco run` and other component hosts). Default false.
   */
  component?: boolean;
}

/** Command-line flags that override a config (`--lang`, `--entry`, `--out`, `--name`, `--component`). */
export interface ConfigOverrides {
  lang?: string | undefined;
  entry?: string | undefined;
  out?: string | undefined;
  name?: string | undefined;
  component?: boolean | undefined;
}

/** A validated config with everything resolved: absolute paths, the recipe loaded. */
export interface ResolvedConfig {
  name: string;
  /** Absolute app root. */
  root: string;
  /** Entry file relative to `root`, `/`-separated. */
  entry: string;
  /** Absolute output directory. */
  out: string;
  recipe: Recipe;
  /** How to load the recipe again (package specifier or `file:` URL); null for an inline object. */
  recipeModule: string | null;
  include: string[];
  exclude: string[];
  init: { args?: string[]; env: Record<string, string> };
  options: Record<string, unknown>;
  /** Whether the build also emits a WASI 0.2 command component. */
  component: boolean;
  /** The config file it came from, or null. */
  configFile: string | null;
  /** The directory relative paths were resolved against. */
  baseDir: string;
}

/** What validation returns: never throws for a bad config; `value` is set only without errors. */
export interface ValidationResult<T> {
  value: T | undefined;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}
