// A Python dist on a real Wasmtime: CPython uses no exception handling, so its one snapshot and
// engine serve every host. The monolithic snapshot, the split pair via --preload and the component,
// each with the dist's files preopened where init saw them (the app at /app, the standard library
// at /usr/local/lib), give the same stdout, stderr and exit code as our host (runDist).

import { join } from 'node:path';
import { type BuildResult, build, runDist } from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allWaysOnWasmtime, expectedWays } from '../../../packages/pipeline/test/support/wasmtime-dist.mjs';
import { recipe } from '../src/index.js';
import { appDir, tempDir, testStore } from './helpers.js';

let scratch: { path: string; remove: () => Promise<void> };
let result: BuildResult;

beforeAll(async () => {
  scratch = await tempDir('python-wasmtime-');
  const root = appDir('tour');
  result = await build(
    {
      name: 'tour',
      recipe,
      root,
      out: join(scratch.path, 'dist'),
      component: true,
      options: { hashSeed: 1 },
    },
    { store: testStore(), baseDir: root },
  );
}, 600_000);
afterAll(() => scratch?.remove());

async function ours(args: string[], stdin = '') {
  const run = await runDist(result.outDir, {
    args,
    stdin: { text: stdin },
    stdout: 'buffer',
    stderr: 'buffer',
  });
  const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
  return { stdout: text(run.stdout), stderr: text(run.stderr), exitCode: run.exitCode };
}

// Wasmtime compiles the 9 MB snapshot, the engine and the component once each (then caches them by
// sha256): minutes on a busy 2-core machine.
describe('a Python dist on a real Wasmtime', { timeout: 900_000 }, () => {
  it('needs no other form: the manifest says none, and ships the files Wasmtime must preopen', () => {
    const files = result.manifest.files;
    expect(files.snapshot.exceptions).toBe('none');
    expect(files.engineExnref).toBeUndefined();
    expect(files.component).toMatchObject({ exceptions: 'none', world: 'wasi:cli/command' });
    expect(result.manifest.mounts.map((m) => [m.guest, m.dir])).toEqual([
      ['/app', 'files/app'],
      ['/usr/local/lib', 'files/usr/local/lib'],
    ]);
  });

  it.each([
    ['json, re, dataclasses, decimal, datetime and a data file read at init', ['report'], ''],
    ['lazy imports after restore, from the app and the standard library', ['lazy'], ''],
    ['a data file read at run time', ['runtime-file'], ''],
    ['stdin', ['stdin'], "one two\nthree four's\n"],
    ['an uncaught exception (traceback, exit 1)', ['boom'], ''],
    ['SystemExit(3)', ['exit'], ''],
  ])('snapshot, split pair and component give what runDist gives: %s', async (_name, args, stdin) => {
    const mine = await ours(args, stdin);
    expect(mine.stdout + mine.stderr).not.toBe(''); // each case prints what the hosts must agree on
    expect(await allWaysOnWasmtime(result.outDir, { args, stdin })).toEqual(
      await expectedWays(result.outDir, mine),
    );
  });
});
