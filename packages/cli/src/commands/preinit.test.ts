import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactStore, fetchRuntime, loadRecipeModule } from '@wasm-runtime/pipeline';
import { WASI } from '@wasm-runtime/wasi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../../test/helpers/streams.js';
import { parsePreinitArgs, preinitCommand } from './preinit.js';
import { parseSplitArgs, splitCommand } from './split.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/build/', import.meta.url));
const cacheDir = fileURLToPath(new URL('../../test/.build/store/', import.meta.url));

let tmp: string;
let runtimePath: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-preinit-'));
  const { recipe } = await loadRecipeModule(join(fixtures, 'recipe.mjs'));
  const runtime = await fetchRuntime(recipe, new ArtifactStore({ cacheDir, offline: true }), {
    baseDir: fixtures,
  });
  runtimePath = join(tmp, 'runtime.wasm');
  await writeFile(runtimePath, runtime.bytes);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function runCommand(path: string): Promise<string> {
  const wasi = new WASI({ args: ['snap'], stdout: 'buffer' });
  const instance = await WebAssembly.instantiate(
    await WebAssembly.compile(await readFile(path)),
    wasi.imports as WebAssembly.Imports,
  );
  expect(wasi.start(instance)).toBe(0);
  return wasi.stdoutText();
}

describe('preinit', () => {
  it('parses Wizer flags plus --json, and requires an input and -o', () => {
    expect(
      parsePreinitArgs([
        'in.wasm',
        '-o',
        'out.wasm',
        '--allow-wasi',
        '--mapdir',
        '/app::x',
        '-r',
        '_start=run',
        '--json',
      ]),
    ).toMatchObject({
      input: 'in.wasm',
      output: 'out.wasm',
      allowWasi: true,
      mapdirs: [['/app', 'x']],
      renameFuncs: [['_start', 'run']],
      initFunc: 'wizer-initialize',
      json: true,
    });
    expect(() => parsePreinitArgs(['-o', 'x.wasm'])).toThrow(/needs an input module/);
    expect(() => parsePreinitArgs(['in.wasm'])).toThrow(/needs an output/);
    expect(() => parsePreinitArgs(['in.wasm', '-o', 'x', '--bogus'])).toThrow(
      expect.objectContaining({ code: 'ERR_CLI_USAGE' }),
    );
  });

  it('pre-initializes with a mapped directory and renamed entry; the snapshot runs as a command', async () => {
    const out = join(tmp, 'snap.wasm');
    const c = capture();
    const options = parsePreinitArgs([
      runtimePath,
      '-o',
      out,
      '--allow-wasi',
      '--mapdir',
      `/app::${join(fixtures, 'apps', 'hello')}`,
      '-r',
      '_start=fixture.run',
    ]);
    expect(await preinitCommand(options, c.streams)).toBe(0);
    expect(c.stderr()).toMatch(/^pre-initialized .*snap\.wasm: [\d.]+ KiB → [\d.]+ KiB\nmemory 0: \d+ pages/);
    expect(await runCommand(out)).toMatch(/^0: hello from the cli\nchecksum \d+\n$/);

    const j = capture();
    await preinitCommand({ ...options, output: join(tmp, 'snap2.wasm'), json: true }, j.streams);
    expect(JSON.parse(j.stdout()).report).toMatchObject({
      initFunc: 'wizer-initialize',
      ranInitialize: true,
    });
    expect(await readFile(join(tmp, 'snap2.wasm'))).toEqual(await readFile(out));
  });

  it('a missing init export is a typed error and writes nothing', async () => {
    const out = join(tmp, 'never.wasm');
    await expect(
      preinitCommand({ input: runtimePath, output: out, initFunc: 'nope' }, capture().streams),
    ).rejects.toMatchObject({
      code: 'ERR_PREINIT_NO_INIT_EXPORT',
    });
    expect((await readdir(tmp)).filter((n) => n.startsWith('never'))).toEqual([]);
  });
});

describe('split', () => {
  it('parses its options', () => {
    expect(
      parseSplitArgs([
        's.wasm',
        '--out-dir',
        'd',
        '--name',
        'app',
        '--original=r.wasm',
        '--no-compact',
        '--json',
      ]),
    ).toEqual({
      snapshot: 's.wasm',
      outDir: 'd',
      name: 'app',
      original: 'r.wasm',
      noCompact: true,
      json: true,
    });
    expect(() => parseSplitArgs(['s.wasm'])).toThrow(/needs --out-dir/);
    expect(() => parseSplitArgs(['--out-dir', 'd'])).toThrow(/needs a snapshot/);
    expect(() => parseSplitArgs(['s.wasm', '-o', 'd', '--name', '../x'])).toThrow(/--name/);
  });

  it('writes the engine, the app module and the split manifest', async () => {
    const snap = join(tmp, 'split-in.wasm');
    await preinitCommand(
      {
        input: runtimePath,
        output: snap,
        allowWasi: true,
        mapdirs: [['/app', join(fixtures, 'apps', 'hello')]],
        renameFuncs: [['_start', 'fixture.run']],
      },
      capture().streams,
    );
    const dir = join(tmp, 'split-out');
    const c = capture();
    expect(await splitCommand({ snapshot: snap, outDir: dir, original: runtimePath }, c.streams)).toBe(0);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual([
      expect.stringMatching(/^engine-[0-9a-f]{16}\.wasm$/),
      'split-in.data.wasm',
      'split-in.split.json',
    ]);
    expect(c.stdout()).toContain('tables verified against the runtime');
    const manifest = JSON.parse(await readFile(join(dir, 'split-in.split.json'), 'utf8'));
    expect(manifest.engine.file).toBe(files[0]);

    const j = capture();
    await splitCommand({ snapshot: snap, outDir: dir, name: 'again', json: true }, j.streams);
    expect(JSON.parse(j.stdout()).files).toEqual({
      engine: files[0],
      app: 'again.data.wasm',
      manifest: 'again.split.json',
    });
    await expect(
      splitCommand({ snapshot: runtimePath, outDir: dir }, capture().streams),
    ).rejects.toMatchObject({
      code: 'ERR_SPLIT_NOT_PREINITIALIZED',
    });
  });
});
