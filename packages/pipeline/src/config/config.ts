import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { globFilter } from '../build/glob.js';
import { describeInstalled, type ValidationIssue } from '../errors.js';
import { findRecipe, type LoadedRecipe, listInstalledRecipes, loadRecipeModule } from '../recipe/resolve.js';
import type { Recipe } from '../recipe/types.js';
import { validateRecipe } from '../recipe/validate.js';
import { describe, didYouMean, isObject, isStringArray, jsonErrorOffset, lineColumn } from '../validation.js';
import type { ConfigOverrides, ResolvedConfig, ValidationResult, WasmRuntimeConfig } from './types.js';

/** Config file names looked for in an app directory, in this order. */
export const CONFIG_FILES = [
  'wasm-runtime.config.json',
  'wasm-runtime.config.mjs',
  'wasm-runtime.config.js',
  'wasm-runtime.config.ts',
] as const;

/** Always left out of the staged files (the out directory is added when it is inside the root). */
export const BUILTIN_EXCLUDES = ['node_modules/**', '.git/**', 'wasm-runtime.config.*'] as const;

const KNOWN_KEYS = new Set([
  '$schema',
  'name',
  'lang',
  'recipe',
  'entry',
  'root',
  'out',
  'files',
  'init',
  'options',
  'component',
]);
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Gives a JS/TS config its types: `export default defineConfig({ lang: 'lua', entry: 'main.lua' })`.
 */
export function defineConfig(config: WasmRuntimeConfig): WasmRuntimeConfig {
  return config;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** Options of {@link resolveConfig} and {@link loadConfig}. */
export interface ResolveConfigOptions {
  /** Directory relative paths are resolved against; default `process.cwd()`. */
  baseDir?: string;
  /** The file the config came from, for messages. */
  configFile?: string | null;
  /** Flags that override the config. */
  overrides?: ConfigOverrides;
}

/**
 * Validates a config object and resolves it: paths made absolute, the recipe found (by `lang`
 * among the installed `@wasm-runtime/<lang>` packages, or the `recipe` module/object), defaults
 * applied, flags applied over it. Never throws for a bad config: every problem is an entry of
 * `errors` (`entry: expected a path to an existing file, got "src/mian.lua"`), and `value` is
 * set only when there is none.
 */
export async function resolveConfig(
  raw: unknown,
  options: ResolveConfigOptions = {},
): Promise<ValidationResult<ResolvedConfig>> {
  const errors: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  const bad = (path: string, expected: string, got: unknown): void => {
    errors.push({ path, message: `expected ${expected}, got ${describe(got)}` });
  };
  const baseDir = resolve(options.baseDir ?? process.cwd());
  if (!isObject(raw)) {
    bad('', 'a config object', raw);
    return { value: undefined, errors, warnings };
  }
  const o = options.overrides ?? {};
  const config: Record<string, unknown> = { ...raw };
  for (const key of ['lang', 'entry', 'out', 'name'] as const) {
    if (o[key] !== undefined) config[key] = o[key];
  }
  if (o.component !== undefined) config['component'] = o.component;
  if (o.lang !== undefined && raw['recipe'] !== undefined) {
    // --lang on the command line means "use that language's recipe", not the config's module.
    delete config['recipe'];
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key))
      errors.push({ path: key, message: `unknown key${didYouMean(key, KNOWN_KEYS)}` });
  }

  const rootRaw = config['root'] ?? '.';
  let root = baseDir;
  if (typeof rootRaw !== 'string') bad('root', 'a directory path', rootRaw);
  else {
    root = resolve(baseDir, rootRaw);
    if (!existsSync(root) || !statSync(root).isDirectory())
      bad('root', 'a path to an existing directory', rootRaw);
  }

  let loaded: LoadedRecipe | undefined;
  const lang = config['lang'];
  const recipeRaw = config['recipe'];
  if (recipeRaw !== undefined) {
    if (lang !== undefined)
      warnings.push({ path: 'lang', message: '"recipe" is set, so "lang" only has to match it' });
    if (typeof recipeRaw === 'string') {
      try {
        loaded = await loadRecipeModule(recipeRaw, { cwd: baseDir });
      } catch (error) {
        if (!isWasmRuntimeError(error)) throw error;
        errors.push({ path: 'recipe', message: error.message });
      }
    } else if (isObject(recipeRaw)) {
      const issues = validateRecipe(recipeRaw);
      for (const issue of issues) {
        errors.push({ path: issue.path === '' ? 'recipe' : `recipe.${issue.path}`, message: issue.message });
      }
      if (issues.length === 0) loaded = { recipe: recipeRaw as unknown as Recipe, module: '' };
    } else bad('recipe', 'a recipe module path or a recipe object', recipeRaw);
    if (loaded !== undefined && typeof lang === 'string' && lang !== loaded.recipe.language) {
      errors.push({
        path: 'lang',
        message: `"${lang}" does not match the recipe's language "${loaded.recipe.language}"`,
      });
    }
  } else if (lang === undefined) {
    const installed = await listInstalledRecipes({ cwd: baseDir });
    errors.push({
      path: 'lang',
      message: `expected a language (set "lang" in the config or pass --lang); ${describeInstalled(installed)}`,
    });
  } else if (typeof lang !== 'string') bad('lang', 'a language name such as "lua"', lang);
  else {
    try {
      loaded = await findRecipe(lang, { cwd: baseDir });
    } catch (error) {
      if (!isWasmRuntimeError(error)) throw error;
      errors.push({ path: 'lang', message: error.message });
    }
  }
  const recipe = loaded?.recipe;

  const nameRaw = config['name'];
  let name =
    basename(root)
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '') || 'app';
  if (nameRaw !== undefined) {
    if (typeof nameRaw !== 'string' || !NAME.test(nameRaw)) {
      bad('name', 'a file-name-safe name (letters, digits, ".", "_", "-")', nameRaw);
    } else name = nameRaw;
  }
  if (name.startsWith('engine-')) {
    errors.push({
      path: 'name',
      message: `"${name}" would clash with the engine file names (engine-<sha>.wasm)`,
    });
  }

  const outRaw = config['out'] ?? 'dist';
  let out = resolve(baseDir, 'dist');
  if (typeof outRaw !== 'string' || outRaw === '') bad('out', 'a directory path', outRaw);
  else {
    out = resolve(baseDir, outRaw);
    if (out === root || !relative(out, root).startsWith('..')) {
      errors.push({
        path: 'out',
        message: `"${outRaw}" would contain the app's own files: choose a directory inside or beside it`,
      });
    }
  }

  const files = config['files'];
  let include: string[] | undefined;
  const exclude: string[] = [...BUILTIN_EXCLUDES];
  const outInRoot = relative(root, out);
  if (!outInRoot.startsWith('..') && !isAbsolute(outInRoot) && outInRoot !== '')
    exclude.push(`${toPosix(outInRoot)}/**`);
  exclude.push(...(recipe?.defaults?.exclude ?? []));
  if (files !== undefined) {
    if (!isObject(files)) bad('files', 'an object { include?, exclude? }', files);
    else {
      for (const key of Object.keys(files)) {
        if (key !== 'include' && key !== 'exclude')
          errors.push({
            path: `files.${key}`,
            message: `unknown key${didYouMean(key, ['include', 'exclude'])}`,
          });
      }
      if (files['include'] !== undefined) {
        if (!isStringArray(files['include'])) bad('files.include', 'an array of globs', files['include']);
        else include = files['include'];
      }
      if (files['exclude'] !== undefined) {
        if (!isStringArray(files['exclude'])) bad('files.exclude', 'an array of globs', files['exclude']);
        else exclude.push(...files['exclude']);
      }
    }
  }
  include ??= [...(recipe?.defaults?.include ?? ['**'])];

  const entryRaw = config['entry'] ?? recipe?.defaults?.entry;
  let entry = '';
  if (entryRaw === undefined) {
    if (recipe !== undefined)
      errors.push({ path: 'entry', message: 'expected the app\'s entry file (set "entry" or pass --entry)' });
  } else if (typeof entryRaw !== 'string' || entryRaw === '')
    bad('entry', 'a path to the entry file', entryRaw);
  else {
    const abs = resolve(root, entryRaw);
    const rel = relative(root, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      errors.push({
        path: 'entry',
        message: `expected a file inside the app root ${root}, got "${entryRaw}"`,
      });
    } else if (!existsSync(abs) || !statSync(abs).isFile()) {
      errors.push({
        path: 'entry',
        message: `expected a path to an existing file, got "${entryRaw}" (looked for ${abs})`,
      });
    } else {
      entry = toPosix(rel);
      if (!globFilter(include, exclude)(entry)) {
        errors.push({
          path: 'entry',
          message: `"${entry}" is left out of the staged files by files.include/files.exclude`,
        });
      }
    }
  }

  const initRaw = config['init'];
  const init: ResolvedConfig['init'] = { env: {} };
  if (initRaw !== undefined) {
    if (!isObject(initRaw)) bad('init', 'an object { args?, env? }', initRaw);
    else {
      for (const key of Object.keys(initRaw)) {
        if (key !== 'args' && key !== 'env')
          errors.push({ path: `init.${key}`, message: `unknown key${didYouMean(key, ['args', 'env'])}` });
      }
      if (initRaw['args'] !== undefined) {
        if (!isStringArray(initRaw['args'])) bad('init.args', 'an array of strings', initRaw['args']);
        else init.args = initRaw['args'];
      }
      const env = initRaw['env'];
      if (env !== undefined) {
        if (!isObject(env)) bad('init.env', 'an object of strings', env);
        else
          for (const [key, value] of Object.entries(env)) {
            if (typeof value !== 'string') bad(`init.env.${key}`, 'a string', value);
            else init.env[key] = value;
          }
      }
    }
  }
  const optionsRaw = config['options'] ?? {};
  if (!isObject(optionsRaw)) bad('options', 'an object', optionsRaw);
  const component = config['component'] ?? false;
  if (typeof component !== 'boolean') bad('component', 'true or false', component);

  if (errors.length > 0 || recipe === undefined) return { value: undefined, errors, warnings };
  return {
    value: {
      name,
      root,
      entry,
      out,
      recipe,
      recipeModule: loaded?.module || null,
      include,
      exclude,
      init,
      options: isObject(optionsRaw) ? optionsRaw : {},
      component: component === true,
      configFile: options.configFile ?? null,
      baseDir,
    },
    errors,
    warnings,
  };
}

/** Finds the config file of an app directory (see {@link CONFIG_FILES}), or undefined. */
export function findConfigFile(dir: string): string | undefined {
  for (const name of CONFIG_FILES) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** ` at line 3, column 14` where a JSON text first goes wrong. */
function jsonWhere(text: string): string {
  const at = jsonErrorOffset(text);
  return at === undefined ? '' : ` at ${lineColumn(text, at)}`;
}

/**
 * Reads a config file. JSON is parsed; `.mjs`/`.js` are imported (default export, or `config`);
 * `.ts` is imported only where Node itself can import TypeScript (Node 22.6+ with type
 * stripping): elsewhere it is an error that says to use `.mjs`. Problems are returned, not thrown.
 */
export async function readConfigFile(file: string): Promise<{ raw: unknown; errors: ValidationIssue[] }> {
  if (file.endsWith('.json')) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      return {
        raw: undefined,
        errors: [{ path: '', message: `cannot read ${file}: ${(cause as Error).message}` }],
      };
    }
    try {
      return { raw: JSON.parse(text) as unknown, errors: [] };
    } catch (cause) {
      return {
        raw: undefined,
        errors: [
          { path: '', message: `${file} is not valid JSON${jsonWhere(text)}: ${(cause as Error).message}` },
        ],
      };
    }
  }
  try {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const raw = mod['default'] ?? mod['config'];
    if (raw === undefined) {
      return {
        raw,
        errors: [{ path: '', message: `${file} has no default export: export default defineConfig({...})` }],
      };
    }
    return { raw, errors: [] };
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const text = (cause as Error).message;
    const message =
      file.endsWith('.ts') && code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? `this Node (${process.version}) cannot import TypeScript configs: rename it to wasm-runtime.config.mjs (plain JavaScript), or use Node 22.6+ with --experimental-strip-types`
        : code === 'ERR_MODULE_NOT_FOUND' && text.includes("'@wasm-runtime/pipeline'")
          ? `importing ${file} failed: it imports @wasm-runtime/pipeline (for defineConfig), which is not installed beside it: \`npm install -D @wasm-runtime/pipeline\`, or drop the import and \`export default { ... }\` (defineConfig only adds types)`
          : `importing ${file} failed: ${text}`;
    return { raw: undefined, errors: [{ path: '', message }] };
  }
}

/**
 * Loads and resolves the config of an app: `target` is an app directory (its config file is
 * optional: flags alone can describe a build) or a config file. Never throws for a bad config.
 */
export async function loadConfig(
  target: string,
  options: { overrides?: ConfigOverrides } = {},
): Promise<ValidationResult<ResolvedConfig> & { configFile: string | null }> {
  const abs = resolve(target);
  const isDir = existsSync(abs) && statSync(abs).isDirectory();
  if (!isDir && !existsSync(abs)) {
    return {
      value: undefined,
      errors: [{ path: '', message: `${target} does not exist: give an app directory or a config file` }],
      warnings: [],
      configFile: null,
    };
  }
  const configFile = isDir ? (findConfigFile(abs) ?? null) : abs;
  const baseDir = isDir ? abs : dirname(abs);
  let raw: unknown = {};
  if (configFile !== null) {
    const read = await readConfigFile(configFile);
    if (read.errors.length > 0) return { value: undefined, errors: read.errors, warnings: [], configFile };
    raw = read.raw;
  }
  const result = await resolveConfig(raw, {
    baseDir,
    configFile,
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
  });
  return { ...result, configFile };
}
