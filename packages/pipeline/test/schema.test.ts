// The published JSON schemas agree with what the code writes (manifest.json) and reads (configs).

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStore, build } from '../src/index.js';
import { checkSchema } from './helpers/json-schema.js';

const schemaDir = fileURLToPath(new URL('../schema/', import.meta.url));
const apps = fileURLToPath(new URL('./fixtures/build/apps/', import.meta.url));
const cacheDir = fileURLToPath(new URL('../.cache/test-build-store/', import.meta.url));
const load = async (name: string) => JSON.parse(await readFile(join(schemaDir, name), 'utf8'));

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-schema-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('manifest.schema.json', () => {
  it('accepts the manifest a build writes, and rejects a wrong one', async () => {
    const schema = await load('manifest.schema.json');
    const result = await build(join(apps, 'multi'), {
      store: new ArtifactStore({ cacheDir, offline: true }),
      overrides: { out: join(tmp, 'dist') },
    });
    const manifest = JSON.parse(await readFile(join(result.outDir, 'manifest.json'), 'utf8'));
    expect(checkSchema(schema, manifest)).toEqual([]);
    expect(checkSchema(schema, { ...manifest, format: 'wasm-runtime-dist@2', extra: 1 })).toEqual([
      '/format: expected "wasm-runtime-dist@1"',
      '/extra: not allowed',
    ]);
    const { engine: _, ...files } = manifest.files;
    expect(checkSchema(schema, { ...manifest, files })).toEqual(['/files: missing engine']);
  });
});

describe('config.schema.json', () => {
  it('accepts every fixture config and names what is wrong in a bad one', async () => {
    const schema = await load('config.schema.json');
    for (const app of await readdir(apps)) {
      const config = JSON.parse(await readFile(join(apps, app, 'wasm-runtime.config.json'), 'utf8'));
      expect(checkSchema(schema, config), app).toEqual([]);
    }
    expect(
      checkSchema(schema, {
        $schema: './node_modules/@wasm-runtime/pipeline/config.schema.json',
        lang: 'lua',
        name: 'bad name',
        files: { include: '*.lua' },
        init: { env: { A: 1 } },
        colour: 'blue',
      }),
    ).toEqual([
      '/name: does not match ^[A-Za-z0-9][A-Za-z0-9._-]*$',
      '/files/include: expected array, got string',
      '/init/env/A: expected string, got integer',
      '/colour: not allowed',
    ]);
  });
});
