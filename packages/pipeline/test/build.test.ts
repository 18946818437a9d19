// The build pipeline end to end on a recipe-less fixture runtime (fixtures/build/fixture.c, built
// with the Debian wasm32-wasi toolchain through the store's cachedBuild): build → dist → runDist.

import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WASI as NodeWASI } from 'node:wasi';
import { EngineCache } from '@wasm-runtime/split';
import { MemoryFS, ProcExit, WASI } from '@wasm-runtime/wasi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactStore,
  BuildStageError,
  build,
  ConfigError,
  DistIntegrityError,
  emitDir,
  fetchRuntime,
  InitFailedError,
  type InvalidRecipeError,
  inspectModule,
  type LoadedDist,
  loadConfig,
  loadDist,
  loadRecipeModule,
  runDist,
} from '../src/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/build/', import.meta.url));
const apps = join(fixtures, 'apps');
const cacheDir = fileURLToPath(new URL('../.cache/test-build-store/', import.meta.url));

let tmp: string;
let store: ArtifactStore;
let runtime: Uint8Array;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-build-'));
  store = new ArtifactStore({ cacheDir, offline: true });
  const { recipe } = await loadRecipeModule(join(fixtures, 'recipe.mjs'));
  runtime = (await fetchRuntime(recipe, store, { baseDir: fixtures })).bytes;
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Runs a dist (a directory or a loaded dist) with runDist, capturing stdout and stderr. */
async function runCaptured(dir: string | LoadedDist, args: string[] = [], trustDistRecipe = false) {
  const out: string[] = [];
  const err: string[] = [];
  const dec = new TextDecoder();
  const { exitCode } = await runDist(dir, {
    args,
    trustDistRecipe,
    stdin: 'ignore',
    stdout: (chunk) => out.push(dec.decode(chunk)),
    stderr: (chunk) => err.push(dec.decode(chunk)),
  });
  return { exitCode, stdout: out.join(''), stderr: err.join('') };
}

/** The reference: the original runtime, cold: _initialize, init, then the entry, in one instance. */
async function coldRun(
  app: string,
  name: string,
  entry: string,
  files: Record<string, string>,
  args: string[] = [],
) {
  const wasi = new WASI({
    args: [name, ...args],
    env: { FIXTURE_ENTRY: `/app/${entry}` },
    preopens: { '/app': new MemoryFS(files, { readOnly: true }) },
    stdout: 'buffer',
    stderr: 'buffer',
  });
  const instance = await WebAssembly.instantiate(
    await WebAssembly.compile(runtime as Uint8Array<ArrayBuffer>),
    wasi.imports as WebAssembly.Imports,
  );
  wasi.initialize(instance);
  let exitCode = 0;
  try {
    (instance.exports['wizer-initialize'] as () => void)();
    (instance.exports['fixture.run'] as () => void)();
  } catch (error) {
    if (!(error instanceof ProcExit)) throw error;
    exitCode = error.exitCode;
  }
  void app;
  return { exitCode, stdout: wasi.stdoutText(), stderr: wasi.stderrText() };
}

async function buildApp(app: string, out: string, extra: Parameters<typeof build>[1] = {}) {
  return build(join(apps, app), { store, overrides: { out }, ...extra });
}

describe('build', () => {
  it('emits the snapshot, the split pair and a manifest, and runDist gives the cold run output', async () => {
    const out = join(tmp, 'hello-dist');
    const events: string[] = [];
    const result = await buildApp('hello', out, {
      onEvent: (e) => {
        if (e.type === 'stage-start' || e.type === 'stage-end') events.push(`${e.type}:${e.stage}`);
      },
    });
    expect(events).toEqual(
      ['fetch', 'stage', 'preinit', 'split', 'forms', 'emit'].flatMap((s) => [
        `stage-start:${s}`,
        `stage-end:${s}`,
      ]),
    );
    const engine = result.manifest.files.engine.path;
    expect(engine).toMatch(/^engine-[0-9a-f]{16}\.wasm$/);
    expect((await readdir(out)).sort()).toEqual(
      [engine, 'hello.data.wasm', 'hello.wasm', 'manifest.json'].sort(),
    );
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toEqual(result.manifest);
    expect(manifest.format).toBe('wasm-runtime-dist@1');
    expect(manifest.runtime).toMatchObject({ language: 'fixture-c', name: 'fixture-c', version: '1.0.0' });
    expect(manifest.entry).toEqual({ kind: 'command', export: '_start', file: 'main.txt' });
    expect(manifest.mounts).toEqual([
      {
        guest: '/app',
        readOnly: true,
        dir: null,
        files: [expect.objectContaining({ path: 'main.txt', size: 36 })],
        // The app's own files came from the config's directory itself.
        source: '',
      },
    ]);
    expect(manifest.preinit.initFunc).toBe('wizer-initialize');
    expect(manifest.preinit.ranInitialize).toBe(true);
    expect(manifest.preinit.nondeterminism.envReads).toContain('FIXTURE_ENTRY');
    for (const file of Object.values(result.manifest.files)) {
      expect((await readFile(join(out, file.path))).length).toBe(file.size);
    }
    expect(result.sizes.engine + result.sizes.data).toBeGreaterThan(result.sizes.data);

    const cold = await coldRun('hello', 'hello', 'main.txt', {
      'main.txt': await readFile(join(apps, 'hello', 'main.txt'), 'utf8'),
    });
    expect(cold.stdout).toContain('0: hello from the snapshot\n1: second line\nchecksum ');
    const warm = await runCaptured(out);
    expect(warm).toEqual(cold);
  });

  it('passes args and returns the exit code, like the cold run', async () => {
    const out = join(tmp, 'hello-args');
    await buildApp('hello', out);
    const files = { 'main.txt': await readFile(join(apps, 'hello', 'main.txt'), 'utf8') };
    const warm = await runCaptured(out, ['exit', '7']);
    expect(warm.exitCode).toBe(7);
    expect(warm).toEqual(await coldRun('hello', 'hello', 'main.txt', files, ['exit', '7']));
  });

  it('the monolithic snapshot runs in another WASI host (node:wasi) with the same output', async () => {
    const out = join(tmp, 'hello-node');
    await buildApp('hello', out);
    const stdoutFile = join(tmp, 'node-wasi-stdout.txt');
    const fd = await import('node:fs').then((fs) => fs.openSync(stdoutFile, 'w'));
    const wasi = new NodeWASI({
      version: 'preview1',
      args: ['hello'],
      env: {},
      stdout: fd,
      returnOnExit: true,
    });
    const module = await WebAssembly.compile(await readFile(join(out, 'hello.wasm')));
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
    expect(wasi.start(instance)).toBe(0);
    (await import('node:fs')).closeSync(fd);
    expect(await readFile(stdoutFile, 'utf8')).toBe((await runCaptured(out)).stdout);
  });

  it('stages only the included files, and init reads files beside the entry', async () => {
    const out = join(tmp, 'multi');
    const result = await buildApp('multi', out);
    expect(result.manifest.mounts[0]!.files.map((f) => f.path)).toEqual(['entry.txt', 'lib/part.txt']);
    expect((await runCaptured(out)).stdout).toMatch(/^0: top\n1: from lib\n2: bottom\nchecksum \d+\n$/);
  });

  it('two apps on one runtime share one engine file (same bytes, same hash)', async () => {
    const a = await buildApp('hello', join(tmp, 'share-a'));
    const b = await buildApp('other', join(tmp, 'share-b'));
    expect(a.manifest.files.engine).toEqual(b.manifest.files.engine);
    expect(await readFile(join(a.outDir, a.manifest.files.engine.path))).toEqual(
      await readFile(join(b.outDir, b.manifest.files.engine.path)),
    );
    expect(a.manifest.files.data.sha256).not.toBe(b.manifest.files.data.sha256);
    expect((await runCaptured(b.outDir)).stdout).toContain(
      '0: another app\n1: on the same runtime\n2: third\n',
    );
  });

  it('a loaded dist runs again and again without touching its files', async () => {
    const out = join(tmp, 'hello-loaded');
    await buildApp('hello', out);
    const fromDir = [await runCaptured(out), await runCaptured(out, ['exit', '7'])];
    const loaded = await loadDist(out);
    await rm(out, { recursive: true });
    expect(await runCaptured(loaded)).toEqual(fromDir[0]);
    expect(await runCaptured(loaded, ['exit', '7'])).toEqual(fromDir[1]);
    expect(await runCaptured(loaded)).toEqual(fromDir[0]);
  });

  it('runDist compiles a shared engine once for every app and run', async () => {
    const a = await buildApp('hello', join(tmp, 'cache-a'));
    const b = await buildApp('other', join(tmp, 'cache-b'));
    const engineCache = new EngineCache();
    const quiet = {
      stdin: 'ignore' as const,
      stdout: 'ignore' as const,
      stderr: 'ignore' as const,
      engineCache,
    };
    for (const dir of [a.outDir, b.outDir, a.outDir]) expect((await runDist(dir, quiet)).exitCode).toBe(0);
    expect(engineCache.compilations).toBe(1);
    expect(engineCache.hits).toBe(2);
  });

  it('an aborted build stops with a typed error and writes nothing', async () => {
    const out = join(tmp, 'aborted');
    const controller = new AbortController();
    controller.abort(new Error('user pressed ^C'));
    const error = await buildApp('hello', out, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildStageError);
    expect((error as BuildStageError).stage).toBe('fetch');
    expect((error as Error).message).toContain('user pressed ^C');
    expect(existsSync(out)).toBe(false);
  });

  it('is deterministic: the same inputs give byte-identical dists', async () => {
    const one = join(tmp, 'det-1');
    const two = join(tmp, 'det-2');
    await buildApp('multi', one);
    await buildApp('multi', two);
    const names = (await readdir(one)).sort();
    expect((await readdir(two)).sort()).toEqual(names);
    for (const name of names) {
      expect(await readFile(join(two, name)), name).toEqual(await readFile(join(one, name)));
    }
    // Elsewhere, only the manifest's path to a recipe module given by path (relative to the dist) differs.
    const three = join(tmp, 'nested', 'elsewhere', 'det-3');
    await buildApp('multi', three);
    for (const name of names.filter((n) => n !== 'manifest.json')) {
      expect(await readFile(join(three, name)), name).toEqual(await readFile(join(one, name)));
    }
    const m1 = JSON.parse(await readFile(join(one, 'manifest.json'), 'utf8'));
    const m3 = JSON.parse(await readFile(join(three, 'manifest.json'), 'utf8'));
    expect(m3.recipe).toBe(`../../${m1.recipe}`);
    expect({ ...m3, recipe: null }).toEqual({ ...m1, recipe: null });
  });

  it('a failing stage (init traps) throws a typed error and leaves the previous dist untouched', async () => {
    const out = join(tmp, 'atomic-trap');
    await buildApp('hello', out);
    const before = await snapshotDir(out);
    const error = await buildApp('trap', out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildStageError);
    expect((error as BuildStageError).code).toBe('ERR_BUILD_STAGE_FAILED');
    expect((error as BuildStageError).stage).toBe('preinit');
    const cause = (error as BuildStageError).cause as InitFailedError;
    expect(cause).toBeInstanceOf(InitFailedError);
    expect((cause.cause as { code?: string }).code).toBe('ERR_PREINIT_TRAP');
    // What the runtime printed before it failed leads the message, with the guest's /app/main.txt
    // shown as the user's main.txt; the trap is one line after it, its wasm backtrace in the cause.
    expect((error as BuildStageError).message).toMatch(
      /\[ERR_BUILD_INIT_FAILED\] the app's initialization failed:\nfixture: TRAP in main\.txt\n\(then \[ERR_PREINIT_TRAP\] the `wizer-initialize` function trapped: /,
    );
    expect((error as BuildStageError).message).not.toContain('wasm backtrace:');
    expect((cause.cause as Error).message).toContain('wasm backtrace');
    expect(await snapshotDir(out)).toEqual(before);
    expect((await readdir(tmp)).filter((n) => n.startsWith('.atomic-trap'))).toEqual([]);
  });

  it('a failure in the middle of emit leaves no half-written dist and no debris', async () => {
    const out = join(tmp, 'atomic-emit');
    await buildApp('hello', out);
    const before = await snapshotDir(out);
    let written = 0;
    const error = await buildApp('other', out, {
      onEvent: (e) => {
        if (e.type === 'file' && ++written === 2) throw new Error('disk full (injected)');
      },
    }).catch((e: unknown) => e);
    expect(written).toBe(2);
    expect((error as BuildStageError).stage).toBe('emit');
    expect(await snapshotDir(out)).toEqual(before);
    expect((await readdir(tmp)).filter((n) => n.startsWith('.atomic-emit'))).toEqual([]);

    const fresh = join(tmp, 'atomic-fresh');
    written = 0;
    await buildApp('other', fresh, {
      onEvent: (e) => {
        if (e.type === 'file' && ++written === 2) throw new Error('disk full (injected)');
      },
    }).catch(() => undefined);
    expect(existsSync(fresh)).toBe(false);
  });

  it('refuses to replace a directory that is not a dist', async () => {
    const out = join(tmp, 'precious');
    await mkdir(out);
    await writeFile(join(out, 'thesis.tex'), 'years of work');
    const error = await buildApp('hello', out).catch((e: unknown) => e);
    expect((error as BuildStageError).stage).toBe('emit');
    expect(((error as BuildStageError).cause as { code?: string }).code).toBe('ERR_BUILD_OUT_NOT_DIST');
    expect(await readFile(join(out, 'thesis.tex'), 'utf8')).toBe('years of work');
    await expect(emitDir(out, [{ path: 'x', bytes: 'y' }])).rejects.toThrow(/refusing to replace/);
  });

  it('an entry export the runtime lacks is a recipe error named by its dot path', async () => {
    const { recipe } = await loadRecipeModule(join(fixtures, 'recipe.mjs'));
    const error = await build(
      {
        name: 'noentry',
        root: join(apps, 'hello'),
        recipe: { ...recipe, entry: { kind: 'command', export: 'fixture.nope' } },
        out: join(tmp, 'noentry'),
      },
      { store },
    ).catch((e: unknown) => e);
    expect((error as BuildStageError).stage).toBe('preinit');
    const cause = (error as BuildStageError).cause as InvalidRecipeError;
    expect(cause.code).toBe('ERR_RECIPE_INVALID');
    expect(cause.issues).toEqual([
      { path: 'entry.export', message: expect.stringContaining('renamed from "fixture.nope"') },
    ]);
    expect(existsSync(join(tmp, 'noentry'))).toBe(false);
  });

  it('runDist refuses a dist whose files do not match the manifest', async () => {
    const out = join(tmp, 'tampered');
    const result = await buildApp('hello', out);
    const data = join(out, result.manifest.files.data.path);
    const bytes = await readFile(data);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    await writeFile(data, bytes);
    await expect(runCaptured(out)).rejects.toBeInstanceOf(DistIntegrityError);
    await expect(runDist(join(tmp, 'nope'))).rejects.toMatchObject({ code: 'ERR_DIST_INVALID' });
  });

  it('ships mounts marked atRuntime and preopens them in runDist', async () => {
    const { recipe } = await loadRecipeModule(join(fixtures, 'recipe.mjs'));
    const app = join(tmp, 'runtime-mount-app');
    await cp(join(apps, 'hello'), app, { recursive: true });
    await rm(join(app, 'wasm-runtime.config.json'));
    const out = join(tmp, 'runtime-mount');
    const result = await build(
      {
        name: 'rt',
        root: app,
        recipe: { ...recipe, stage: { mounts: [{ guest: '/app', atRuntime: true }] } },
        out,
      },
      { store },
    );
    expect(result.manifest.mounts[0]!.dir).toBe('files/app');
    expect(await readFile(join(out, 'files/app/main.txt'), 'utf8')).toBe(
      await readFile(join(app, 'main.txt'), 'utf8'),
    );
    expect((await runCaptured(out)).exitCode).toBe(0);
  });

  it("stages a mount of the runtime's own directory (root: runtime), the entry staying in the app's", async () => {
    const { recipe } = await loadRecipeModule(join(fixtures, 'recipe.mjs'));
    const app = join(tmp, 'runtime-root-app');
    await cp(join(apps, 'hello'), app, { recursive: true });
    await rm(join(app, 'wasm-runtime.config.json'));
    const out = join(tmp, 'runtime-root');
    const mounts = [
      { guest: '/runtime', root: 'runtime', include: ['*.wasm'], atRuntime: true },
      { guest: '/app' },
    ] as const;
    const result = await build(
      { name: 'rr', root: app, recipe: { ...recipe, stage: { mounts } }, out },
      { store },
    );
    const [runtimeMount, appMount] = result.manifest.mounts;
    expect(runtimeMount).toMatchObject({ guest: '/runtime', dir: 'files/runtime' });
    expect(runtimeMount!.files.map((f) => [f.path, f.size])).toEqual([['fixture.wasm', runtime.length]]);
    expect(appMount!.files.map((f) => f.path)).toContain('main.txt');
    expect(new Uint8Array(await readFile(join(out, 'files/runtime/fixture.wasm')))).toEqual(runtime);
    expect((await runCaptured(out)).exitCode).toBe(0);
  });
});

describe('post-restore', () => {
  it('calls the recipe export, then its JS hook (the recipe loaded again from the manifest), before the entry', async () => {
    const module = join(tmp, 'hooked-recipe.mjs');
    await writeFile(
      module,
      `import { recipe as base } from ${JSON.stringify(pathToFileURL(join(fixtures, 'recipe.mjs')).href)};
export const recipe = {
  ...base,
  postRestore: {
    call: 'fixture.reseed',
    hook: (instance, context) => {
      (globalThis.hookCalls ??= []).push({ lines: instance.exports['fixture.count'](), args: context.args, name: context.manifest.name });
    },
  },
};
`,
    );
    const out = join(tmp, 'hooked');
    const result = await build({ name: 'hooked', root: join(apps, 'hello'), recipe: module, out }, { store });
    expect(result.manifest.postRestore).toEqual({ call: 'fixture.reseed', hook: true });
    expect(result.manifest.recipe).toBe('../hooked-recipe.mjs');
    const calls: unknown[] = [];
    (globalThis as { hookCalls?: unknown[] }).hookCalls = calls;
    // The hook is a file the dist names, the dist's own JavaScript: refused unless trusted.
    await expect(runCaptured(out, ['x'])).rejects.toMatchObject({ code: 'ERR_DIST_INVALID' });
    await expect(runCaptured(out, ['x'])).rejects.toThrow(/a file the dist names.*--trust-dist-recipe/);
    expect(calls).toEqual([]);
    const run = await runCaptured(out, ['x'], true);
    expect(run.stdout).toMatch(/^reseeded after restore\n0: hello from the snapshot\n/);
    expect(calls).toEqual([{ lines: 2, args: ['x'], name: 'hooked' }]);
    // The same app without the post-restore step prints no mark.
    expect((await runCaptured(join(tmp, 'hello-dist'))).stdout).not.toContain('reseeded');

    // A recipe package is resolved where the runner is installed, never from the dist's directory.
    const evil = join(tmp, 'evil-dist');
    await cp(out, evil, { recursive: true });
    const manifestPath = join(evil, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.recipe = '@wasm-runtime/evil-recipe';
    await writeFile(manifestPath, JSON.stringify(manifest));
    await mkdir(join(evil, 'node_modules', '@wasm-runtime', 'evil-recipe'), { recursive: true });
    await writeFile(
      join(evil, 'node_modules', '@wasm-runtime', 'evil-recipe', 'package.json'),
      JSON.stringify({ name: '@wasm-runtime/evil-recipe', type: 'module', main: 'index.js' }),
    );
    await writeFile(
      join(evil, 'node_modules', '@wasm-runtime', 'evil-recipe', 'index.js'),
      'globalThis.evilRan = true; export const recipe = {};\n',
    );
    await expect(runCaptured(evil, [], true)).rejects.toThrow(/which cannot be found: install it/);
    expect((globalThis as { evilRan?: boolean }).evilRan).toBeUndefined();
  });
});

describe('host state', () => {
  it('a file init left open is refused unless its mount ships, then restored at its position', async () => {
    const refused = await buildApp('held', join(tmp, 'held-refused')).catch((e: unknown) => e);
    expect((refused as BuildStageError).stage).toBe('preinit');
    expect(((refused as BuildStageError).cause as { code?: string }).code).toBe('ERR_BUILD_UNSHIPPED_STATE');
    expect((refused as Error).message).toContain('/app/data.txt open');

    const { recipe } = await loadRecipeModule(join(fixtures, 'recipe.mjs'));
    const out = join(tmp, 'held');
    const result = await build(
      {
        name: 'held',
        root: join(apps, 'held'),
        recipe: { ...recipe, stage: { mounts: [{ guest: '/app', atRuntime: true }] } },
        out,
      },
      { store },
    );
    expect(result.manifest.hostState?.fds).toContainEqual(
      expect.objectContaining({ kind: 'file', mount: '/app', path: 'data.txt', position: 5 }),
    );
    const warm = await runCaptured(out);
    expect(warm.stdout).toContain('held: the rest of the data\n');
    const files = Object.fromEntries(
      await Promise.all(
        ['main.txt', 'data.txt'].map(async (f) => [f, await readFile(join(apps, 'held', f), 'utf8')]),
      ),
    );
    expect(warm).toEqual(await coldRun('held', 'held', 'main.txt', files));
  });
});

describe('config errors', () => {
  it('a missing entry file is named with its dot path, and every error is reported', async () => {
    const result = await loadConfig(join(apps, 'hello'), {
      overrides: { entry: 'src/mian.txt', name: 'bad name!' },
    });
    expect(result.value).toBeUndefined();
    const messages = result.errors.map((e) => `${e.path}: ${e.message}`);
    expect(messages).toContainEqual(
      expect.stringMatching(/^entry: expected a path to an existing file, got "src\/mian.txt"/),
    );
    expect(messages).toContainEqual(expect.stringMatching(/^name: expected a file-name-safe name/));
    await expect(
      build(join(apps, 'hello'), { store, overrides: { entry: 'src/mian.txt' } }),
    ).rejects.toBeInstanceOf(ConfigError);
  });

  it('an unknown language lists the installed recipes', async () => {
    const dir = join(tmp, 'with-recipes');
    const pkg = join(dir, 'node_modules', '@wasm-runtime', 'fixture-c');
    await mkdir(pkg, { recursive: true });
    await writeFile(
      join(pkg, 'package.json'),
      JSON.stringify({ name: '@wasm-runtime/fixture-c', type: 'module', exports: './index.js' }),
    );
    await writeFile(
      join(pkg, 'index.js'),
      `export { recipe } from ${JSON.stringify(join(fixtures, 'recipe.mjs'))};\n`,
    );
    await writeFile(join(dir, 'main.txt'), 'found by language\n');
    const unknown = await loadConfig(dir, { overrides: { lang: 'cobol' } });
    expect(unknown.errors).toHaveLength(1);
    expect(unknown.errors[0]!.path).toBe('lang');
    expect(unknown.errors[0]!.message).toContain('no recipe for the language "cobol"');
    expect(unknown.errors[0]!.message).toMatch(/installed recipes: .*fixture-c/);
    // A typo of an installed language, or of one this project publishes, suggests it.
    const typo = await loadConfig(dir, { overrides: { lang: 'fixture-cc' } });
    expect(typo.errors[0]!.message).toMatch(/Did you mean "fixture-c"\? \(installed\)$/);
    const lau = await loadConfig(dir, { overrides: { lang: 'lau' } });
    expect(lau.errors[0]!.message).toMatch(
      /Did you mean "lua"\? \((installed|npm install -D @wasm-runtime\/lua)\)$/,
    );
    const upper = await loadConfig(dir, { overrides: { lang: 'Cobol' } });
    expect(upper.errors[0]!.message).not.toContain('@wasm-runtime/Cobol');
    expect(upper.errors[0]!.message).toContain('lowercase');

    // And the installed one is found by its language name and builds.
    const result = await build(dir, { store, overrides: { lang: 'fixture-c', out: join(tmp, 'by-lang') } });
    expect(result.manifest.recipe).toBe('@wasm-runtime/fixture-c');
    expect((await runCaptured(result.outDir)).stdout).toContain('0: found by language\n');
  });
});

describe('inspect', () => {
  it('tells a snapshot from its runtime, and the engine from the app module', async () => {
    const out = join(tmp, 'inspect');
    const result = await buildApp('hello', out);
    const original = inspectModule(runtime);
    expect(original.snapshot.verdict).toBe('not-initialized');
    expect(original.exports.map((e) => e.name)).toContain('wizer-initialize');
    const snap = inspectModule(await readFile(join(out, 'hello.wasm')));
    expect(snap.snapshot.verdict).toBe('snapshot');
    expect(snap.exports.map((e) => e.name)).toContain('_start');
    expect(snap.exports.map((e) => e.name)).not.toContain('_initialize');
    expect(snap.data.nonZeroBytes).toBe(result.manifest.preinit.snapshotNonZeroBytes);
    expect(snap.sections.reduce((n, s) => n + s.size, 8)).toBe(snap.size);
    expect(inspectModule(await readFile(join(out, result.manifest.files.engine.path))).split).toEqual({
      role: 'engine',
      importModule: 'wasm-runtime:app',
    });
    expect(inspectModule(await readFile(join(out, 'hello.data.wasm'))).split.role).toBe('app');
  });
});

async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort())
    out[name] = (await readFile(join(dir, name))).toString('base64');
  return out;
}
