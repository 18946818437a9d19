import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recipe } from '../recipe/types.js';
import { defineConfig, loadConfig, resolveConfig } from './config.js';

const recipe: Recipe = {
  language: 'toy',
  runtime: { name: 'toy', version: '1' },
  source: { kind: 'file', path: 'toy.wasm' },
  entry: { kind: 'command' },
  defaults: { entry: 'main.toy', include: ['**/*.toy'], exclude: ['skip/**'] },
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasm-runtime-config-'));
  await mkdir(join(dir, 'app', 'src'), { recursive: true });
  await writeFile(join(dir, 'app', 'main.toy'), 'x');
  await writeFile(join(dir, 'app', 'src', 'main.lua'), 'x');
  await writeFile(join(dir, 'app', 'src', 'other.toy'), 'x');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveConfig', () => {
  it('applies the recipe defaults and resolves paths', async () => {
    const { value, errors, warnings } = await resolveConfig({ recipe, root: 'app' }, { baseDir: dir });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(value).toMatchObject({
      name: 'app',
      root: join(dir, 'app'),
      entry: 'main.toy',
      out: join(dir, 'dist'),
      include: ['**/*.toy'],
      recipeModule: null,
    });
    expect(value!.exclude).toEqual(['node_modules/**', '.git/**', 'wasm-runtime.config.*', 'skip/**']);
  });

  it('reports every error with its dot path instead of throwing', async () => {
    const { value, errors, warnings } = await resolveConfig(
      {
        recipe,
        root: 'app',
        entry: 'src/mian.lua',
        name: 'no spaces please',
        files: { include: 'all', exclude: [1] },
        init: { args: 'x', env: { HOME: 3, OK: 'yes' } },
        colour: 'blue',
      },
      { baseDir: dir },
    );
    expect(value).toBeUndefined();
    const lines = errors.map((e) => `${e.path}: ${e.message}`);
    expect(lines).toEqual([
      'colour: unknown key',
      'name: expected a file-name-safe name (letters, digits, ".", "_", "-"), got "no spaces please"',
      'files.include: expected an array of globs, got "all"',
      'files.exclude: expected an array of globs, got an array',
      expect.stringMatching(
        /^entry: expected a path to an existing file, got "src\/mian.lua" \(looked for .*src\/mian.lua\)$/,
      ),
      'init.args: expected an array of strings, got "x"',
      'init.env.HOME: expected a string, got number 3',
    ]);
    expect(warnings).toEqual([]);
  });

  it('an unknown key is an error that suggests the key meant', async () => {
    const { value, errors } = await resolveConfig(
      { recipe, root: 'app', outdir: 'build', files: { includes: ['**/*.toy'] }, init: { envs: {} } },
      { baseDir: dir },
    );
    expect(value).toBeUndefined();
    expect(errors).toEqual([
      { path: 'outdir', message: 'unknown key; did you mean "out"?' },
      { path: 'files.includes', message: 'unknown key; did you mean "include"?' },
      { path: 'init.envs', message: 'unknown key; did you mean "env"?' },
    ]);
  });

  it('flags override the config', async () => {
    const { value } = await resolveConfig(
      { recipe, root: 'app', name: 'a', out: 'dist' },
      { baseDir: dir, overrides: { name: 'b', out: 'build/out', entry: 'src/other.toy' } },
    );
    expect(value).toMatchObject({ name: 'b', out: join(dir, 'build/out'), entry: 'src/other.toy' });
  });

  it('an entry left out by the globs, escaping the root, or an out dir over the app are errors', async () => {
    const excluded = await resolveConfig(
      { recipe, root: 'app', entry: 'src/main.lua', files: { include: ['*.toy'] } },
      { baseDir: dir },
    );
    expect(excluded.errors.map((e) => e.message)).toEqual([
      '"src/main.lua" is left out of the staged files by files.include/files.exclude',
    ]);
    const escaping = await resolveConfig(
      { recipe, root: 'app', entry: '../elsewhere.toy' },
      { baseDir: dir },
    );
    expect(escaping.errors[0]).toMatchObject({
      path: 'entry',
      message: expect.stringContaining('inside the app root'),
    });
    const over = await resolveConfig({ recipe, root: 'app', out: '.' }, { baseDir: dir });
    expect(over.errors[0]).toMatchObject({ path: 'out' });
  });

  it('a missing language lists the installed recipes; a bad recipe object is reported by path', async () => {
    const none = await resolveConfig({}, { baseDir: dir });
    expect(none.errors).toEqual([
      {
        path: 'lang',
        message: expect.stringMatching(
          /^expected a language .*; (no recipe is installed|installed recipes: )/,
        ),
      },
    ]);
    const bad = await resolveConfig({ recipe: { ...recipe, entry: { kind: 'main' } } }, { baseDir: dir });
    expect(bad.errors).toEqual([
      { path: 'recipe.entry.kind', message: 'expected "command" or "export", got "main"' },
    ]);
  });
});

describe('loadConfig', () => {
  it('reads JSON and .mjs configs; a broken JSON file is an error, not an exception', async () => {
    const json = join(dir, 'json-app');
    await mkdir(json);
    await writeFile(join(json, 'main.toy'), 'x');
    await writeFile(join(json, 'toy.mjs'), `export const recipe = ${JSON.stringify(recipe)};`);
    await writeFile(
      join(json, 'wasm-runtime.config.json'),
      JSON.stringify({ recipe: './toy.mjs', name: 'j' }),
    );
    const loaded = await loadConfig(json);
    expect(loaded.errors).toEqual([]);
    expect(loaded.configFile).toBe(join(json, 'wasm-runtime.config.json'));
    expect(loaded.value?.name).toBe('j');

    const mjs = join(dir, 'mjs-app');
    await mkdir(mjs);
    await writeFile(join(mjs, 'main.toy'), 'x');
    await writeFile(
      join(mjs, 'wasm-runtime.config.mjs'),
      `export default { recipe: ${JSON.stringify(recipe)}, name: 'm' };`,
    );
    expect((await loadConfig(mjs)).value?.name).toBe('m');

    await writeFile(join(json, 'wasm-runtime.config.json'), '{ "name": ');
    const broken = await loadConfig(json);
    expect(broken.value).toBeUndefined();
    expect(broken.errors[0]!.message).toMatch(/is not valid JSON at line 1, column 11: /);
    await writeFile(join(json, 'wasm-runtime.config.json'), '{\n  "name": "a",\n}\n');
    expect((await loadConfig(json)).errors[0]!.message).toMatch(/is not valid JSON at line 3, column 1: /);
    expect((await loadConfig(join(dir, 'missing'))).errors[0]!.message).toMatch(/does not exist/);
  });

  it('a .ts config is imported only where Node can import TypeScript, else it says to use .mjs', async () => {
    const ts = join(dir, 'ts-app');
    await mkdir(ts);
    await writeFile(join(ts, 'main.toy'), 'x');
    await writeFile(
      join(ts, 'wasm-runtime.config.ts'),
      `const name: string = 't';\nexport default { recipe: ${JSON.stringify(recipe)}, name };\n`,
    );
    // In a child process: vitest would transpile the import itself, plain Node may not.
    const script = `import { loadConfig } from '@wasm-runtime/pipeline'; const r = await loadConfig(${JSON.stringify(ts)}); console.log(JSON.stringify({ name: r.value?.name, errors: r.errors }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    const result = JSON.parse(stdout) as { name?: string; errors: Array<{ message: string }> };
    if (result.name !== undefined) expect(result).toEqual({ name: 't', errors: [] });
    else {
      expect(result.errors[0]!.message).toMatch(
        /cannot import TypeScript configs: rename it to wasm-runtime\.config\.mjs/,
      );
    }
  });

  it('a config importing defineConfig where the package is not installed says how to fix it', async () => {
    const app = join(dir, 'no-pipeline-app');
    await mkdir(app);
    await writeFile(join(app, 'main.toy'), 'x');
    await writeFile(
      join(app, 'wasm-runtime.config.mjs'),
      "import { defineConfig } from '@wasm-runtime/pipeline';\nexport default defineConfig({ lang: 'lua' });\n",
    );
    // In a child process, so Node's own resolver looks for the package beside the config.
    const script = `import { loadConfig } from '@wasm-runtime/pipeline'; const r = await loadConfig(${JSON.stringify(app)}); console.log(JSON.stringify(r.errors));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    const errors = JSON.parse(stdout) as Array<{ message: string }>;
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(
      /imports @wasm-runtime\/pipeline \(for defineConfig\), which is not installed beside it: `npm install -D @wasm-runtime\/pipeline`/,
    );
  });

  it('defineConfig returns its argument', () => {
    const config = { lang: 'lua' };
    expect(defineConfig(config)).toBe(config);
  });
});
