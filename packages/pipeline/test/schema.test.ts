// The published JSON schemas agree with what the code writes (manifest.json) and reads (configs),
// with the TypeScript types, and with the checker that enforces them (src/schema/check.ts).

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManifestImport, ManifestTables, SplitManifest } from '@wasm-runtime/split';
import type { HostState, SavedDescriptor } from '@wasm-runtime/wasi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStore, build, type DistFile, type DistManifest, type DistMount } from '../src/index.js';
import type { MountFile } from '../src/manifest.js';
import { checkSchema, type JsonSchema, SUPPORTED_KEYWORDS, schemaKeywords } from '../src/schema/check.js';
import { distManifestIssues } from '../src/schema/manifest.js';
import { buildShippedDist } from './helpers/shipped-dist.js';

const schemaDir = fileURLToPath(new URL('../schema/', import.meta.url));
const apps = fileURLToPath(new URL('./fixtures/build/apps/', import.meta.url));
const cacheDir = fileURLToPath(new URL('../.cache/test-build-store/', import.meta.url));
const load = async (name: string) => JSON.parse(await readFile(join(schemaDir, name), 'utf8'));
const messages = (schema: JsonSchema, value: unknown) =>
  checkSchema(schema, value).map((i) => `${i.path}: ${i.message}`);

let tmp: string;
let manifest: DistManifest;
/** A manifest with host state: init left a file open on a mount that ships. */
let held: DistManifest;
let schema: Record<string, unknown>;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-schema-'));
  schema = await load('manifest.schema.json');
  const result = await build(join(apps, 'multi'), {
    store: new ArtifactStore({ cacheDir, offline: true }),
    overrides: { out: join(tmp, 'dist') },
  });
  manifest = JSON.parse(await readFile(join(result.outDir, 'manifest.json'), 'utf8'));
  const heldDist = await buildShippedDist('held', join(tmp, 'held'));
  held = heldDist.manifest;
}, 240_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The property names a schema node allows (following `$ref`). */
function propertiesOf(node: unknown): string[] {
  const n = node as Record<string, unknown>;
  if (typeof n['$ref'] === 'string') {
    const target = (n['$ref'] as string)
      .slice(2)
      .split('/')
      .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], schema);
    return propertiesOf(target);
  }
  return Object.keys((n['properties'] ?? {}) as object).sort();
}
const at = (path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], schema);
/** Every key of T, no more: a type error here means the type and this list differ. */
const keysOf = <T>(keys: { [K in keyof Required<T>]: true }) => Object.keys(keys).sort();

describe('manifest.schema.json', () => {
  it('accepts the manifest a build writes, and names every field that is wrong', () => {
    expect(messages(schema, manifest)).toEqual([]);
    expect(distManifestIssues(manifest)).toEqual([]);
    expect(messages(schema, { ...manifest, format: 'wasm-runtime-dist@2', extra: 1 })).toEqual([
      'format: expected "wasm-runtime-dist@1", got "wasm-runtime-dist@2"',
      'extra: unknown field (not in the schema)',
    ]);
    const { engine: _, ...files } = manifest.files;
    expect(messages(schema, { ...manifest, files })).toEqual(['files.engine: missing']);
    const mounts = [null, { ...manifest.mounts[0], dir: [] }];
    const split = { ...manifest.split, imports: {} };
    expect(messages(schema, { ...manifest, mounts, split })).toEqual([
      'split.imports: expected an array, got an object',
      'mounts[0]: expected an object, got null',
      'mounts[1].dir: expected a string or null, got an array',
    ]);
  });

  it("accepts an export entry's arguments, input and result form (the SpiderMonkey recipe writes them)", () => {
    const entry = {
      ...manifest.entry,
      kind: 'export',
      export: 'run',
      args: [0],
      input: 'cli',
      result: 'pointer',
      stdinProbe: { args: [1], result: 'pointer', post: 'post_call', postArgs: [1] },
    };
    expect(messages(schema, { ...manifest, entry })).toEqual([]);
    expect(
      messages(schema, {
        ...manifest,
        entry: { ...entry, args: [1.5], result: 'ptr', input: 'stdin', stdinProbe: { post: 'x' } },
      }),
    ).toEqual([
      'entry.args[0]: expected an integer, got number 1.5',
      'entry.input: expected one of "cli", got "stdin"',
      'entry.result: expected one of "value", "pointer", got "ptr"',
      'entry.stdinProbe.args: missing',
    ]);
  });

  it('uses only keywords the checker applies, and types every property', async () => {
    for (const name of ['manifest.schema.json', 'config.schema.json']) {
      expect(
        [...schemaKeywords(await load(name))].filter((k) => !SUPPORTED_KEYWORDS.has(k)),
        name,
      ).toEqual([]);
    }
    // A property with no type, const, enum, $ref or oneOf would accept anything.
    const untyped: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      for (const [key, sub] of Object.entries((n['properties'] ?? {}) as Record<string, unknown>)) {
        const s = sub as Record<string, unknown>;
        if (!['type', 'const', 'enum', '$ref', 'oneOf'].some((k) => k in s)) untyped.push(`${path}.${key}`);
        walk(sub, `${path}.${key}`);
      }
      for (const key of ['items', 'additionalProperties']) walk(n[key], `${path}[${key}]`);
      for (const [key, sub] of Object.entries((n['$defs'] ?? {}) as Record<string, unknown>))
        walk(sub, `#${key}`);
      for (const branch of (n['oneOf'] ?? []) as unknown[]) walk(branch, `${path}|`);
    };
    walk(schema, '');
    expect(untyped).toEqual([]);
    expect(() => checkSchema({ type: 'object', propertyNames: { pattern: 'x' } }, {})).toThrow(
      /schema keyword "propertyNames" .* not supported/,
    );
  });

  it('has exactly the fields of the TypeScript types', () => {
    const defs = '$defs';
    expect(propertiesOf(schema)).toEqual(
      keysOf<DistManifest>({
        $schema: true,
        format: true,
        name: true,
        runtime: true,
        recipe: true,
        entry: true,
        files: true,
        split: true,
        mounts: true,
        postRestore: true,
        preinit: true,
        hostState: true,
      }),
    );
    expect(propertiesOf(at(`${defs}.file`))).toEqual(
      keysOf<DistFile>({ path: true, size: true, sha256: true }),
    );
    expect(propertiesOf(at('properties.mounts.items'))).toEqual(
      keysOf<DistMount>({ guest: true, readOnly: true, dir: true, files: true, source: true }),
    );
    expect(propertiesOf(at('properties.mounts.items.properties.files.items'))).toEqual(
      keysOf<MountFile>({ path: true, size: true, sha256: true }),
    );
    expect(propertiesOf(at(`${defs}.splitManifest`))).toEqual(
      keysOf<SplitManifest>({
        format: true,
        runtime: true,
        importModule: true,
        engine: true,
        app: true,
        original: true,
        imports: true,
        sizes: true,
        tables: true,
      }),
    );
    expect(propertiesOf(at(`${defs}.splitManifest.properties.tables`))).toEqual(
      keysOf<ManifestTables>({
        count: true,
        elementSegments: true,
        elementsSha256: true,
        verifiedAgainstRuntime: true,
      }),
    );
    const imports = at(`${defs}.splitManifest.properties.imports.items.oneOf`) as unknown[];
    expect(propertiesOf(imports[0])).toEqual(
      keysOf<Extract<ManifestImport, { kind: 'memory' }>>({
        kind: true,
        name: true,
        index: true,
        pages: true,
        maxPages: true,
        shared: true,
        memory64: true,
      }),
    );
    expect(propertiesOf(imports[1])).toEqual(
      keysOf<Extract<ManifestImport, { kind: 'global' }>>({
        kind: true,
        name: true,
        index: true,
        valType: true,
        mutable: true,
      }),
    );
    expect(propertiesOf(at('properties.hostState'))).toEqual(
      keysOf<HostState>({ version: true, mounts: true, fds: true, deterministic: true }),
    );
    const fds = at(`${defs}.savedDescriptor.oneOf`) as unknown[];
    const common = { fd: true, kind: true, rightsBase: true, rightsInheriting: true, flags: true } as const;
    expect(propertiesOf(fds[0])).toEqual(
      keysOf<Extract<SavedDescriptor, { kind: 'stdio' }>>({ ...common, stdio: true, filetype: true }),
    );
    expect(propertiesOf(fds[1])).toEqual(
      keysOf<Extract<SavedDescriptor, { kind: 'dir' }>>({
        ...common,
        mount: true,
        path: true,
        preopen: true,
      }),
    );
    expect(propertiesOf(fds[2])).toEqual(
      keysOf<Extract<SavedDescriptor, { kind: 'file' }>>({
        ...common,
        mount: true,
        path: true,
        position: true,
        writable: true,
        filetype: true,
      }),
    );
  });

  it('refuses a wrong type in every field of a real manifest, naming that field', () => {
    // Each leaf and each object or array of the built manifest, replaced by a value of another type.
    const paths: Array<Array<string | number>> = [];
    const walk = (v: unknown, path: Array<string | number>): void => {
      if (path.length > 0) paths.push(path);
      if (typeof v === 'object' && v !== null)
        for (const [k, c] of Object.entries(v)) walk(c, [...path, Array.isArray(v) ? Number(k) : k]);
    };
    walk(manifest, []);
    const plain = paths.length;
    walk(held, []);
    expect(plain).toBeGreaterThan(60);
    expect(paths.length - plain).toBeGreaterThan(60);
    expect(paths.length).toBeGreaterThan(60);
    const dotted = (path: Array<string | number>) =>
      path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s === '' ? k : `${s}.${k}`), '');
    for (const [i, path] of paths.entries()) {
      const copy = structuredClone(i < plain ? manifest : held) as unknown as Record<string, unknown>;
      const parent = path
        .slice(0, -1)
        .reduce<Record<string | number, unknown>>((o, k) => o[k] as never, copy);
      const key = path[path.length - 1]!;
      const old = parent[key];
      // A value of a type the field never has.
      parent[key] = old === null ? [] : typeof old === 'object' ? 'x' : {};
      const issues = distManifestIssues(copy);
      expect(
        issues.map((i) => i.path),
        dotted(path),
      ).toContain(dotted(path));
    }
  });
});

describe('config.schema.json', () => {
  it('accepts every fixture config and names what is wrong in a bad one', async () => {
    const config = await load('config.schema.json');
    for (const app of await readdir(apps)) {
      const value = JSON.parse(await readFile(join(apps, app, 'wasm-runtime.config.json'), 'utf8'));
      expect(messages(config, value), app).toEqual([]);
    }
    expect(
      messages(config, {
        $schema: './node_modules/@wasm-runtime/pipeline/config.schema.json',
        lang: 'lua',
        name: 'bad name',
        files: { include: '*.lua' },
        init: { env: { A: 1 } },
        colour: 'blue',
      }),
    ).toEqual([
      'name: expected a string matching ^[A-Za-z0-9][A-Za-z0-9._-]*$, got "bad name"',
      'files.include: expected an array, got "*.lua"',
      'init.env.A: expected a string, got number 1',
      'colour: unknown field (not in the schema)',
    ]);
  });
});
