// Runtime sources other than a local build: a pinned URL and an npm package (one file, or the
// tarball unpacked), served by a loopback HTTP server; checksum failures stop the fetch stage.

import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactStore,
  BuildStageError,
  build,
  ChecksumMismatchError,
  fetchRuntime,
  loadRecipeModule,
  type Recipe,
  type RuntimeSource,
  runDist,
  writeTar,
} from '../src/index.js';
import { startServer, type TestServer } from './helpers/server.js';

const fixtures = fileURLToPath(new URL('./fixtures/build/', import.meta.url));
const buildCache = fileURLToPath(new URL('../.cache/test-build-store/', import.meta.url));
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const sha512 = (data: Uint8Array) => createHash('sha512').update(data).digest('base64');

let tmp: string;
let server: TestServer;
let recipe: Recipe;
let wasm: Uint8Array;
let tgz: Buffer;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-sources-'));
  recipe = (await loadRecipeModule(join(fixtures, 'recipe.mjs'))).recipe;
  wasm = (await fetchRuntime(recipe, new ArtifactStore({ cacheDir: buildCache }), { baseDir: fixtures }))
    .bytes;
  tgz = gzipSync(
    writeTar([
      { path: 'package/package.json', data: '{"name":"fixture-runtime","version":"1.0.0"}' },
      { path: 'package/dist/fixture.wasm', data: wasm },
    ]),
  );
  server = await startServer({
    '/fixture.wasm': Buffer.from(wasm),
    '/fixture-runtime/-/fixture-runtime-1.0.0.tgz': tgz,
  });
  server.routes.set('/fixture-runtime', (_request, response) => {
    const packument = {
      name: 'fixture-runtime',
      versions: {
        '1.0.0': {
          dist: {
            tarball: `${server.url}/fixture-runtime/-/fixture-runtime-1.0.0.tgz`,
            integrity: `sha512-${sha512(tgz)}`,
          },
        },
      },
    };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument));
  });
});
afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

async function buildWith(source: RuntimeSource, name: string, store: ArtifactStore) {
  return build(
    { name, root: join(fixtures, 'apps', 'hello'), recipe: { ...recipe, source }, out: join(tmp, name) },
    { store },
  );
}

async function output(dir: string): Promise<string> {
  const chunks: string[] = [];
  await runDist(dir, { stdin: 'ignore', stdout: (c) => chunks.push(new TextDecoder().decode(c)) });
  return chunks.join('');
}

describe('runtime sources', () => {
  it('a pinned URL: fetched once, then built offline from the cache', async () => {
    const cacheDir = join(tmp, 'cache-url');
    const source: RuntimeSource = { kind: 'url', url: `${server.url}/fixture.wasm`, sha256: sha256(wasm) };
    const first = await buildWith(source, 'url', new ArtifactStore({ cacheDir }));
    expect(first.runtimeFromCache).toBe(false);
    expect(first.manifest.runtime.sha256).toBe(sha256(wasm));
    expect(await output(first.outDir)).toMatch(/^0: hello from the snapshot\n/);
    const offline = await buildWith(source, 'url-offline', new ArtifactStore({ cacheDir, offline: true }));
    expect(offline.runtimeFromCache).toBe(true);
    expect(offline.manifest.files).toEqual({
      ...first.manifest.files,
      snapshot: { ...first.manifest.files.snapshot, path: 'url-offline.wasm' },
      data: { ...first.manifest.files.data, path: 'url-offline.data.wasm' },
    });
    expect(server.count('/fixture.wasm')).toBe(1);
  });

  it('an npm package: one file by path, or the tarball unpacked with file', async () => {
    const store = new ArtifactStore({ cacheDir: join(tmp, 'cache-npm'), registry: server.url });
    const byPath = await buildWith(
      { kind: 'npm', package: 'fixture-runtime', version: '1.0.0', path: 'dist/fixture.wasm' },
      'npm-path',
      store,
    );
    const byFile = await buildWith(
      { kind: 'npm', package: 'fixture-runtime', version: '1.0.0', file: 'package/dist/fixture.wasm' },
      'npm-file',
      store,
    );
    expect(byPath.manifest.runtime.sha256).toBe(sha256(wasm));
    expect(byFile.manifest.runtime.sha256).toBe(sha256(wasm));
    expect(await output(byFile.outDir)).toBe(await output(byPath.outDir));
  });

  it('a checksum mismatch fails the fetch stage with the store typed error', async () => {
    const error = await buildWith(
      { kind: 'url', url: `${server.url}/fixture.wasm`, sha256: '0'.repeat(64) },
      'bad-sum',
      new ArtifactStore({ cacheDir: join(tmp, 'cache-bad'), retries: 0 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildStageError);
    expect((error as BuildStageError).stage).toBe('fetch');
    expect((error as BuildStageError).cause).toBeInstanceOf(ChecksumMismatchError);
  });
});
