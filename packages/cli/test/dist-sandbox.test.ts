// `wasm-runtime run <dist>` with hostile manifests, through the real binary: a dist's manifest
// cannot give the guest anything outside the dist's own files/ tree, nor make it writable.

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactStore, build, type DistManifest, loadRecipeModule } from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

const fixtures = fileURLToPath(new URL('./fixtures/build/', import.meta.url));
const cacheDir = fileURLToPath(new URL('./.build/store/', import.meta.url));
const probe = fileURLToPath(new URL('./.build/probe.wasm', import.meta.url));

let tmp: string;
let pristine: string;
let n = 0;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-sandbox-'));
  const { recipe } = await loadRecipeModule(join(fixtures, 'recipe.mjs'));
  pristine = join(tmp, 'pristine');
  await build(
    {
      name: 'box',
      root: join(fixtures, 'apps', 'hello'),
      recipe: { ...recipe, stage: { mounts: [{ guest: '/app', atRuntime: true, readOnly: false }] } },
      out: pristine,
    },
    { store: new ArtifactStore({ cacheDir }) },
  );
}, 240_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function edited(edit: (m: DistManifest) => void): Promise<string> {
  const dir = join(tmp, `d${n++}`);
  await cp(pristine, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as DistManifest;
  edit(manifest);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

describe('wasm-runtime run <dist> keeps the guest inside the dist', () => {
  it('refuses the mount of the host root from issue 10, with or without --writable-mounts', async () => {
    const dist = await edited((m) => {
      m.mounts.push({ guest: '/host', readOnly: false, dir: '../../../..', files: [] });
    });
    for (const args of [
      ['run', dist, 'cat', '/host/etc/hostname'],
      ['run', '--writable-mounts', dist, 'write', '/host/tmp/pwned', 'x'],
    ]) {
      const r = await cli(args);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^error\[ERR_DIST_MANIFEST_INVALID\]: .* manifest\.json has 1 error:\n {2}mounts\[1\]\.dir: /,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /); // no JavaScript stack
      expect(r.exitCode).toBe(1);
    }
  });

  it('reads its shipped files; writes only with --writable-mounts', async () => {
    const dist = await edited(() => {});
    const cat = await cli(['run', dist, 'cat', '/app/main.txt']);
    const text = await readFile(join(fixtures, 'apps', 'hello', 'main.txt'), 'utf8');
    expect(cat.stdout).toContain(`arg /app/main.txt\n${text}`);
    expect(cat.exitCode).toBe(0);
    const denied = await cli(['run', dist, 'write', '/app/out.txt', 'hi']);
    expect(denied.stderr).toContain('/app/out.txt: Read-only file system');
    expect(denied.exitCode).toBe(1);
    const allowed = await cli(['run', dist, '--writable-mounts', 'write', '/app/out.txt', 'hi']);
    expect(allowed.exitCode).toBe(0);
    expect(await readFile(join(dist, 'files', 'app', 'out.txt'), 'utf8')).toBe('hi');
  });

  it('a sample of mutated manifests: each runs or is refused with a typed error naming the field', async () => {
    type M = DistManifest & Record<string, unknown>;
    const cases: Array<[string, (m: M) => void, RegExp | 0]> = [
      [
        'split.imports = {}',
        (m) => Object.assign(m.split, { imports: {} }),
        /\n {2}split\.imports: expected an array/,
      ],
      [
        'mounts[0] = null',
        (m) => Object.assign(m.mounts, { 0: null }),
        /\n {2}mounts\[0\]: expected an object, got null/,
      ],
      [
        'mounts[0].dir = []',
        (m) => Object.assign(m.mounts[0]!, { dir: [] }),
        /\n {2}mounts\[0\]\.dir: expected a string or null/,
      ],
      ['name = 5', (m) => Object.assign(m, { name: 5 }), /\n {2}name: expected a string, got number 5/],
      ['files removed', (m) => delete (m as Partial<M>).files, /\n {2}files: missing/],
      ['an extra field', (m) => Object.assign(m, { extra: true }), /\n {2}extra: unknown field/],
      [
        'mounts[0].guest = "/.."',
        (m) => Object.assign(m.mounts[0]!, { guest: '/..' }),
        /\n {2}mounts\[0\]\.guest: /,
      ],
      [
        'hostState = []',
        (m) => Object.assign(m, { hostState: [] }),
        /\n {2}hostState: expected an object or null/,
      ],
      [
        'entry.kind = "x"',
        (m) => Object.assign(m.entry, { kind: 'x' }),
        /\n {2}entry\.kind: expected one of/,
      ],
      ['preinit.globals = 1e308', (m) => Object.assign(m.preinit, { globals: 1e308 }), 0],
      [
        'files.data.size = -1',
        (m) => Object.assign(m.files.data, { size: -1 }),
        /\n {2}files\.data\.size: expected at least 0/,
      ],
      [
        'split.engine = null',
        (m) => Object.assign(m.split, { engine: null }),
        /\n {2}split\.engine: expected an object/,
      ],
    ];
    for (const [name, edit, refusal] of cases) {
      const r = await cli(['run', await edited((m) => edit(m as M))]);
      expect(r.stderr, name).not.toMatch(/ERR_INTERNAL|\n\s+at /);
      if (refusal === 0) {
        expect(r.exitCode, name).toBe(0);
        continue;
      }
      expect(r.stderr, name).toMatch(/^error\[ERR_DIST_MANIFEST_INVALID\]: /);
      expect(r.stderr, name).toMatch(refusal);
      expect(r.exitCode, name).toBe(1);
    }
  }, 120_000);

  it('--writable-mounts is for dists: a usage error with a module', async () => {
    const r = await cli(['run', '--writable-mounts', probe]);
    expect(r.stderr).toMatch(/^error\[ERR_CLI_USAGE\]: --writable-mounts applies to a dist directory/);
    expect(r.exitCode).toBe(2);
  });
});
