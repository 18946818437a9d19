import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WasmRuntimeError } from '@wasm-runtime/errors';
import { type BuildResult, build, loadDist, runDist } from '@wasm-runtime/pipeline';
import { link } from '@wasm-runtime/split';
import { WASI } from '@wasm-runtime/wasi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRubyInstance, RubyInstance } from '../src/index.js';
import { appDir, rubyModule, TEMPLATE_DIR, tempDir, testStore } from './helpers.js';
import { buildApp, type Observed, type RunOptions, runCold, runSnapshot, runSplit } from './ways.js';

const features = appDir('features');
let scratch: { path: string; remove: () => Promise<void> };
let featuresBuild: BuildResult;

beforeAll(async () => {
  scratch = await tempDir('ruby-pipeline-');
  featuresBuild = await buildApp(features, join(scratch.path, 'features', 'dist'), 'features');
});
afterAll(() => scratch.remove());

/** Runs the app cold, from the monolithic snapshot and from the split pair; they must agree. */
async function allWays(options: RunOptions): Promise<Observed> {
  const what = (options.args ?? []).join(' ');
  const cold = await runCold(features, 'features', options);
  const snapshot = await runSnapshot(featuresBuild.outDir, options);
  const split = await runSplit(featuresBuild.outDir, options);
  expect(snapshot, `monolithic snapshot, args ${what}`).toEqual(cold);
  expect(split, `split pair, args ${what}`).toEqual(cold);
  return cold;
}

describe('a Ruby app through the pipeline: cold, monolithic snapshot and split pair agree', () => {
  it('classes and data built at init, json and set, ARGV, $0, ENV and stdin at run time', async () => {
    const r = await allWays({ args: ['report', 'x y'], env: { SHOP: 'corner' }, stdin: 'a1 d4\nb2\n' });
    expect(r).toEqual({
      code: 0,
      stdout: [
        'catalog of 4 items, 5 tags',
        'argv=["report", "x y"] $0=features',
        'env SHOP="corner"',
        '[{"sku":"a1","name":"kettle","price":24.5},{"sku":"d4","name":"cheese","price":11.75,"days":20},{"sku":"b2","name":"bread","price":3.25,"days":3}]',
        'total 39.50',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('exit codes: exit 3, a returned integer, abort, an uncaught exception with Ruby report', async () => {
    expect(await allWays({ args: ['exit3'] })).toEqual({ code: 3, stdout: 'leaving\n', stderr: '' });
    expect(await allWays({ args: ['return5'] })).toEqual({ code: 5, stdout: '', stderr: '' });
    expect(await allWays({ args: ['abort'] })).toEqual({
      code: 1,
      stdout: 'before abort',
      stderr: 'aborting: out of stock\n',
    });
    const raised = await allWays({ args: ['raise'] });
    expect(raised.code).toBe(1);
    expect(raised.stdout).toBe('');
    // Ruby's own report: where, message, class, then the backtrace through the app's files.
    expect(raised.stderr).toMatch(
      /^\/app\/lib\/inventory\.rb:\d+:in 'block in Inventory::Catalog#fetch': unknown sku no-such-sku \(Inventory::UnknownSku\)\n\tfrom /,
    );
    // The report ends at the app's own frames: none of the recipe's prelude or run expression.
    expect(raised.stderr).toMatch(/\tfrom \/app\/main\.rb:\d+:in 'Object#main'\n$/);
  });

  it('at_exit blocks run after main, last registered first, those registered at init too', async () => {
    expect(await allWays({ args: ['at_exit'] })).toEqual({
      code: 0,
      stdout: 'main done\nrun-time at_exit ran\ninit-time at_exit ran\n',
      stderr: '',
    });
    // `exit 4` in an at_exit block sets the status, as in Ruby.
    expect(await allWays({ args: ['at_exit_status'] })).toEqual({
      code: 4,
      stdout: 'init-time at_exit ran\n',
      stderr: '',
    });
  });

  it('require_relative of an app file and require of a stdlib library not loaded at init', async () => {
    expect(await allWays({ args: ['lazy'] })).toEqual({
      code: 0,
      stdout: 'late-loaded: 2 perishable\n42 items\n',
      stderr: '',
    });
  });

  it('a run that allocates through several GCs after restore keeps its live data and init-time objects', async () => {
    expect(await allWays({ args: ['gc'] })).toEqual({
      code: 0,
      stdout: 'live data intact: true; catalog intact: a1,b2,c3,d4\ncollections: several\n',
      stderr: '',
    });
  });

  it('Time.now is the real clock after restore', async () => {
    expect(await allWays({ args: ['time'] })).toEqual({ code: 0, stdout: 'real clock\n', stderr: '' });
  });
});

describe('snapshot hygiene', () => {
  it('ENV is the run environment: init-time variables are gone', async () => {
    const options = { args: ['env', 'SHOP', 'RUBY_APP_ENTRY'], env: { SHOP: 'kiosk' } };
    const split = await runSplit(featuresBuild.outDir, options);
    expect(split).toEqual({ code: 0, stdout: 'SHOP="kiosk"\nRUBY_APP_ENTRY=nil\n', stderr: '' });
    expect(await runSnapshot(featuresBuild.outDir, options)).toEqual(split);
  });

  it('two starts of one snapshot draw different rand values', async () => {
    const outputs = [
      await runSplit(featuresBuild.outDir, { args: ['rand'] }),
      await runSplit(featuresBuild.outDir, { args: ['rand'] }),
      await runSnapshot(featuresBuild.outDir, { args: ['rand'] }),
      await runSnapshot(featuresBuild.outDir, { args: ['rand'] }),
    ].map((r) => {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^\d+\n\d+\n$/);
      return r.stdout;
    });
    expect(new Set(outputs).size).toBe(4);
  });

  it('JS interop fails with an error naming the import (any WASI host can run the module)', async () => {
    const err: Buffer[] = [];
    const run = runDist(featuresBuild.outDir, {
      args: ['js'],
      env: {},
      stdin: new Uint8Array(0),
      stdout: 'ignore',
      stderr: (chunk) => err.push(Buffer.from(chunk)),
    });
    await expect(run).rejects.toThrow(WebAssembly.RuntimeError);
    expect(Buffer.concat(err).toString()).toMatch(
      /^wasm-runtime\/ruby: the app called rb-js-abi-host\.[\w-]+: JS interop \(require "js"\) is not supported/,
    );
    const imports = WebAssembly.Module.imports(
      new WebAssembly.Module(
        await readFile(join(featuresBuild.outDir, featuresBuild.manifest.files.snapshot.path)),
      ),
    );
    expect(imports.filter((i) => i.module !== 'wasi_snapshot_preview1')).toEqual([]);
  });
});

describe('the reactor entry (string in, string out) for JS callers', () => {
  it('calls top-level methods of the split pair and of a cold instance alike; errors are typed', async () => {
    const wasi = new WASI({ args: ['features'], env: {}, stdout: 'buffer', stderr: 'buffer' });
    const dist = await loadDist(featuresBuild.outDir);
    const { instance } = await link(dist.engine, dist.data, wasi.imports as WebAssembly.Imports, {
      manifest: dist.manifest.split,
    });
    wasi.bindMemory(instance.exports['memory'] as WebAssembly.Memory);
    const snapshot = new RubyInstance(instance);

    const coldWasi = new WASI({
      args: ['features'],
      env: { RUBY_APP_ENTRY: '/app/main.rb' },
      preopens: { '/app': { dir: features, readOnly: true } },
      stdout: 'buffer',
      stderr: 'buffer',
    });
    const cold = await createRubyInstance({
      module: await rubyModule(),
      imports: coldWasi.imports as WebAssembly.Imports,
      start: (i) => coldWasi.initialize(i),
    });

    for (const ruby of [snapshot, cold]) {
      expect(ruby.callText('greet', 'Zoë')).toBe('hello, Zoë (4 items, UTF-8)');
      expect(ruby.callText('price_of', 'd4')).toBe('11.75');
      // Quotes and interpolation in the input are data, never Ruby code.
      expect(ruby.callText('greet', '"); exit!(9); ("')).toBe('hello, "); exit!(9); (" (4 items, UTF-8)');
      expect(() => ruby.call('price_of', 'zz')).toThrow(
        expect.objectContaining({
          code: 'ERR_RUBY_CALL_FAILED',
          message: expect.stringContaining('unknown sku zz (Inventory::UnknownSku)'),
        }),
      );
      expect(() => ruby.call('no_such_method', '')).toThrow(
        expect.objectContaining({ code: 'ERR_RUBY_NO_FUNCTION' }),
      );
      // The instance keeps working after errors.
      expect(ruby.callText('price_of', 'a1')).toBe('24.50');
    }
  });
});

describe('what the pipeline emits for Ruby', () => {
  it("an exception while loading the app fails the build with Ruby's report and writes no dist", async () => {
    const out = join(scratch.path, 'broken', 'dist');
    const error = await buildApp(appDir('broken'), out, 'broken').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WasmRuntimeError);
    const message = (error as Error).message;
    // Ruby's report leads, in the user's paths (the pipeline maps /app back to the source tree).
    expect(message).toContain('[ERR_BUILD_INIT_FAILED]');
    expect(message).toMatch(/wasm-runtime\/ruby: init failed while loading \S*main\.rb:\n/);
    expect(message).toContain("unexpected token at '{ not json' (JSON::ParserError)");
    expect(message).toMatch(/\tfrom \S*main\.rb:4:in 'Object#settings'\n/);
    expect(message).not.toContain('/app/');
    expect(existsSync(out)).toBe(false);
  });

  it('two apps (the fixture and the template) share one engine file; their data differ', async () => {
    // The template as the scaffolder copies it, built from its wasm-runtime.config.json (lang ruby).
    const app = join(scratch.path, 'words');
    await cp(TEMPLATE_DIR, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
    const template = await build(app, { store: testStore() });
    expect(template.manifest.recipe).toBe('@wasm-runtime/ruby');
    expect(template.manifest.mounts[0]?.files.map((f) => f.path).sort()).toEqual([
      'lib/report.rb',
      'main.rb',
      'settings.json',
    ]);
    expect(template.manifest.files.engine).toEqual(featuresBuild.manifest.files.engine);
    const [a, b] = await Promise.all([
      readFile(join(featuresBuild.outDir, featuresBuild.manifest.files.engine.path)),
      readFile(join(template.outDir, template.manifest.files.engine.path)),
    ]);
    expect(Buffer.compare(a, b)).toBe(0);
    expect(template.manifest.files.data.sha256).not.toBe(featuresBuild.manifest.files.data.sha256);
    // The template runs from its own dist: reads input, uses json and its classes, prints.
    const r = await runSplit(template.outDir, { args: ['--top', '2'], stdin: TEMPLATE_INPUT });
    expect(r).toEqual({ code: 0, stdout: TEMPLATE_OUTPUT, stderr: '' });
    expect(await runCold(join(app, 'src'), 'words', { args: ['--top', '2'], stdin: TEMPLATE_INPUT })).toEqual(
      r,
    );
  });
});

const TEMPLATE_INPUT = 'the cat sat on the mat\nthe dog sat\n';
const TEMPLATE_OUTPUT = '{"words":5,"top":[{"word":"sat","count":2},{"word":"cat","count":1}]}\n';
