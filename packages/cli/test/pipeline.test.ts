// `wasm-runtime build`, `run <dist>`, `inspect`, `preinit` and `split`, end to end: the real binary
// (bin/wasm-runtime.js → dist/) run with execa on the fixture runtime (packages/pipeline/test/fixtures/build/fixture.c, through fixtures/build/recipe.mjs).

import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactStore, fetchRuntime, loadRecipeModule } from '@wasm-runtime/pipeline';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/wasm-runtime.js', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/build/', import.meta.url));
const apps = join(fixtures, 'apps');
const cacheDir = fileURLToPath(new URL('./.build/store/', import.meta.url));

/** Runs the CLI outside CI-detection noise; never rejects, so a test can assert the exit status. */
function cli(args: string[], cwd?: string) {
  return execa(process.execPath, [bin, ...args], {
    reject: false,
    stripFinalNewline: false,
    env: { NO_COLOR: '' },
    ...(cwd === undefined ? {} : { cwd }),
  });
}

let tmp: string;
let runtime: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-pipeline-'));
  const { recipe } = await loadRecipeModule(join(fixtures, 'recipe.mjs'));
  runtime = join(tmp, 'runtime.wasm');
  await writeFile(
    runtime,
    (await fetchRuntime(recipe, new ArtifactStore({ cacheDir }), { baseDir: fixtures })).bytes,
  );
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('wasm-runtime build + run', () => {
  it('run <dist> --timeout stops a spinning app (142), --max-memory one that allocates without end (137)', async () => {
    const out = join(tmp, 'bounded');
    expect((await cli(['build', join(apps, 'hello'), '--out', out, '--cache-dir', cacheDir])).exitCode).toBe(
      0,
    );
    const spin = await cli(['run', '--timeout', '1s', out, 'spin']);
    expect(spin.exitCode).toBe(142);
    expect(spin.stdout).toMatch(/^0: hello from the cli\n/);
    expect(spin.stderr).toMatch(/^error\[ERR_RUN_TIMEOUT\]: the app in .* ran past its timeout of 1 s/);
    const grow = await cli(['run', out, '--max-memory', '16MiB', 'grow']);
    expect(grow.exitCode).toBe(137);
    expect(grow.stderr).toContain('fixture: out of memory\n');
    expect(grow.stderr).toMatch(
      /error\[ERR_RUN_MEMORY_LIMIT\]: the app in .* exited with 5 after its memory reached/,
    );
  });

  it('builds an app, prints the table, and `run <dist>` runs it with args and exit status', async () => {
    const out = join(tmp, 'hello');
    const b = await cli(['build', join(apps, 'hello'), '--out', out, '--cache-dir', cacheDir]);
    expect(b.stderr).toBe('');
    expect(b.exitCode).toBe(0);
    expect(b.stdout).toMatch(/^built hello \(fixture-c 1\.0\.0\) in /);
    expect(b.stdout).toMatch(/^preinit +[\d.]+ m?s/m);
    expect(b.stdout).toMatch(/^hello\.wasm +[\d.]+ (B|KiB) +snapshot/m);

    const r = await cli(['run', out, 'one', 'two']);
    expect(r.stdout).toMatch(/^0: hello from the cli\nchecksum \d+\narg one\narg two\n$/);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect((await cli(['run', out, 'exit', '9'])).exitCode).toBe(9);

    // The monolithic snapshot is a plain WASI command too.
    const m = await cli(['run', join(out, 'hello.wasm'), 'one', 'two']);
    expect(m.stdout).toBe(r.stdout);
  });

  it('two apps share one engine file; --json gives the result as one object', async () => {
    const a = await cli([
      'build',
      join(apps, 'hello'),
      '--out',
      join(tmp, 'a'),
      '--cache-dir',
      cacheDir,
      '--json',
    ]);
    const b = await cli([
      'build',
      join(apps, 'other'),
      '--out',
      join(tmp, 'b'),
      '--cache-dir',
      cacheDir,
      '--json',
    ]);
    const ja = JSON.parse(a.stdout);
    const jb = JSON.parse(b.stdout);
    expect(ja.ok && jb.ok).toBe(true);
    expect(ja.manifest.files.engine).toEqual(jb.manifest.files.engine);
    expect(ja.manifest.files.data.sha256).not.toBe(jb.manifest.files.data.sha256);
    expect((await readdir(join(tmp, 'b'))).sort()).toContain(ja.manifest.files.engine.path);
  });

  it('build --component also writes a WASI 0.2 command component, named in the manifest', async () => {
    const out = join(tmp, 'component');
    const b = await cli(['build', join(apps, 'hello'), '--out', out, '--cache-dir', cacheDir, '--component']);
    expect(b.exitCode).toBe(0);
    expect(b.stdout).toMatch(/hello\.component\.wasm +[\d.]+ KiB +WASI 0\.2 command component/);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.files.component).toMatchObject({
      path: 'hello.component.wasm',
      world: 'wasi:cli/command',
    });
    const bytes = await readFile(join(out, 'hello.component.wasm'));
    expect(bytes.length).toBe(manifest.files.component.size);
    // Without the flag there is none.
    const plain = await cli([
      'build',
      join(apps, 'hello'),
      '--out',
      join(tmp, 'plain'),
      '--cache-dir',
      cacheDir,
    ]);
    expect(plain.exitCode).toBe(0);
    expect(
      JSON.parse(await readFile(join(tmp, 'plain', 'manifest.json'), 'utf8')).files.component,
    ).toBeUndefined();
  });

  it('build <entry file> builds the app the file belongs to; --out is relative to the current directory', async () => {
    const app = join(tmp, 'by-file');
    await cp(join(apps, 'hello'), app, { recursive: true });
    await writeFile(join(app, 'other.txt'), 'the other entry\n');
    await writeFile(
      join(app, 'wasm-runtime.config.json'),
      JSON.stringify({ recipe: join(fixtures, 'recipe.mjs'), name: 'hello' }),
    );
    const b = await cli(['build', 'by-file/other.txt', '--out', 'out-by-file', '--cache-dir', cacheDir], tmp);
    expect(b.stderr).toBe('');
    expect(b.exitCode).toBe(0);
    expect(b.stdout).toContain('→ out-by-file/');
    const r = await cli(['run', join(tmp, 'out-by-file')]);
    expect(r.stdout).toMatch(/^0: the other entry\n/);
    const twice = await cli(['build', 'by-file/other.txt', '--entry', 'main.txt'], tmp);
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toMatch(/give the entry file once/);
  });

  it('config errors: all printed with dot paths, exit status 1, nothing written', async () => {
    const out = join(tmp, 'typo');
    const r = await cli(['build', join(apps, 'typo'), '--out', out, '--cache-dir', cacheDir]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/error\[ERR_CONFIG_INVALID\]: .*has 4 errors:\n/);
    expect(r.stderr).toMatch(/^ {2}entry: expected a path to an existing file, got "src\/mian.txt"/m);
    expect(r.stderr).toMatch(/^ {2}name: /m);
    expect(r.stderr).toMatch(/^ {2}files\.include: /m);
    expect(r.stderr).toMatch(/^ {2}colour: unknown key$/m);
    await expect(readdir(out)).rejects.toThrow();
  });

  it('an unknown language lists the installed recipes; a missing entry names the path', async () => {
    const lang = await cli(['build', join(apps, 'hello'), '--lang', 'cobol', '--cache-dir', cacheDir]);
    expect(lang.exitCode).toBe(1);
    expect(lang.stderr).toMatch(
      /lang: no recipe for the language "cobol": (no recipe is installed|installed recipes: )/,
    );
    const entry = await cli([
      'build',
      join(apps, 'hello'),
      '--entry',
      'src/mian.txt',
      '--cache-dir',
      cacheDir,
    ]);
    expect(entry.exitCode).toBe(1);
    expect(entry.stderr).toContain('entry: expected a path to an existing file, got "src/mian.txt"');
  });

  it('`fetch` fills the cache for later offline builds; offline with nothing cached is a typed error', async () => {
    const fresh = join(tmp, 'fetch-cache');
    const f = await cli(['fetch', join(apps, 'hello'), '--cache-dir', fresh]);
    expect(f.exitCode).toBe(0);
    expect(f.stdout).toMatch(/^fixture-c 1\.0\.0 \(fixture-c\): built in /);
    const b = await cli([
      'build',
      join(apps, 'hello'),
      '--offline',
      '--cache-dir',
      fresh,
      '--out',
      join(tmp, 'x'),
    ]);
    expect(b.exitCode).toBe(0);
    expect(b.stdout).toMatch(/^fetch +[\d.]+ m?s +cached$/m);

    const empty = join(tmp, 'empty-mirror');
    await mkdir(empty);
    const lua = await execa(
      process.execPath,
      [bin, 'fetch', '--lang', 'lua', '--offline', '--cache-dir', join(tmp, 'lua-cache')],
      {
        reject: false,
        env: { WASM_RUNTIME_MIRROR: empty, NO_COLOR: '' },
      },
    );
    expect(lua.exitCode).toBe(1);
    expect(lua.stdout).toBe('');
    expect(lua.stderr).toMatch(
      /^error\[ERR_ARTIFACT_OFFLINE_MISS\]: offline: .*lua-5\.4\.4\.tar\.gz.* is not in the cache/,
    );
    const unknown = await cli(['fetch', '--lang', 'cobol']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(/no recipe for the language "cobol"/);
  });

  it('a stage failure is a typed error with exit status 1; usage errors exit 2; --help exits 0', async () => {
    const trap = join(tmp, 'trap');
    await mkdir(trap);
    await writeFile(join(trap, 'main.txt'), 'TRAP\n');
    await writeFile(
      join(trap, 'wasm-runtime.config.json'),
      JSON.stringify({ recipe: join(fixtures, 'recipe.mjs') }),
    );
    const r = await cli(['build', trap, '--cache-dir', cacheDir]);
    expect(r.exitCode).toBe(1);
    // The runtime's own words first, in the user's paths; the trap in one line; no wasm backtrace.
    expect(r.stderr).toBe(
      "error[ERR_BUILD_STAGE_FAILED]: building trap failed in the preinit stage: [ERR_BUILD_INIT_FAILED] the app's initialization failed:\n" +
        'fixture: TRAP in main.txt\n' +
        '(then [ERR_PREINIT_TRAP] the `wizer-initialize` function trapped: unreachable; `wasm-runtime build --verbose` shows the wasm backtrace)\n' +
        '(the output directory was left unchanged)\n',
    );
    await expect(readdir(join(trap, 'dist'))).rejects.toThrow();
    const verbose = await cli(['build', trap, '--cache-dir', cacheDir, '--verbose']);
    expect(verbose.exitCode).toBe(1);
    expect(verbose.stderr).toMatch(/^caused by \[ERR_BUILD_INIT_FAILED\] the app's initialization failed:/m);
    expect(verbose.stderr).toMatch(/^caused by \[ERR_PREINIT_TRAP\] .*\nwasm backtrace:\n {2}0: /m);
    const usage = await cli(['build', '--bogus']);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toMatch(/^error\[ERR_CLI_USAGE\]: unknown option --bogus for build/);
    const help = await cli(['build', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage: wasm-runtime build \[dir \| entry-file\] \[options\]/);
  });
});

describe('wasm-runtime inspect, preinit, split', () => {
  it('pre-initializes, inspects and splits a module', async () => {
    const snap = join(tmp, 'snap.wasm');
    const p = await cli([
      'preinit',
      runtime,
      '-o',
      snap,
      '--allow-wasi',
      '--mapdir',
      `/app::${join(apps, 'hello')}`,
      '-r',
      '_start=fixture.run',
    ]);
    expect(p.exitCode).toBe(0);
    expect(p.stderr).toMatch(/^pre-initialized /);
    expect((await cli(['run', snap])).stdout).toMatch(/^0: hello from the cli\n/);

    const before = JSON.parse((await cli(['inspect', runtime, '--json'])).stdout);
    const after = JSON.parse((await cli(['inspect', snap, '--json'])).stdout);
    expect(before.snapshot.verdict).toBe('not-initialized');
    expect(after.snapshot.verdict).toBe('snapshot');
    const text = await cli(['inspect', snap]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^snapshot\n {2}snapshot: /m);

    const s = await cli(['split', snap, '--out-dir', join(tmp, 'split'), '--original', runtime]);
    expect(s.exitCode).toBe(0);
    const files = (await readdir(join(tmp, 'split'))).sort();
    expect(files).toEqual([
      expect.stringMatching(/^engine-[0-9a-f]{16}\.wasm$/),
      'snap.data.wasm',
      'snap.split.json',
    ]);
    const engine = JSON.parse((await cli(['inspect', join(tmp, 'split', files[0]!), '--json'])).stdout);
    expect(engine.split.role).toBe('engine');
  });

  it('a bad input is a typed error', async () => {
    const r = await cli(['inspect', join(tmp, 'none.wasm')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error\[ERR_CLI_MODULE_NOT_FOUND\]/);
    const pre = await cli(['preinit', runtime, '-o', join(tmp, 'x.wasm'), '-f', 'nope']);
    expect(pre.exitCode).toBe(1);
    expect(pre.stderr).toMatch(/^error\[ERR_PREINIT_NO_INIT_EXPORT\]/);
  });
});
