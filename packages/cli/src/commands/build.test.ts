import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../../test/helpers/streams.js';
import { buildCommand, nondeterminismLine, parseBuildArgs, snapshotNote } from './build.js';

const apps = fileURLToPath(new URL('../../test/fixtures/build/apps/', import.meta.url));
const cacheDir = fileURLToPath(new URL('../../test/.build/store/', import.meta.url));

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-build-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('parseBuildArgs', () => {
  it('takes an app directory and the override flags', () => {
    expect(
      parseBuildArgs(['app', '--lang', 'lua', '--entry=src/main.lua', '--out', 'o', '--name', 'n', '--json']),
    ).toEqual({
      dir: 'app',
      lang: 'lua',
      entry: 'src/main.lua',
      out: 'o',
      name: 'n',
      json: true,
      verbose: false,
      offline: false,
      cacheDir: undefined,
    });
    expect(parseBuildArgs([])).toMatchObject({ dir: '.', json: false });
    expect(parseBuildArgs([])).not.toHaveProperty('component');
    expect(parseBuildArgs(['app', '--component'])).toMatchObject({ dir: 'app', component: true });
  });

  it('refuses unknown options, missing values, two directories and repeated flags', () => {
    expect(() => parseBuildArgs(['--colour'])).toThrow(/unknown option --colour for build/);
    expect(() => parseBuildArgs(['--out'])).toThrow(/--out needs a value/);
    expect(() => parseBuildArgs(['a', 'b'])).toThrow(/one app directory/);
    expect(() => parseBuildArgs(['--name', 'a', '--name', 'b'])).toThrow(/more than once/);
    expect(() => parseBuildArgs(['--json=yes'])).toThrow(/takes no value/);
  });
});

describe('nondeterminismLine', () => {
  it('says what init read of the clocks and randomness, and that it is fixed at build time', () => {
    expect(nondeterminismLine(null)).toBe('');
    const nd = {
      randomBytes: 0,
      randomCalls: 0,
      clockReads: 0,
      envReads: [],
      argsRead: false,
      stdinBytes: 0,
    };
    expect(nondeterminismLine(nd)).toBe('');
    expect(nondeterminismLine({ ...nd, randomBytes: 16, randomCalls: 1, clockReads: 2 })).toBe(
      'init read 16 random bytes and 2 clocks: deterministic at build time (the realtime clock reads 2024-01-01T00:00:00Z), the same in every start\n',
    );
  });
});

describe('snapshotNote', () => {
  type Manifest = Parameters<typeof snapshotNote>[0];
  const plain = {
    postRestore: { call: 'reseed', hook: false },
    entry: { kind: 'command', export: '_start', file: 'main.lua' },
    hostState: null,
    files: { snapshot: { exceptions: 'none' } },
  } as unknown as Manifest;
  it('claims any WASI host only for a snapshot that needs nothing but WASI at start', () => {
    expect(snapshotNote(plain)).toBe('snapshot, runs in any WASI host');
    expect(
      snapshotNote({ ...plain, files: { ...plain.files, snapshot: { exceptions: 'legacy' } } } as Manifest),
    ).toBe('snapshot, legacy exceptions (V8: Node, browsers)');
    // A JS app (SpiderMonkey): an export entry and a recipe hook, which a plain WASI host never calls.
    expect(
      snapshotNote({
        ...plain,
        postRestore: { call: null, hook: true },
        entry: { kind: 'export', export: 'wasm-runtime-run', file: 'main.js' },
      } as Manifest),
    ).toBe(
      'snapshot, starts through wasm-runtime run / runDist (its recipe\'s restore hook, a call of its "wasm-runtime-run" export)',
    );
  });
});

describe('buildCommand', () => {
  it('builds and prints the stage times and file sizes', async () => {
    const c = capture();
    const out = join(tmp, 'dist');
    expect(await buildCommand({ dir: join(apps, 'hello'), out, cacheDir }, c.streams)).toBe(0);
    const text = c.stdout();
    expect(text).toMatch(/^built hello \(fixture-c 1\.0\.0\) in [\d.]+ m?s → /);
    for (const stage of ['fetch', 'stage', 'preinit', 'split', 'forms', 'emit'])
      expect(text).toMatch(new RegExp(`^${stage} +[\\d.]+ m?s`, 'm'));
    expect(text).toMatch(/^hello\.wasm +[\d.]+ (B|KiB) +snapshot, runs in any WASI host$/m);
    expect(text).toMatch(/^engine-[0-9a-f]{16}\.wasm +[\d.]+ KiB +engine, shared by every fixture-c app$/m);
    expect(text).toMatch(/^hello\.data\.wasm /m);
    expect(text).not.toContain('\x1b[');
    expect(c.stderr()).toBe('');
    expect((await readdir(out)).length).toBe(4);
  });

  it('--json prints one JSON object with the manifest', async () => {
    const c = capture();
    expect(
      await buildCommand(
        { dir: join(apps, 'hello'), out: join(tmp, 'json'), cacheDir, json: true },
        c.streams,
      ),
    ).toBe(0);
    const result = JSON.parse(c.stdout());
    expect(result).toMatchObject({
      format: 'wasm-runtime-build@1',
      ok: true,
      warnings: [],
      errors: [],
      name: 'hello',
      initOutput: { stdout: expect.any(String), stderr: expect.any(String) },
      manifest: { format: 'wasm-runtime-dist@1' },
    });
    expect(Object.keys(result.timings)).toEqual(['fetch', 'stage', 'preinit', 'split', 'forms', 'emit']);
  });

  it('prints every config error with its dot path', async () => {
    const c = capture();
    expect(await buildCommand({ dir: join(apps, 'typo'), out: join(tmp, 'typo'), cacheDir }, c.streams)).toBe(
      1,
    );
    const err = c.stderr();
    expect(err).toMatch(/error\[ERR_CONFIG_INVALID\]: .*wasm-runtime\.config\.json has 4 errors:/);
    expect(err).toContain('  colour: unknown key\n');
    expect(err).toContain('  name: expected a file-name-safe name');
    expect(err).toContain('  files.include: expected an array of globs, got "*.txt"');
    expect(err).toMatch(/ {2}entry: expected a path to an existing file, got "src\/mian.txt"/);
    expect(c.stdout()).toBe('');

    const j = capture();
    expect(await buildCommand({ dir: join(apps, 'typo'), cacheDir, json: true }, j.streams)).toBe(1);
    const report = JSON.parse(j.stdout());
    expect(report).toMatchObject({ format: 'wasm-runtime-build@1', ok: false, warnings: [] });
    expect(report.errors.map((e: { path: string }) => e.path)).toEqual([
      'colour',
      'name',
      'files.include',
      'entry',
    ]);
    expect(new Set(report.errors.map((e: { code: string }) => e.code))).toEqual(
      new Set(['ERR_CONFIG_INVALID']),
    );
  });

  it('--json reports a stage failure in the same shape, with its code and stage', async () => {
    const c = capture();
    const trap = join(tmp, 'json-trap');
    await mkdir(trap);
    await writeFile(join(trap, 'main.txt'), 'TRAP\n');
    await writeFile(
      join(trap, 'wasm-runtime.config.json'),
      JSON.stringify({ recipe: join(apps, '..', 'recipe.mjs') }),
    );
    expect(await buildCommand({ dir: trap, cacheDir, json: true }, c.streams)).toBe(1);
    const report = JSON.parse(c.stdout());
    expect(report).toMatchObject({ format: 'wasm-runtime-build@1', ok: false, warnings: [] });
    expect(report.errors).toEqual([
      {
        code: 'ERR_BUILD_STAGE_FAILED',
        stage: 'preinit',
        message: expect.stringContaining('TRAP in main.txt'),
      },
    ]);
    expect(c.stderr()).toBe('');
  });

  it('an unknown language is a config error that lists the installed recipes', async () => {
    const c = capture();
    expect(await buildCommand({ dir: join(apps, 'hello'), lang: 'cobol', cacheDir }, c.streams)).toBe(1);
    expect(c.stderr()).toMatch(
      /lang: no recipe for the language "cobol": (no recipe is installed|installed recipes: )/,
    );
  });

  it('draws progress only on a TTY outside CI, and colours unless NO_COLOR', async () => {
    const tty = capture({ isTTY: true });
    await buildCommand({ dir: join(apps, 'hello'), out: join(tmp, 'tty'), cacheDir }, tty.streams);
    expect(tty.stderr()).toContain('pre-initialize…');
    expect(tty.stdout()).toContain('\x1b[1m');
    const ci = capture({ isTTY: true, env: { CI: 'true', NO_COLOR: '1' } });
    await buildCommand({ dir: join(apps, 'hello'), out: join(tmp, 'ci'), cacheDir }, ci.streams);
    expect(ci.stderr()).toBe('');
    expect(ci.stdout()).not.toContain('\x1b[');
  });
});
