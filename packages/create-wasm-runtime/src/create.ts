import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import validateName from 'validate-npm-package-name';
import { DirNotEmptyError, InvalidNameError, NotADirectoryError, UnknownTemplateError } from './errors.js';
import { listTemplates, type Template } from './templates.js';

/** What to create; also the programmatic API of `create-wasm-runtime`. */
export interface CreateOptions {
  /** The directory to create the app in (relative to the current directory). */
  dir: string;
  /** The template's name (`lua`...). */
  template: string;
  /** The package name; default: the directory's name. Must be a valid npm package name. */
  name?: string | undefined;
  /** Replace the contents of a non-empty directory (a `.git` directory is kept). */
  overwrite?: boolean | undefined;
  /** Where the templates are; default: the ones this package ships. */
  templatesDir?: string | undefined;
  /** The version of the wasm-runtime packages the app depends on; default: this package's version. */
  version?: string | undefined;
}

/** What `createApp` wrote. */
export interface CreateResult {
  /** The app's directory, absolute. */
  dir: string;
  /** Its package name. */
  name: string;
  template: string;
  /** The files written, relative to `dir`, sorted. */
  files: string[];
}

const FILES = fileURLToPath(new URL('../files/', import.meta.url));
const SKIP = new Set(['node_modules', 'dist', '.turbo']);

/** This package's version: the version of the wasm-runtime packages a new app depends on. */
export function ownVersion(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

/**
 * Throws `InvalidNameError` unless `name` is valid for a new npm package. `fromDir`: the name was
 * taken from the directory (the message then says how to give another).
 */
export function checkName(name: string, fromDir = false): void {
  const r = validateName(name);
  if (!r.validForNewPackages)
    throw new InvalidNameError(name, [...(r.errors ?? []), ...(r.warnings ?? [])], fromDir);
}

/**
 * Writes a new app from a template: package.json (scripts build/start/test, the wasm-runtime
 * packages at `version`), the template's config and sources, a test, a README, .gitignore and a CI
 * workflow. Everything is written into a staging directory beside the target first and moved in at
 * the end, so a failure leaves no half-written app.
 */
export async function createApp(options: CreateOptions): Promise<CreateResult> {
  const templates = await listTemplates(options.templatesDir);
  const template = templates.find((t) => t.name === options.template);
  if (template === undefined)
    throw new UnknownTemplateError(
      options.template,
      templates.map((t) => t.name),
    );
  const dir = resolve(options.dir);
  const name = options.name ?? basename(dir);
  checkName(name, options.name === undefined);
  await checkTarget(dir, options.dir, options.overwrite === true);

  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(join(parent, `.${basename(dir)}-create-`));
  try {
    const files = await writeApp(staging, template, name, options.version ?? ownVersion());
    if (existsSync(dir)) {
      for (const entry of await readdir(dir))
        if (entry !== '.git') await rm(join(dir, entry), { recursive: true });
      for (const entry of await readdir(staging)) await rename(join(staging, entry), join(dir, entry));
      await rm(staging, { recursive: true });
    } else await rename(staging, dir);
    return { dir, name, template: template.name, files: files.sort() };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function checkTarget(dir: string, given: string, overwrite: boolean): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) return;
  if (!info.isDirectory()) throw new NotADirectoryError(given);
  const entries = (await readdir(dir)).filter((e) => e !== '.git');
  if (entries.length > 0 && !overwrite) throw new DirNotEmptyError(given);
}

async function writeApp(out: string, template: Template, name: string, version: string): Promise<string[]> {
  const written: string[] = [];
  const put = async (path: string, data: string | Buffer) => {
    await mkdir(dirname(join(out, path)), { recursive: true });
    await writeFile(join(out, path), data);
    written.push(path);
  };
  const jsonConfig = join(template.dir, 'wasm-runtime.config.json');
  const config = existsSync(jsonConfig)
    ? (JSON.parse(await readFile(jsonConfig, 'utf8')) as { $schema?: unknown })
    : {};
  for (const path of await walk(template.dir)) {
    if (path === 'package.json') continue;
    const target = basename(path) === '_gitignore' ? join(dirname(path), '.gitignore') : path;
    await put(target, await readFile(join(template.dir, path)));
  }
  await put(
    'package.json',
    `${JSON.stringify(await packageJson(template, name, version, config.$schema), null, 2)}\n`,
  );
  if (!written.some((p) => p.startsWith('test/')))
    await put('test/app.test.js', await readFile(join(FILES, 'app.test.js')));
  if (!written.includes('.gitignore')) await put('.gitignore', 'node_modules/\ndist/\n');
  await put('.github/workflows/wasm-runtime.yml', await readFile(join(FILES, 'workflow.yml')));
  return written;
}

/** Every file under `root`, relative, skipping build output and installed packages. */
async function walk(root: string, sub = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, sub), { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = sub === '' ? entry.name : `${sub}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await walk(root, path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

interface TemplatePackage {
  description?: string;
  type?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * The app's package.json: the template's dependencies on wasm-runtime packages at `^version`
 * (plus the package that the config's `$schema` points into, so it resolves after install), and
 * the scripts every app has.
 */
async function packageJson(template: Template, name: string, version: string, schema: unknown) {
  const path = join(template.dir, 'package.json');
  const tpl: TemplatePackage = existsSync(path)
    ? (JSON.parse(await readFile(path, 'utf8')) as TemplatePackage)
    : {};
  const pin = (deps: Record<string, string> | undefined) =>
    Object.fromEntries(
      Object.entries(deps ?? {}).map(([dep, range]) => [
        dep,
        dep.startsWith('@wasm-runtime/') ? `^${version}` : range,
      ]),
    );
  const devDependencies = pin(tpl.devDependencies);
  const schemaPackage =
    typeof schema === 'string' ? /^\.\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(schema)?.[1] : undefined;
  if (schemaPackage !== undefined && tpl.dependencies?.[schemaPackage] === undefined)
    devDependencies[schemaPackage] = schemaPackage.startsWith('@wasm-runtime/') ? `^${version}` : 'latest';
  const sorted = (deps: Record<string, string>) =>
    Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
  return {
    name,
    version: '0.1.0',
    private: true,
    ...(tpl.description === undefined ? {} : { description: tpl.description }),
    type: tpl.type ?? 'module',
    scripts: {
      build: 'wasm-runtime build',
      start: tpl.scripts?.['start'] ?? 'wasm-runtime run dist',
      test: 'node --test',
    },
    engines: { node: '>=20.19' },
    ...(tpl.dependencies === undefined ? {} : { dependencies: sorted(pin(tpl.dependencies)) }),
    devDependencies: sorted(devDependencies),
  };
}

/** The path to show for `dir` in the next steps: relative to the current directory when inside it. */
export function displayDir(dir: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, dir);
  return rel === '' ? '.' : rel.startsWith('..') ? dir : rel;
}
