import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildResult } from '@wasm-runtime/pipeline';
import { EngineCache } from '@wasm-runtime/split';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { buildApp, type Observed, runCold, runSnapshot, runSplit } from './ways.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/pipeline/${name}/`, import.meta.url));
const tour = fixture('tour');
const input = [{ host: fixture('input'), guest: '/input' }];

let scratch: { path: string; remove: () => Promise<void> };
let tourBuild: BuildResult;
let otherBuild: BuildResult;

beforeAll(async () => {
  scratch = await tempDir('lua-pipeline-');
  tourBuild = await buildApp(tour, join(scratch.path, 'tour', 'dist'), 'tour');
  otherBuild = await buildApp(fixture('other'), join(scratch.path, 'other', 'dist'), 'other');
});
afterAll(() => scratch.remove());

/** Runs the app the three ways and checks they agree; returns what they observed. */
async function allWays(args: string[]): Promise<Observed> {
  const cold = await runCold(tour, 'tour', { args, dirs: input });
  const snapshot = await runSnapshot(tourBuild.outDir, { args, dirs: input });
  const split = await runSplit(tourBuild.outDir, { args, dirs: input });
  expect(snapshot, `monolithic snapshot, args ${args.join(' ')}`).toEqual(cold);
  expect(split, `split pair, args ${args.join(' ')}`).toEqual(cold);
  return cold;
}

describe('a Lua app through the pipeline: cold, monolithic snapshot and split pair agree', () => {
  it('modules, init-time errors, coroutines, strings and an init-time file read', async () => {
    const r = await allWays(['report']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        '============= TOUR =============',
        'first at init: a; then: b c d; done: nil',
        'pcall: false, same object: true, code 42, text E42:boom',
        'check: false negative: -1',
        'xpcall: false handled: level 3 <- level 2 <- level 1 <- deep',
        'words: 41, index of "lua": 37, longest: associative',
        'init file lines: 5, checksum 727182',
        'churn: 179997 bytes, digest e28ac2ff',
        'gsub: The Quick Brown Fox Jumps Over The Lazy Dog',
        'format: 1<number> | 2.5<number> | x<string> | true<boolean>',
        '',
      ].join('\n'),
    );
  });

  it('file reads at run time from a directory the host preopens after restore', async () => {
    const r = await allWays(['read']);
    expect(r).toEqual({
      code: 0,
      stdout: 'read 5 numbers from /input/numbers.txt, sum 146\nmissing file: nil\n',
      stderr: '',
    });
  });

  it('a build-time preopen never points at a run-time directory that took its descriptor', async () => {
    // At build time /app was descriptor 3; at run time /input is. Opening /app/numbers.txt must
    // not find /input/numbers.txt: no preopen is named /app now, which wasi-libc reports as
    // ENOTCAPABLE.
    const r = await runSplit(tourBuild.outDir, { args: ['read', '/app/numbers.txt'], dirs: input });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('cannot open: /app/numbers.txt: Capabilities insufficient\n');
    expect(await runSnapshot(tourBuild.outDir, { args: ['read', '/app/numbers.txt'], dirs: input })).toEqual(
      r,
    );
  });

  it('os.getenv sees the environment of the run, not the one init saw at build time', async () => {
    const args = ['env', 'GREETING', 'LUA_APP_ENTRY'];
    const env = { GREETING: 'hello from the host' };
    const split = await runSplit(tourBuild.outDir, { args, env });
    expect(split).toEqual({
      code: 0,
      stdout: 'GREETING=hello from the host\nLUA_APP_ENTRY=nil\n',
      stderr: '',
    });
    expect(await runSnapshot(tourBuild.outDir, { args, env })).toEqual(split);
    // The cold way runs init in the same instance, so init's own variable is still there.
    const cold = await runCold(tour, 'tour', { args, env });
    expect(cold.stdout).toBe('GREETING=hello from the host\nLUA_APP_ENTRY=/app/main.lua\n');
  });

  it('exit codes: returned integers, false, os.exit, uncaught errors of init-time values, stderr', async () => {
    expect(await allWays(['exit', '5'])).toEqual({ code: 5, stdout: '', stderr: '' });
    expect(await allWays(['exit', '0'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await allWays(['osexit', '9'])).toEqual({ code: 9, stdout: '', stderr: '' });
    expect((await allWays(['fail'])).code).toBe(1);
    const thrown = await allWays(['throw']);
    expect(thrown.code).toBe(1);
    expect(thrown.stderr).toMatch(/^lua: E42:boom\nstack traceback:\n/);
    const crashed = await allWays(['crash']);
    expect(crashed.code).toBe(1);
    expect(crashed.stderr).toMatch(/^lua: E7:uncaught\nstack traceback:\n/);
    expect(await allWays(['stderr'])).toEqual({ code: 4, stdout: 'to stdout\n', stderr: 'to stderr\n' });
    expect(await allWays(['nope'])).toEqual({ code: 2, stdout: '', stderr: 'unknown command nope\n' });
  });

  it('math.random differs between two instances of the same snapshot', async () => {
    const line = /^\d+\t\d+\n$/;
    const a = await runSplit(tourBuild.outDir, { args: ['random'] });
    const b = await runSplit(tourBuild.outDir, { args: ['random'] });
    const c = await runSnapshot(tourBuild.outDir, { args: ['random'] });
    const d = await runSnapshot(tourBuild.outDir, { args: ['random'] });
    for (const r of [a, b, c, d]) expect(r.stdout).toMatch(line);
    expect(new Set([a.stdout, b.stdout, c.stdout, d.stdout]).size).toBe(4);
  });
});

describe('what the pipeline emits for Lua', () => {
  it('two different apps share one engine file (same hash, same bytes); their data differ', async () => {
    const [a, b] = [tourBuild.manifest, otherBuild.manifest];
    expect(a.files.engine.sha256).toBe(b.files.engine.sha256);
    expect(a.files.engine.path).toBe(b.files.engine.path);
    expect(a.files.engine.path).toMatch(/^engine-[0-9a-f]{16}\.wasm$/);
    expect(a.files.data.sha256).not.toBe(b.files.data.sha256);
    const engineA = await readFile(join(tourBuild.outDir, a.files.engine.path));
    const engineB = await readFile(join(otherBuild.outDir, b.files.engine.path));
    expect(engineA.equals(engineB)).toBe(true);

    // one engine compilation serves both apps
    const cache = new EngineCache();
    const opts = { stdout: () => {}, stderr: () => {}, engineCache: cache } as const;
    const { runDist } = await import('@wasm-runtime/pipeline');
    expect((await runDist(tourBuild.outDir, { ...opts, args: ['exit', '6'] })).exitCode).toBe(6);
    expect((await runDist(otherBuild.outDir, opts)).exitCode).toBe(0);
    expect(cache.compilations).toBe(1);
  });

  it('records the recipe in the manifest: runtime, command entry, reseed, no run-time mount', () => {
    const m = tourBuild.manifest;
    expect(m.runtime).toMatchObject({ language: 'lua', name: 'lua', version: '5.4.4+wasm-runtime.3' });
    expect(m.entry).toEqual({ kind: 'command', export: '_start', file: 'main.lua' });
    expect(m.postRestore).toEqual({ call: 'wasm_runtime_reseed', hook: false });
    expect(m.mounts).toHaveLength(1);
    expect(m.mounts[0]).toMatchObject({ guest: '/app', dir: null });
    expect(m.mounts[0]?.files.map((f) => f.path).sort()).toEqual([
      'data/words.txt',
      'lib/errors.lua',
      'lib/gen.lua',
      'lib/text/init.lua',
      'lib/words.lua',
      'main.lua',
    ]);
    // init printed nothing and was flushed: no output replays from the snapshot
    expect(tourBuild.initOutput).toEqual({ stdout: '', stderr: '' });
  });

  it('is deterministic and cached: a second build reuses the runtime and writes the same bytes', async () => {
    const again = await buildApp(tour, join(scratch.path, 'again', 'dist'), 'tour');
    expect(again.runtimeFromCache).toBe(true);
    expect(again.files).toEqual(tourBuild.files);
  });
});
