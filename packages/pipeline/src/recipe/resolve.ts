import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidRecipeError, UnknownLanguageError } from '../errors.js';
import type { Recipe } from './types.js';
import { validateRecipe } from './validate.js';

/** The scope recipe packages are published under: `@wasm-runtime/<language>`. */
export const RECIPE_SCOPE = '@wasm-runtime';

// Packages of the project that are libraries, not recipes: never imported when listing.
const NOT_RECIPES = new Set([
  'cli',
  'errors',
  'pipeline',
  'preinit',
  'split',
  'wasi',
  'wasm',
  'action',
  'test-support',
]);

/** A recipe and where it was loaded from. */
export interface LoadedRecipe {
  recipe: Recipe;
  /**
   * How to load it again: a package specifier (`@wasm-runtime/lua`) or a `file:` URL. Recorded in
   * the manifest so `runDist` can run the recipe's post-restore hook.
   */
  module: string;
}

/** Where recipes are looked up. */
export interface RecipeLookupOptions {
  /** Directory whose `node_modules` (and its ancestors') are searched first; default `process.cwd()`. */
  cwd?: string;
}

function isPathLike(specifier: string): boolean {
  return specifier.startsWith('.') || isAbsolute(specifier) || specifier.startsWith('file:');
}

/** Resolves a recipe module specifier: a path (relative to `fromDir`), a `file:` URL, or a package. */
export function resolveRecipeModule(specifier: string, fromDir: string): string | undefined {
  if (specifier.startsWith('file:')) return existsSync(fileURLToPath(specifier)) ? specifier : undefined;
  if (isPathLike(specifier)) {
    const path = resolve(fromDir, specifier);
    return existsSync(path) ? pathToFileURL(path).href : undefined;
  }
  for (const base of [join(fromDir, 'noop.js'), fileURLToPath(import.meta.url)]) {
    try {
      return pathToFileURL(createRequire(base).resolve(specifier)).href;
    } catch {
      // not resolvable from here; try the next base
    }
  }
  return undefined;
}

async function importRecipe(url: string, label: string): Promise<Recipe> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (cause) {
    throw new InvalidRecipeError(
      label,
      [{ path: '', message: `importing it failed: ${(cause as Error).message}` }],
      {
        cause,
      },
    );
  }
  const recipe = mod['recipe'] ?? mod['default'];
  const issues = validateRecipe(recipe);
  if (recipe === undefined) {
    throw new InvalidRecipeError(label, [
      { path: 'recipe', message: 'the module exports no `recipe` (nor a default export)' },
    ]);
  }
  if (issues.length > 0) throw new InvalidRecipeError(label, issues);
  return recipe as Recipe;
}

/**
 * Loads a recipe from a module: a path (relative to `cwd`), a `file:` URL or a package specifier.
 * The module exports `recipe` (or a default export). Throws `InvalidRecipeError` when the module
 * is missing or its recipe is not valid.
 */
export async function loadRecipeModule(
  specifier: string,
  options: RecipeLookupOptions = {},
): Promise<LoadedRecipe> {
  const cwd = options.cwd ?? process.cwd();
  const url = resolveRecipeModule(specifier, cwd);
  if (url === undefined) {
    throw new InvalidRecipeError(specifier, [
      {
        path: '',
        message: `no such module (looked for it from ${cwd}); check the path or install the package`,
      },
    ]);
  }
  const recipe = await importRecipe(url, specifier);
  return { recipe, module: isPathLike(specifier) ? url : specifier };
}

/**
 * Finds the recipe of a language: the installed package `@wasm-runtime/<language>` (from `cwd`
 * upward, then beside this package). Throws `UnknownLanguageError` listing the installed recipes.
 */
export async function findRecipe(language: string, options: RecipeLookupOptions = {}): Promise<LoadedRecipe> {
  const cwd = options.cwd ?? process.cwd();
  const specifier = `${RECIPE_SCOPE}/${language}`;
  const url =
    /^[a-z][a-z0-9-]*$/.test(language) && !NOT_RECIPES.has(language)
      ? resolveRecipeModule(specifier, cwd)
      : undefined;
  if (url === undefined) throw new UnknownLanguageError(language, await listInstalledRecipes(options));
  const recipe = await importRecipe(url, specifier);
  if (recipe.language !== language) {
    throw new InvalidRecipeError(specifier, [
      { path: 'language', message: `expected "${language}" (the package name), got "${recipe.language}"` },
    ]);
  }
  return { recipe, module: specifier };
}

function nodeModulesDirs(from: string): string[] {
  const dirs: string[] = [];
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    dirs.push(join(dir, 'node_modules', RECIPE_SCOPE));
    if (dirname(dir) === dir) break;
  }
  return dirs;
}

/**
 * The languages whose recipe packages are installed (`@wasm-runtime/<language>` exporting a valid
 * `recipe`), searched from `cwd` upward and beside this package; sorted.
 */
export async function listInstalledRecipes(options: RecipeLookupOptions = {}): Promise<string[]> {
  const cwd = options.cwd ?? process.cwd();
  const found = new Set<string>();
  const tried = new Set<string>();
  for (const scopeDir of [...nodeModulesDirs(cwd), ...nodeModulesDirs(fileURLToPath(import.meta.url))]) {
    const names = await readdir(scopeDir).catch(() => [] as string[]);
    for (const name of names) {
      if (NOT_RECIPES.has(name) || tried.has(name) || !/^[a-z][a-z0-9-]*$/.test(name)) continue;
      tried.add(name);
      const url = resolveRecipeModule(`${RECIPE_SCOPE}/${name}`, dirname(dirname(scopeDir)));
      if (url === undefined) continue;
      try {
        const recipe = await importRecipe(url, name);
        if (recipe.language === name) found.add(name);
      } catch {
        // A package of the scope that is not (yet) a recipe is simply not listed.
      }
    }
  }
  return [...found].sort();
}
