// Field mutations of a real dist manifest through runDist, as the fuzzing of issue 10 did: each
// mutated dist either runs or is refused with a typed error; never ERR_INTERNAL, never a TypeError
// or another untyped JavaScript error. Deterministic: a fixed seed picks the mutations.

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { EngineCache } from '@wasm-runtime/split';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDist } from '../src/index.js';
import { buildShippedDist } from './helpers/shipped-dist.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

/** What a mutation puts in place of a field (undefined: the field is removed). */
const VALUES: Array<[string, (old: Json) => Json | undefined]> = [
  ['null', () => null],
  ['removed', () => undefined],
  ['a huge number', () => 1e308],
  ['a negative number', () => -1],
  ['a fraction', () => 0.5],
  ['a string', () => 'x'],
  ['an empty string', () => ''],
  ['an array', (old) => (typeof old === 'string' ? [old] : [])],
  ['an object', () => ({})],
  ['true', () => true],
  ['a .. path', () => '../../../..'],
  ['an absolute path', () => '/etc'],
  [
    'an extra field',
    (old) => (old !== null && typeof old === 'object' && !Array.isArray(old) ? { ...old, extra: 1 } : old),
  ],
  ['a long string', () => 'a'.repeat(100_000)],
];

/** mulberry32: a small seeded generator, so the mutation list is the same on every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function paths(value: Json, path: Path = [], out: Path[] = []): Path[] {
  if (path.length > 0) out.push(path);
  if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value))
      paths(v, [...path, Array.isArray(value) ? Number(k) : k], out);
  return out;
}

function mutate(manifest: Json, path: Path, make: (old: Json) => Json | undefined): Json {
  const copy = structuredClone(manifest);
  const parent = path.slice(0, -1).reduce<Json>((o, k) => (o as Record<string, Json>)[k]!, copy) as Record<
    string | number,
    Json
  >;
  const key = path[path.length - 1]!;
  const value = make(parent[key]!);
  if (value !== undefined) parent[key] = value;
  else if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return copy;
}

let tmp: string;
let pristine: string;
let manifest: Json;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-manifest-fuzz-'));
  pristine = join(tmp, 'pristine');
  await buildShippedDist('held', pristine, { name: 'fuzz' });
  manifest = JSON.parse(await readFile(join(pristine, 'manifest.json'), 'utf8'));
}, 240_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('mutated dist manifests', () => {
  it('each of 200 mutations runs or is refused with a typed error naming what is wrong', async () => {
    const random = prng(10);
    const all = paths(manifest);
    const cases: Array<{ name: string; value: Json }> = [
      // The ones issue 10 reported.
      {
        name: 'mounts[1] = the host root',
        value: mutate(manifest, ['mounts', 1], () => ({
          guest: '/host',
          readOnly: false,
          dir: '../../../..',
          files: [],
        })),
      },
      { name: 'split.imports = {}', value: mutate(manifest, ['split', 'imports'], () => ({})) },
      { name: 'mounts[0] = null', value: mutate(manifest, ['mounts', 0], () => null) },
      { name: 'mounts[0].dir = []', value: mutate(manifest, ['mounts', 0, 'dir'], () => []) },
    ];
    // A hook to load from a recipe path that is no module.
    const hooked = mutate(manifest, ['postRestore', 'hook'], () => true);
    cases.push({
      name: 'recipe = a directory, with a hook',
      value: mutate(hooked, ['recipe'], () => '../../../..'),
    });
    while (cases.length < 200) {
      const path = all[Math.floor(random() * all.length)]!;
      const [what, make] = VALUES[Math.floor(random() * VALUES.length)]!;
      cases.push({ name: `${path.join('.')} = ${what}`, value: mutate(manifest, path, make) });
    }
    const dir = join(tmp, 'mutant');
    await cp(pristine, dir, { recursive: true });
    const engineCache = new EngineCache();
    const outcomes = { ran: 0, refused: new Map<string, number>() };
    const untyped: string[] = [];
    for (const c of cases) {
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(c.value));
      try {
        const { exitCode: code } = await runDist(dir, {
          stdin: 'ignore',
          stdout: 'buffer',
          stderr: 'buffer',
          engineCache,
        });
        expect(code, c.name).toBe(0);
        outcomes.ran++;
      } catch (error) {
        if (!isWasmRuntimeError(error) || error.code === 'ERR_INTERNAL') {
          untyped.push(`${c.name}: ${(error as Error)?.constructor?.name} ${(error as Error)?.message}`);
          continue;
        }
        outcomes.refused.set(error.code, (outcomes.refused.get(error.code) ?? 0) + 1);
        if (error.code === 'ERR_DIST_MANIFEST_INVALID')
          expect((error as unknown as { issues: unknown[] }).issues.length, c.name).toBeGreaterThan(0);
      }
    }
    expect(untyped).toEqual([]);
    // Both outcomes happen: harmless fields (the pre-initializer's summary) still run.
    expect(outcomes.ran).toBeGreaterThan(10);
    expect(outcomes.refused.get('ERR_DIST_MANIFEST_INVALID')).toBeGreaterThan(100);
    // The four reproducers are refused with the field named.
    for (const [i, field] of ['mounts[1].dir', 'split.imports', 'mounts[0]', 'mounts[0].dir'].entries()) {
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(cases[i]!.value));
      await expect(
        runDist(dir, { stdin: 'ignore', stdout: 'buffer', stderr: 'buffer' }),
      ).rejects.toMatchObject({
        code: 'ERR_DIST_MANIFEST_INVALID',
        issues: expect.arrayContaining([expect.objectContaining({ path: field })]),
      });
    }
  }, 240_000);
});
