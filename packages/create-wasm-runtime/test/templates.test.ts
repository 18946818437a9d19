import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packWorkspaces, REPO, withInternalDeps } from './pack.js';

// Every other template the way lua-app.test.ts takes the Lua one (which also checks what it
// prints): scaffolded by the packed scaffolder, installed from packed tarballs, built, started
// and tested with its own npm scripts. Runtime artifacts come from the repository's mirror.

const MINUTES = 60_000;
const templates = (await readdir(join(REPO, 'templates'), { withFileTypes: true }))
  .filter(
    (e) => e.isDirectory() && e.name !== 'lua' && existsSync(join(REPO, 'templates', e.name, 'package.json')),
  )
  .map((e) => e.name)
  .sort();

let scratch: string;
let packs: Map<string, string>;
const env = {
  WASM_RUNTIME_MIRROR: process.env['WASM_RUNTIME_MIRROR'] || join(REPO, '.cache', 'mirror'),
  ...(process.env['WASM_RUNTIME_CACHE'] ? { WASM_RUNTIME_CACHE: process.env['WASM_RUNTIME_CACHE'] } : {}),
  NO_COLOR: '1',
};
const npm = (args: string[], cwd: string) =>
  execa('npm', [...args, '--no-audit', '--no-fund'], { cwd, reject: false, stdin: 'ignore', env });

/** The template's recipe: its wasm-runtime dependency other than the CLI. */
async function recipeOf(template: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(REPO, 'templates', template, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
    dependencies?: Record<string, string>;
  };
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  const recipe = deps.find((d) => d.startsWith('@wasm-runtime/') && d !== '@wasm-runtime/cli');
  if (recipe === undefined) throw new Error(`templates/${template} depends on no recipe`);
  return recipe;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'create-templates-e2e-'));
  await mkdir(join(scratch, 'packs'));
  const recipes = await Promise.all(templates.map(recipeOf));
  packs = packWorkspaces(
    withInternalDeps(['create-wasm-runtime', '@wasm-runtime/cli', ...recipes]),
    join(scratch, 'packs'),
  );
  const tools = join(scratch, 'tools');
  await mkdir(tools);
  await execa('npm', ['init', '-y'], { cwd: tools });
  const r = await npm(
    ['install', packs.get('create-wasm-runtime')!, packs.get('@wasm-runtime/errors')!],
    tools,
  );
  if (r.exitCode !== 0) throw new Error(r.stderr);
}, 10 * MINUTES);

afterAll(async () => {
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

describe.each(templates)('the %s template, from packed tarballs', (template) => {
  it(
    'scaffolds, installs, builds, starts and passes its test',
    async () => {
      const app = join(scratch, `${template}-app`);
      const created = await execa('npx', ['create-wasm-runtime', app, '--template', template], {
        cwd: join(scratch, 'tools'),
        stdin: 'ignore',
        reject: false,
      });
      expect(created.exitCode, created.stderr).toBe(0);
      const needed = withInternalDeps(['@wasm-runtime/cli', await recipeOf(template)]).map(
        (n) => packs.get(n)!,
      );
      const install = await npm(['install', ...needed], app);
      expect(install.exitCode, install.stderr).toBe(0);
      const build = await npm(['run', 'build'], app);
      expect(build.exitCode, `${build.stdout}\n${build.stderr}`).toBe(0);
      const start = await npm(['start', '--silent', '--', 'Ada'], app);
      expect(start.exitCode, start.stderr).toBe(0);
      const test = await npm(['test'], app);
      expect(test.exitCode, `${test.stdout}\n${test.stderr}`).toBe(0);
      expect(test.stdout).toMatch(/# fail 0/);
    },
    15 * MINUTES,
  );
});
