import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs the action's steps as the runner runs them: INPUT_* variables, a GITHUB_OUTPUT file, and a
// local directory standing for the cache that actions/cache saves and restores between runs.
// The apps live under test/.work so that they resolve the workspace's installed packages.

const MINUTES = 60_000;
const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.mjs', import.meta.url));
const MIRROR = process.env['WASM_RUNTIME_MIRROR'] || join(REPO, '.cache', 'mirror');

let work: string;
let scratch: string;

beforeAll(async () => {
  await mkdir(join(HERE, '.work'), { recursive: true });
  work = await mkdtemp(join(HERE, '.work', 'app-'));
  scratch = await mkdtemp(join(tmpdir(), 'action-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

async function app(name: string, edit?: (config: Record<string, unknown>) => void): Promise<string> {
  const dir = join(work, name);
  await cp(join(REPO, 'templates', 'lua'), dir, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|dist|\.turbo)$/.test(src),
  });
  if (edit !== undefined) {
    const file = join(dir, 'wasm-runtime.config.json');
    const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    edit(config);
    await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  }
  return dir;
}

/** Runs one step; returns its status, log and outputs (parsed from the GITHUB_OUTPUT file). */
async function step(
  name: 'cache-key' | 'build',
  inputs: Record<string, string>,
  extra: Record<string, string> = {},
) {
  const outputFile = join(scratch, `output-${Math.random().toString(36).slice(2)}`);
  await writeFile(outputFile, '');
  const env: Record<string, string> = {
    GITHUB_OUTPUT: outputFile,
    RUNNER_TEMP: scratch,
    WASM_RUNTIME_MIRROR: MIRROR,
    NO_COLOR: '1',
    ...extra,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase().replace(/-/g, '_')}`] = v;
  const r = await execa(process.execPath, [MAIN, name], { env, reject: false, stdin: 'ignore' });
  const outputs: Record<string, string> = {};
  for (const line of (await readFile(outputFile, 'utf8')).split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { status: r.exitCode, log: r.stdout, stderr: r.stderr, outputs };
}

describe('the GitHub Action on the Lua template', () => {
  it('keys the cache on the recipe: runtime name, version and a hash of its pinned sources', async () => {
    const dir = await app('key');
    const a = await step('cache-key', { 'working-directory': dir });
    expect(a.status).toBe(0);
    expect(a.outputs['cache-dir']).toBe(join(scratch, 'wasm-runtime-cache'));
    expect(a.outputs['restore-key']).toMatch(/^wasm-runtime-linux-x64-lua-5\.4\.\d+\+wasm-runtime\.\d+-$/);
    expect(a.outputs['key']).toMatch(
      new RegExp(`^${a.outputs['restore-key']!.replace(/[.+]/g, '\\$&')}[0-9a-f]{16}$`),
    );
    // Another app on the same recipe shares the cache entry.
    const b = await step('cache-key', {
      'working-directory': await app('key2', (c) => Object.assign(c, { name: 'other' })),
    });
    expect(b.outputs['key']).toBe(a.outputs['key']);
  });

  it(
    'builds with a cold cache, then from the cache; logs grouped per stage; outputs dist, sizes and the engine sha256',
    async () => {
      const dir = await app('build');
      const cache = join(scratch, 'cache');
      const first = await step(
        'build',
        { 'working-directory': dir, out: 'out' },
        { WASM_RUNTIME_CACHE: cache },
      );
      expect(first.status, `${first.log}\n${first.stderr}`).toBe(0);
      expect(first.log).toMatch(
        /::group::fetch the runtime\nlua 5\.4\.\d+\S*: built or downloaded in \d+ ms/,
      );
      expect(first.log).toContain('::group::pre-initialize, split, emit\n');
      expect(first.log).toMatch(/^preinit: \d+ ms$/m);
      expect(first.log.match(/::group::/g)?.length).toBe(3);
      expect(first.log.match(/::endgroup::/g)?.length).toBe(3);
      expect(first.outputs['dist']).toBe(join(dir, 'out'));
      const sizes = JSON.parse(first.outputs['sizes']!) as Record<string, number>;
      // Lua uses legacy exception handling, so the build also ships the exnref forms (for Wasmtime).
      expect(Object.keys(sizes).sort()).toEqual([
        'data',
        'engine',
        'exnrefEngine',
        'exnrefSnapshot',
        'runtime',
        'snapshot',
      ]);
      const manifest = JSON.parse(await readFile(join(dir, 'out', 'manifest.json'), 'utf8')) as {
        split: { engine: { file: string } };
      };
      const engine = await readFile(join(dir, 'out', manifest.split.engine.file));
      expect(first.outputs['engine-sha256']).toBe(createHash('sha256').update(engine).digest('hex'));
      expect(sizes['engine']).toBe(engine.length);

      const again = await step('build', { 'working-directory': dir }, { WASM_RUNTIME_CACHE: cache });
      expect(again.status).toBe(0);
      expect(again.log).toMatch(/: from the cache in \d+ ms/);
      expect(again.outputs['dist']).toBe(join(dir, 'dist'));
      expect(again.outputs['engine-sha256']).toBe(first.outputs['engine-sha256']);
    },
    10 * MINUTES,
  );

  it('reports config errors as ::error annotations at the config file and line, and fails', async () => {
    const dir = await app('bad', (c) => Object.assign(c, { entyr: 'main.lua' }));
    const r = await step('build', { 'working-directory': dir }, { GITHUB_WORKSPACE: dir });
    expect(r.status).toBe(1);
    expect(r.log).toMatch(
      /^::error file=wasm-runtime\.config\.json,line=8,title=ERR_CONFIG_INVALID::entyr: unknown key/m,
    );
    expect(r.outputs).toEqual({});
  });

  it('says what to do when the app has no wasm-runtime installed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'action-bare-'));
    try {
      await writeFile(join(dir, 'package.json'), '{}');
      const r = await step('build', { 'working-directory': dir }, { GITHUB_WORKSPACE: dir });
      expect(r.status).toBe(1);
      expect(r.log).toMatch(
        /^::error file=package\.json,title=ERR_ACTION_NO_CLI::@wasm-runtime\/cli is not installed/m,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
