import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packWorkspaces, REPO, withInternalDeps } from './pack.js';

// A new user's path, outside the monorepo: the scaffolder and the packages it names installed
// from the tarballs `npm pack` makes (what would be published), then the app's own scripts.
// Third-party dependencies come from the npm registry or its cache, as they would for a user.

const MINUTES = 60_000;
let scratch: string;
let packs: Map<string, string>;

// The Lua source comes from the repository's mirror (scripts/fetch-sources), never the network;
// the compiled runtime is cached in the same artifact store the other tests use.
const buildEnv = {
  WASM_RUNTIME_MIRROR: process.env['WASM_RUNTIME_MIRROR'] || join(REPO, '.cache', 'mirror'),
  ...(process.env['WASM_RUNTIME_CACHE'] ? { WASM_RUNTIME_CACHE: process.env['WASM_RUNTIME_CACHE'] } : {}),
  NO_COLOR: '1',
};

// Each npm run ends a minute before its test's timeout, so a run that hangs fails with its own
// output in the message instead of a bare test timeout.
const npm = (args: string[], cwd: string, timeout = 9 * MINUTES) =>
  execa('npm', [...args, '--no-audit', '--no-fund'], {
    cwd,
    reject: false,
    stdin: 'ignore',
    env: buildEnv,
    timeout,
  });

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'create-wasm-runtime-e2e-'));
  const names = withInternalDeps(['create-wasm-runtime', '@wasm-runtime/cli', '@wasm-runtime/lua']);
  await mkdir(join(scratch, 'packs'));
  packs = packWorkspaces(names, join(scratch, 'packs'));
}, 5 * MINUTES);

afterAll(async () => {
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

describe('npm create wasm-runtime, Lua template, from packed tarballs', () => {
  const app = () => join(scratch, 'my-app');

  it(
    'scaffolds without asking when flags are given and stdin is not a terminal',
    async () => {
      const tools = join(scratch, 'tools');
      await mkdir(tools);
      await execa('npm', ['init', '-y'], { cwd: tools });
      const tarballs = [packs.get('create-wasm-runtime')!, packs.get('@wasm-runtime/errors')!];
      const install = await npm(['install', ...tarballs], tools, 4 * MINUTES);
      expect(install.exitCode, install.stderr).toBe(0);
      const r = await execa('npx', ['create-wasm-runtime', app(), '--template', 'lua', '--name', 'my-app'], {
        cwd: tools,
        stdin: 'ignore',
        reject: false,
      });
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('npm install');
      expect(r.stdout).toContain('npm run build');
      const pkg = JSON.parse(await readFile(join(app(), 'package.json'), 'utf8')) as {
        name: string;
        scripts: Record<string, string>;
      };
      expect(pkg.name).toBe('my-app');
      expect(Object.keys(pkg.scripts).sort()).toEqual(['build', 'start', 'test']);
      for (const file of [
        '.gitignore',
        'README.md',
        'src/main.lua',
        'test/app.test.js',
        '.github/workflows/wasm-runtime.yml',
      ])
        expect(existsSync(join(app(), file)), file).toBe(true);
    },
    5 * MINUTES,
  );

  it(
    'installs from the tarballs; the config $schema then resolves',
    async () => {
      const needed = withInternalDeps(['@wasm-runtime/cli', '@wasm-runtime/lua']).map((n) => packs.get(n)!);
      const r = await npm(['install', ...needed], app());
      expect(r.exitCode, r.stderr).toBe(0);
      const config = JSON.parse(await readFile(join(app(), 'wasm-runtime.config.json'), 'utf8')) as {
        $schema: string;
      };
      expect(existsSync(join(app(), config.$schema))).toBe(true);
    },
    10 * MINUTES,
  );

  it(
    'npm run build pre-initializes it into dist/',
    async () => {
      const r = await npm(['run', 'build'], app());
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      for (const file of ['hello.wasm', 'hello.data.wasm', 'manifest.json'])
        expect(existsSync(join(app(), 'dist', file))).toBe(true);
    },
    10 * MINUTES,
  );

  it(
    'npm start -- Ada starts it from the snapshot',
    async () => {
      const r = await npm(['start', '--silent', '--', 'Ada'], app(), MINUTES);
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe('Hello, Ada! (Lua 5.4, started from a snapshot)');
      expect(lines[2]).toBe('5 quotes by 5 authors');
    },
    2 * MINUTES,
  );

  it(
    'npm test passes on the built app, and fails when the app changes what it prints',
    async () => {
      const ok = await npm(['test'], app());
      expect(ok.exitCode, `${ok.stdout}\n${ok.stderr}`).toBe(0);
      expect(ok.stdout).toMatch(/# pass 2/);
      expect(ok.stdout).toMatch(/# fail 0/);
      const main = join(app(), 'src', 'main.lua');
      const source = await readFile(main, 'utf8');
      await writeFile(main, source.replace("'Hello, %s!", "'Goodbye, %s!"));
      expect((await npm(['run', 'build'], app())).exitCode).toBe(0);
      const broken = await npm(['test'], app());
      expect(broken.exitCode).not.toBe(0);
    },
    10 * MINUTES,
  );
});
