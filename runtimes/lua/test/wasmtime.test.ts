// Lua's setjmp/longjmp is lowered to legacy wasm exception handling, which V8 runs and Wasmtime
// refuses: the build also emits the exnref form of the snapshot and of the engine. Every way a
// Wasmtime user runs a Lua dist (the monolithic snapshot, the split pair via --preload, the
// component) gives the same stdout, stderr and exit code as our host (runDist).

import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildResult, build, inspectModule, runDist } from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allWaysOnWasmtime,
  expectedWays,
  runDistOnWasmtime,
} from '../../../packages/pipeline/test/support/wasmtime-dist.mjs';
import { tryWasmtime } from '../../../packages/wasi/test/support/wasmtime.mjs';
import { recipe } from '../src/index.js';
import { appDir, tempDir, testStore } from './helpers.js';

const template = fileURLToPath(new URL('../../../templates/lua/', import.meta.url));
const large = fileURLToPath(new URL('../examples/large/', import.meta.url));

let scratch: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  scratch = await tempDir('lua-wasmtime-');
});
afterAll(async () => {
  await scratch?.remove();
});

async function buildDist(root: string, name: string): Promise<BuildResult> {
  return build(
    { name, recipe, root, out: join(scratch.path, name), component: true },
    { store: testStore(), baseDir: root },
  );
}

async function ours(dist: string, args: string[], stdin = '') {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const exitCode = await runDist(dist, {
    args,
    stdin: Buffer.from(stdin),
    stdout: (chunk) => out.push(Buffer.from(chunk)),
    stderr: (chunk) => err.push(Buffer.from(chunk)),
  });
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), exitCode };
}

describe('Lua dists on a real Wasmtime', { timeout: 180_000 }, () => {
  it('the template: legacy and exnref forms in the manifest; same output every way (the quote is random per start)', async () => {
    const app = join(scratch.path, 'template-app');
    await cp(template, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
    const result = await buildDist(join(app, 'src'), 'hello');
    const dist = result.outDir;
    const files = result.manifest.files;
    expect(files.snapshot.exceptions).toBe('legacy');
    expect(files.engine.exceptions).toBe('legacy');
    expect(files.data.exceptions).toBe('none');
    expect(files.snapshotExnref).toMatchObject({ path: 'hello.exnref.wasm', exceptions: 'exnref' });
    expect(files.engineExnref?.path).toMatch(/^engine-[0-9a-f]{16}\.wasm$/);
    expect(files.engineExnref?.path).not.toBe(files.engine.path);
    expect(files.component).toMatchObject({ exceptions: 'exnref', world: 'wasi:cli/command' });
    const { readFile } = await import('node:fs/promises');
    expect(inspectModule(await readFile(join(dist, files.engineExnref!.path))).exceptions).toBe('exnref');

    // The legacy form is what Wasmtime refuses: the reason the exnref form exists.
    const refused = await tryWasmtime({ file: join(dist, files.snapshot.path) });
    expect(refused.error).toMatch(/legacy_exceptions feature required/);

    const stable = (s: string) => s.replace(/^".*" \(.*\)$/m, '<quote>');
    const mine = await ours(dist, ['wasmtime']);
    expect(mine.stdout).toMatch(
      /^Hello, wasmtime! \(Lua 5\.4, started from a snapshot\)\n".+" \(.+\)\n5 quotes/,
    );
    const theirs = await allWaysOnWasmtime(dist, { args: ['wasmtime'] });
    expect(theirs.map((r) => ({ ...r, stdout: stable(r.stdout) }))).toEqual(
      (await expectedWays(dist, mine)).map((r) => ({ ...r, stdout: stable(r.stdout) })),
    );
  });

  it('the large example: report, search, order, errors and exit codes, every way', async () => {
    const result = await buildDist(large, 'large');
    const dist = result.outDir;
    expect(result.manifest.files.snapshotExnref?.exceptions).toBe('exnref');
    for (const args of [
      ['report'],
      ['search', 'solar', 'kettle'],
      ['search', 'zzzz'],
      ['order', 'ORD-100003'],
      ['order', 'nope'],
      ['csv'],
      ['bogus'],
    ]) {
      const mine = await ours(dist, args);
      expect({ args, ...(await allWaysOnWasmtime(dist, { args })) }).toEqual({
        args,
        ...(await expectedWays(dist, mine)),
      });
    }
  });

  it('Lua errors, pcall, coroutines, C stack overflow, stdin: exception handling in the exnref form behaves the same', async () => {
    const result = await buildDist(appDir('suite'), 'suite');
    const dist = result.outDir;
    for (const args of [
      ['errors'],
      ['coroutines'],
      ['overflow'],
      ['fail'],
      ['fail_table'],
      ['exit3'],
      ['return7'],
    ]) {
      const mine = await ours(dist, args);
      expect({ args, ...(await allWaysOnWasmtime(dist, { args })) }).toEqual({
        args,
        ...(await expectedWays(dist, mine)),
      });
    }
    const piped = await ours(dist, ['stdin'], 'from stdin\n');
    expect(piped.stdout).toBe('FROM STDIN\n|11\n');
    expect(await runDistOnWasmtime(dist, 'split', { args: ['stdin'], stdin: 'from stdin\n' })).toEqual(piped);
  });
});
