import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkName, createApp } from './create.js';
import { listTemplates } from './templates.js';

const REPO_TEMPLATES = fileURLToPath(new URL('../../../templates/', import.meta.url));

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'create-app-'));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('listTemplates', () => {
  it('offers every directory of the repository templates/ that has a config, and ships them all', async () => {
    const inRepo = (await readdir(REPO_TEMPLATES, { withFileTypes: true }))
      .filter(
        (e) =>
          e.isDirectory() &&
          ['json', 'mjs'].some((ext) =>
            existsSync(join(REPO_TEMPLATES, e.name, `wasm-runtime.config.${ext}`)),
          ),
      )
      .map((e) => e.name)
      .sort();
    expect(inRepo).toContain('lua');
    expect((await listTemplates()).map((t) => t.name)).toEqual(inRepo);
  });

  it('discovers templates from the directory, not from a list', async () => {
    await mkdir(join(scratch, 'zig'));
    await writeFile(join(scratch, 'zig', 'wasm-runtime.config.json'), '{}');
    await mkdir(join(scratch, 'ada'));
    await writeFile(join(scratch, 'ada', 'wasm-runtime.config.mjs'), 'export default {};');
    await mkdir(join(scratch, 'not-a-template'));
    expect((await listTemplates(scratch)).map((t) => t.name)).toEqual(['ada', 'zig']);
  });
});

describe('checkName', () => {
  it('accepts npm package names and refuses the rest with npm’s reasons', () => {
    for (const ok of ['my-app', '@me/my-app', 'a.b_c']) expect(() => checkName(ok)).not.toThrow();
    expect(() => checkName('My-App')).toThrow(/capital letters/);
    expect(() => checkName('.hidden')).toThrow(/period/);
    expect(() => checkName('node_modules')).toThrow(/not a valid package name/);
    expect(() => checkName('a'.repeat(215))).toThrow(/214/);
  });
});

describe('createApp', () => {
  it('writes the app: package.json with the three scripts and pinned packages, config, sources, test, .gitignore, workflow', async () => {
    const dir = join(scratch, 'my-app');
    const r = await createApp({ dir, template: 'lua', version: '1.2.3' });
    expect(r.name).toBe('my-app');
    expect(r.files).toEqual([
      '.github/workflows/wasm-runtime.yml',
      '.gitignore',
      'README.md',
      'package.json',
      'src/main.lua',
      'src/quotes.lua',
      'test/app.test.js',
      'wasm-runtime.config.json',
    ]);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('my-app');
    expect(pkg.scripts).toEqual({
      build: 'wasm-runtime build',
      start: 'wasm-runtime run dist',
      test: 'node --test',
    });
    // The config's $schema points into @wasm-runtime/pipeline, so the app depends on it too.
    expect(pkg.devDependencies).toEqual({
      '@wasm-runtime/cli': '^1.2.3',
      '@wasm-runtime/lua': '^1.2.3',
      '@wasm-runtime/pipeline': '^1.2.3',
    });
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toContain('dist/');
    expect(await readFile(join(dir, '.github/workflows/wasm-runtime.yml'), 'utf8')).toContain(
      'packages/action@',
    );
    expect(await readdir(scratch)).toEqual(['my-app']);
  });

  it('refuses a non-empty directory and leaves it as it was; --overwrite replaces it but keeps .git', async () => {
    const dir = join(scratch, 'app');
    await mkdir(join(dir, '.git'), { recursive: true });
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(createApp({ dir, template: 'lua' })).rejects.toMatchObject({
      code: 'ERR_CREATE_DIR_NOT_EMPTY',
    });
    expect((await readdir(dir)).sort()).toEqual(['.git', 'notes.txt']);
    await createApp({ dir, template: 'lua', overwrite: true });
    const after = await readdir(dir);
    expect(after).toContain('.git');
    expect(after).toContain('package.json');
    expect(after).not.toContain('notes.txt');
    expect(await readdir(scratch)).toEqual(['app']);
  });

  it('fills an empty directory (a fresh clone with only .git)', async () => {
    const dir = join(scratch, 'empty');
    await mkdir(join(dir, '.git'), { recursive: true });
    const r = await createApp({ dir, template: 'lua' });
    expect(r.name).toBe('empty');
    expect(existsSync(join(dir, 'src/main.lua'))).toBe(true);
  });

  it('leaves nothing behind when writing fails', async () => {
    const bad = join(scratch, 'bad');
    await mkdir(join(bad, 'lua'), { recursive: true });
    await writeFile(join(bad, 'lua', 'wasm-runtime.config.json'), '{ not json');
    await expect(
      createApp({ dir: join(scratch, 'out'), template: 'lua', templatesDir: bad }),
    ).rejects.toThrow();
    expect(await readdir(scratch)).toEqual(['bad']);
  });

  it('refuses a path that is a file', async () => {
    await writeFile(join(scratch, 'file'), '');
    await expect(createApp({ dir: join(scratch, 'file'), template: 'lua' })).rejects.toMatchObject({
      code: 'ERR_CREATE_NOT_A_DIRECTORY',
    });
  });
});
