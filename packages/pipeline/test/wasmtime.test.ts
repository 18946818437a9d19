// A runtime without exception handling (the C fixture runtime): one file serves every host. Its
// dist, built with a component, runs the same under our host (runDist), under a real Wasmtime (the
// monolithic snapshot, the split pair via --preload, the component) and under `jco run` on Node.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStore, type BuildResult, build, inspectModule, runDist } from '../src/index.js';
import { runDistOnJco, runDistOnWasmtime } from './support/wasmtime-dist.mjs';

const apps = fileURLToPath(new URL('./fixtures/build/apps/', import.meta.url));
const cacheDir = fileURLToPath(new URL('../.cache/test-build-store/', import.meta.url));

let tmp: string;
let result: BuildResult;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-wasmtime-'));
  result = await build(join(apps, 'hello'), {
    store: new ArtifactStore({ cacheDir, offline: true }),
    overrides: { out: join(tmp, 'dist'), component: true },
  });
}, 300_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function ours(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const dec = new TextDecoder();
  const { exitCode } = await runDist(result.outDir, {
    args,
    stdin: 'ignore',
    stdout: (chunk) => out.push(dec.decode(chunk)),
    stderr: (chunk) => err.push(dec.decode(chunk)),
  });
  return { stdout: out.join(''), stderr: err.join(''), exitCode };
}

describe('a runtime without exception handling on Wasmtime and component hosts', { timeout: 300_000 }, () => {
  it('the manifest says no form is needed besides the one, and names the component', async () => {
    const files = result.manifest.files;
    expect(files.snapshot.exceptions).toBe('none');
    expect(files.engine.exceptions).toBe('none');
    expect(files.data.exceptions).toBe('none');
    expect(files.snapshotExnref).toBeUndefined();
    expect(files.engineExnref).toBeUndefined();
    expect(files.component).toMatchObject({
      path: 'hello.component.wasm',
      exceptions: 'none',
      world: 'wasi:cli/command',
    });
    const bytes = await readFile(join(result.outDir, 'hello.component.wasm'));
    // A component's preamble: magic, then version 0x0d and layer 1.
    expect([...bytes.subarray(0, 8)]).toEqual([0, 0x61, 0x73, 0x6d, 0x0d, 0, 0x01, 0]);
    expect(inspectModule(await readFile(join(result.outDir, 'hello.wasm'))).exceptions).toBe('none');
  });

  it.each([
    ['no arguments', []],
    ['arguments', ['one', 'two words']],
    ['an exit code', ['exit', '7']],
  ])('snapshot, split pair and component under Wasmtime match runDist: %s', async (_name, args) => {
    const expected = await ours(args);
    expect(expected.stdout).toContain('0: hello from the snapshot\n');
    for (const way of ['snapshot', 'split'] as const) {
      expect({ way, ...(await runDistOnWasmtime(result.outDir, way, { args })) }).toEqual({
        way,
        ...expected,
      });
    }
    // WASI 0.2's wasi:cli/exit carries only success or failure: a non-zero status becomes 1.
    expect(await runDistOnWasmtime(result.outDir, 'component', { args })).toEqual({
      ...expected,
      exitCode: expected.exitCode === 0 ? 0 : 1,
    });
  });

  it('the component runs under jco run on Node', async () => {
    const expected = await ours(['one', 'two']);
    expect(await runDistOnJco(result.outDir, { args: ['one', 'two'] })).toEqual(expected);
    const failing = await runDistOnJco(result.outDir, { args: ['exit', '7'] });
    expect(failing).toEqual({ ...(await ours(['exit', '7'])), exitCode: 1 });
  });
});
