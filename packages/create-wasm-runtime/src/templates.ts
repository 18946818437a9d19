import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A starter app the scaffolder can write. */
export interface Template {
  /** The name given to `--template` (the directory's name: `lua`, `python`...). */
  name: string;
  /** One line saying what it is (its package.json `description`). */
  description: string;
  /** Where its files are. */
  dir: string;
}

/** True when `dir` holds a wasm-runtime config, as `wasm-runtime build` looks for one. */
export function hasConfig(dir: string): boolean {
  return CONFIG_FILES.some((name) => existsSync(join(dir, name)));
}

const CONFIG_FILES = ['wasm-runtime.config.json', 'wasm-runtime.config.mjs'];

/** The templates shipped with this package (copied from the repository's templates/ at build time). */
export function defaultTemplatesDir(): string {
  return fileURLToPath(new URL('../templates/', import.meta.url));
}

/**
 * Every template under `root`: each directory holding a `wasm-runtime.config.json` (or `.mjs`),
 * sorted by name. Nothing is hard-coded: a template added to the repository is offered once built.
 */
export async function listTemplates(root: string = defaultTemplatesDir()): Promise<Template[]> {
  if (!existsSync(root)) return [];
  const templates: Template[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const dir = join(root, entry.name);
    if (!entry.isDirectory() || !hasConfig(dir)) continue;
    let description = '';
    try {
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { description?: unknown };
      if (typeof pkg.description === 'string') description = pkg.description;
    } catch {
      // A template without a package.json still scaffolds; it just has no description.
    }
    templates.push({ name: entry.name, description, dir });
  }
  return templates.sort((a, b) => a.name.localeCompare(b.name));
}
