// Lua's setjmp/longjmp is lowered to legacy wasm exception handling, which V8 runs and Wasmtime
// refuses: the build also emits the exnref form of the snapshot and of the engine. Every way a
// Wasmtime user runs a Lua dist (the monolithic snapshot, the split pair via --preload, the
// component) gives the same stdout, stderr and exit code as our host (runDist).

import { cp as copy, cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BuildResult,
  build,
  DistError,
  type DistManifest,
  hostExceptionForms,
  inspectModule,
  loadDist,
  runDist,
} from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
let templateDist: BuildResult | undefined;
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
  const { exitCode } = await runDist(dist, {
    args,
    stdin: Buffer.from(stdin),
    stdout: (chunk) => out.push(Buffer.from(chunk)),
    stderr: (chunk) => err.push(Buffer.from(chunk)),
  });
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), exitCode };
}

/** Every Wasmtime way gives what runDist gives, for each argument list. */
async function expectSameEveryWay(dist: string, argLists: string[][]): Promise<void> {
  for (const args of argLists) {
    const mine = await ours(dist, args);
    expect({ args, ways: await allWaysOnWasmtime(dist, { args }) }).toEqual({
      args,
      ways: await expectedWays(dist, mine),
    });
  }
}

describe('Lua dists on a real Wasmtime', { timeout: 600_000 }, () => {
  it('the template: legacy and exnref forms in the manifest; same output every way (the quote is random per start)', async () => {
    const app = join(scratch.path, 'template-app');
    await cp(template, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
    const result = await buildDist(join(app, 'src'), 'hello');
    templateDist = result;
    const dist = result.outDir;
    const files = result.manifest.files;
    expect(files.snapshot.exceptions).toBe('legacy');
    expect(files.engine.exceptions).toBe('legacy');
    expect(files.data.exceptions).toBe('none');
    expect(files.snapshotExnref).toMatchObject({ path: 'hello.exnref.wasm', exceptions: 'exnref' });
    expect(files.engineExnref?.path).toMatch(/^engine-[0-9a-f]{16}\.wasm$/);
    expect(files.engineExnref?.path).not.toBe(files.engine.path);
    expect(files.component).toMatchObject({ exceptions: 'exnref', world: 'wasi:cli/command' });
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

  it('runDist takes the legacy engine where the host runs it (Node), the exnref one on a host that runs only exnref', async () => {
    const result = templateDist!;
    const files = result.manifest.files;
    expect(hostExceptionForms().legacy).toBe(true); // every Node so far runs the legacy form
    expect((await loadDist(result.outDir)).engineFile.path).toBe(files.engine.path);
    // A host whose V8 dropped the legacy form (the probe's opcode at byte 23: 0x06 try, 0x1f try_table).
    const validate = vi
      .spyOn(WebAssembly, 'validate')
      .mockImplementation((bytes) => (bytes as Uint8Array)[23] === 0x1f);
    try {
      expect(hostExceptionForms()).toEqual({ legacy: false, exnref: true });
      const loaded = await loadDist(result.outDir);
      expect(loaded.engineFile.path).toBe(files.engineExnref!.path);
      expect(loaded.engine).toEqual(
        new Uint8Array(await readFile(join(result.outDir, files.engineExnref!.path))),
      );
      // A dist from before the exnref form existed: nothing this host can run, and it says so.
      const old = join(scratch.path, 'old-dist');
      await copy(result.outDir, old, { recursive: true });
      const manifest = JSON.parse(await readFile(join(old, 'manifest.json'), 'utf8')) as DistManifest;
      delete manifest.files.engineExnref;
      await writeFile(join(old, 'manifest.json'), JSON.stringify(manifest));
      const error = await loadDist(old).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DistError);
      expect((error as DistError).message).toMatch(
        /legacy exception handling, which this host does not run, and it has no exnref form: rebuild it/,
      );
    } finally {
      validate.mockRestore();
    }
  });

  it('the large example: report, search, order, errors and exit codes, every way', async () => {
    const result = await buildDist(large, 'large');
    const dist = result.outDir;
    expect(result.manifest.files.snapshotExnref?.exceptions).toBe('exnref');
    await expectSameEveryWay(dist, [
      ['report'],
      ['search', 'solar', 'kettle'],
      ['search', 'zzzz'],
      ['order', 'ORD-100003'],
      ['order', 'nope'],
      ['csv'],
      ['bogus'],
    ]);
  });

  it('Lua errors, pcall, coroutines, C stack overflow, stdin: exception handling in the exnref form behaves the same', async () => {
    const result = await buildDist(appDir('suite'), 'suite');
    const dist = result.outDir;
    await expectSameEveryWay(dist, [
      ['errors'],
      ['coroutines'],
      ['overflow'],
      ['fail'],
      ['fail_table'],
      ['exit3'],
      ['return7'],
    ]);
    const piped = await ours(dist, ['stdin'], 'from stdin\n');
    expect(piped.stdout).toBe('FROM STDIN\n|11\n');
    expect(await runDistOnWasmtime(dist, 'split', { args: ['stdin'], stdin: 'from stdin\n' })).toEqual(piped);
  });
});
