import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from '@wasm-runtime/wasi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preinitialize } from '../src/index.js';
import {
  diffStates,
  exportEverything,
  observe,
  runWizer,
  throwingImports,
  wizerAvailable,
} from './helpers.js';

const build = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'c', '.build');
const built = ['app.wasm', 'app-no-files.wasm', 'sjlj.wasm'].every((f) => existsSync(join(build, f)));
let dataDir = '';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'preinit-c-'));
  await writeFile(join(dataDir, 'config.txt'), 'mode=fast\n');
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs _initialize, init and run on the original module under a fresh deterministic host. */
async function original(bytes: Uint8Array): Promise<{ result: unknown; instance: WebAssembly.Instance }> {
  const wasi = new WASI({ preopens: { '/data': dataDir }, deterministic: true });
  const mod = await WebAssembly.compile(exportEverything(bytes) as Uint8Array<ArrayBuffer>);
  const instance = await WebAssembly.instantiate(mod, { ...throwingImports(mod), ...wasi.imports });
  wasi.bindMemory(instance.exports['memory'] as WebAssembly.Memory);
  const ex = instance.exports as Record<string, () => unknown>;
  ex['_initialize']?.();
  ex['wizer-initialize']!();
  return { result: ex['run']!(), instance };
}

async function snapshotRun(bytes: Uint8Array): Promise<{ result: unknown; instance: WebAssembly.Instance }> {
  const mod = await WebAssembly.compile(exportEverything(bytes) as Uint8Array<ArrayBuffer>);
  const instance = await WebAssembly.instantiate(mod, throwingImports(mod));
  return { result: (instance.exports['run'] as () => unknown)(), instance };
}

describe.skipIf(!built)('C modules built by clang for wasm32-wasi (skipped: clang is not installed)', () => {
  it('a reactor that allocates and reads a file during init: snapshot equivalent to init + run', async () => {
    const bytes = new Uint8Array(await readFile(join(build, 'app.wasm')));
    const before = await original(bytes);
    const { module, report } = await preinitialize(bytes, {
      allowWasi: true,
      wasi: { preopens: { '/data': dataDir } },
    });
    expect(report.ranInitialize).toBe(true);
    const after = await snapshotRun(module);
    expect(after.result).toBe(before.result);
    expect(diffStates(observe(before.instance), observe(after.instance))).toEqual([]);
  });

  it.skipIf(!wizerAvailable)(
    'the same reactor without WASI: same state as the real Wizer 11, in no more bytes',
    async () => {
      // (With WASI, memory below the stack pointer keeps values each host returned, e.g. rights bits.)
      const bytes = new Uint8Array(await readFile(join(build, 'app-no-files.wasm')));
      const theirs = await runWizer(bytes);
      const { module: ours, report } = await preinitialize(bytes);
      const a = await snapshotRun(theirs);
      const b = await snapshotRun(ours);
      expect(diffStates(observe(a.instance), observe(b.instance))).toEqual([]);
      expect(b.result).toBe(a.result);
      expect(ours.length).toBeLessThanOrEqual(theirs.length);
      expect(report.memories[0]!.pages).toBeGreaterThan(2);
    },
  );

  it('setjmp/longjmp lowered to wasm exceptions (-mllvm -wasm-enable-sjlj) during init', async () => {
    const bytes = new Uint8Array(await readFile(join(build, 'sjlj.wasm')));
    const before = await original(bytes);
    const { module } = await preinitialize(bytes);
    const after = await snapshotRun(module);
    expect(before.result).toBe(200_075);
    expect(after.result).toBe(before.result);
    expect(diffStates(observe(before.instance), observe(after.instance))).toEqual([]);
  });

  it.skipIf(!wizerAvailable)('which the real Wizer 11 refuses', async () => {
    const bytes = new Uint8Array(await readFile(join(build, 'sjlj.wasm')));
    await expect(runWizer(bytes)).rejects.toThrow(/exceptions|failed to compile/);
  });
});
