import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../../test/helpers/streams.js';
import { fetchCommand, parseFetchArgs } from './fetch.js';

const apps = fileURLToPath(new URL('../../test/fixtures/build/apps/', import.meta.url));

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-fetch-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('parseFetchArgs', () => {
  it('takes an app directory or --lang, and the store flags', () => {
    expect(parseFetchArgs(['app', '--json', '--offline', '--cache-dir=c'])).toEqual({
      dir: 'app',
      lang: undefined,
      json: true,
      offline: true,
      cacheDir: 'c',
    });
    expect(parseFetchArgs(['--lang', 'lua'])).toMatchObject({ dir: '.', lang: 'lua', json: false });
  });

  it('refuses unknown options, two directories, repeated and empty values', () => {
    expect(() => parseFetchArgs(['--entry', 'x'])).toThrow(/unknown option --entry for fetch/);
    expect(() => parseFetchArgs(['a', 'b'])).toThrow(/one app directory/);
    expect(() => parseFetchArgs(['--lang', 'a', '--lang', 'b'])).toThrow(/--lang is given more than once/);
    expect(() => parseFetchArgs(['--lang='])).toThrow(/--lang needs a non-empty value/);
  });
});

describe('fetchCommand', () => {
  it('builds the runtime of the app’s recipe into an empty cache once, then finds it there', async () => {
    const cacheDir = join(tmp, 'cache');
    const first = capture();
    expect(await fetchCommand({ dir: join(apps, 'hello'), cacheDir }, first.streams)).toBe(0);
    expect(first.stdout()).toMatch(/^fixture-c 1\.0\.0 \(fixture-c\): built in [\d.]+ m?s\n/);
    const path = /^ {2}(.+)\n/m.exec(first.stdout())?.[1];
    expect(path).toBeDefined();

    const second = capture();
    expect(await fetchCommand({ dir: join(apps, 'other'), cacheDir, json: true }, second.streams)).toBe(0);
    const result = JSON.parse(second.stdout());
    expect(result).toMatchObject({
      format: 'wasm-runtime-fetch@1',
      ok: true,
      warnings: [],
      errors: [],
      language: 'fixture-c',
      runtime: { name: 'fixture-c', version: '1.0.0' },
      fromCache: true,
      cacheDir,
    });
    expect(result.path.startsWith(cacheDir)).toBe(true);
    expect(first.stdout()).toContain(`sha256 ${result.sha256}`);
    expect(second.stderr()).toBe('');
  });

  it('reports every config error as build does, and writes nothing to the cache', async () => {
    const cacheDir = join(tmp, 'untouched');
    const c = capture();
    expect(await fetchCommand({ dir: join(apps, 'typo'), cacheDir }, c.streams)).toBe(1);
    expect(c.stderr()).toMatch(/^error\[ERR_CONFIG_INVALID\]: .*has 4 errors:\n/);
    await expect(rm(cacheDir)).rejects.toThrow();
  });
});
