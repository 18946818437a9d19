// A Ruby dist on a real Wasmtime: ruby.wasm uses no exception handling, so its one snapshot and
// engine serve every host. The monolithic snapshot, the split pair via --preload and the component
// give the same stdout, stderr and exit code as our host (runDist).

import { join } from 'node:path';
import { type BuildResult, build, runDist } from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allWaysOnWasmtime, expectedWays } from '../../../packages/pipeline/test/support/wasmtime-dist.mjs';
import { recipe } from '../src/index.js';
import { appDir, tempDir, testStore } from './helpers.js';

let scratch: { path: string; remove: () => Promise<void> };
let result: BuildResult;

beforeAll(async () => {
  scratch = await tempDir('ruby-wasmtime-');
  const root = appDir('features');
  result = await build(
    { name: 'features', recipe, root, out: join(scratch.path, 'dist'), component: true },
    { store: testStore(), baseDir: root },
  );
});
afterAll(() => scratch.remove());

async function ours(args: string[]) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const { exitCode } = await runDist(result.outDir, {
    args,
    stdin: 'ignore',
    stdout: (chunk) => out.push(Buffer.from(chunk)),
    stderr: (chunk) => err.push(Buffer.from(chunk)),
  });
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), exitCode };
}

// Wasmtime compiles the 30 MB snapshot, engine and component once each (then caches them by sha256):
// minutes on a busy 2-core machine.
describe('a Ruby dist on a real Wasmtime', { timeout: 900_000 }, () => {
  it('needs no other form: the manifest says none', () => {
    const files = result.manifest.files;
    expect(files.snapshot.exceptions).toBe('none');
    expect(files.engineExnref).toBeUndefined();
    expect(files.component).toMatchObject({ exceptions: 'none', world: 'wasi:cli/command' });
  });

  it.each([[['report', 'x y']], [['exit3']], [['abort']]])(
    'snapshot, split pair and component give what runDist gives: %j',
    async (args) => {
      const mine = await ours(args);
      expect(await allWaysOnWasmtime(result.outDir, { args })).toEqual(
        await expectedWays(result.outDir, mine),
      );
    },
  );
});
