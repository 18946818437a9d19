import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from '@wasm-runtime/wasi';
import { getSection, parseModule } from '@wasm-runtime/wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PreinitOptions, preinitialize } from '../src/index.js';
import { diffStates, exportEverything, observe, wat } from './helpers.js';

let dataDir = '';
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'preinit-eq-'));
  await writeFile(join(dataDir, 'input.txt'), 'contents read during init\n');
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

interface Case {
  fixture: string;
  /** Export called after init on the original, and on the snapshot (if renamed). */
  entry: string;
  snapshotEntry?: string;
  options?: () => PreinitOptions;
}

const cases: Case[] = [
  { fixture: 'basic/globals-memory.wat', entry: 'run' },
  { fixture: 'basic/growth.wat', entry: 'run' },
  { fixture: 'basic/initialize.wat', entry: 'run' },
  { fixture: 'basic/v128.wat', entry: 'run' },
  { fixture: 'basic/nan-globals.wat', entry: 'run' },
  {
    fixture: 'basic/renames.wat',
    entry: 'wizer.resume',
    snapshotEntry: '_start',
    options: () => ({ renameFuncs: [['_start', 'wizer.resume']] }),
  },
  { fixture: 'tables/mutate.wat', entry: 'run' },
  { fixture: 'tables/funcref-global.wat', entry: 'run' },
  { fixture: 'eh/try-catch.wat', entry: 'run' },
  { fixture: 'bulk/passive.wat', entry: 'run' },
  { fixture: 'bulk/data-drop.wat', entry: 'run' },
  { fixture: 'bulk/elem-drop.wat', entry: 'run' },
  { fixture: 'bulk/data-drop-only.wat', entry: 'run' },
  { fixture: 'bulk/elem-drop-only.wat', entry: 'run' },
  {
    fixture: 'wasi/read-file.wat',
    entry: 'run',
    options: () => ({ allowWasi: true, wasi: { preopens: { '/data': dataDir }, stdout: 'buffer' } }),
  },
  {
    fixture: 'wasi/random.wat',
    entry: 'run',
    options: () => ({ allowWasi: true, wasi: { stdout: 'buffer' } }),
  },
];

/** Instantiates `bytes` with every definition exported, under a fresh deterministic host when the case allows WASI. */
async function instantiate(
  bytes: Uint8Array,
  options: PreinitOptions,
): Promise<{ instance: WebAssembly.Instance; wasi: WASI | undefined }> {
  const wasi = options.allowWasi ? new WASI({ ...options.wasi, deterministic: true }) : undefined;
  const { instance } = (await WebAssembly.instantiate(exportEverything(bytes) as Uint8Array<ArrayBuffer>, {
    ...(wasi?.imports ?? {}),
  })) as unknown as WebAssembly.WebAssemblyInstantiatedSource;
  return { instance, wasi };
}

/** Runs init then the entry on the original module, the way preinit would, with a fresh host. */
async function runOriginal(
  bytes: Uint8Array,
  c: Case,
): Promise<{ result: unknown; instance: WebAssembly.Instance }> {
  const options = c.options?.() ?? {};
  const { instance, wasi } = await instantiate(bytes, options);
  if (wasi !== undefined) wasi.bindMemory(instance.exports['memory'] as WebAssembly.Memory);
  const ex = instance.exports as Record<string, () => unknown>;
  if (ex['_initialize'] !== undefined) ex['_initialize']();
  ex[options.initFunc ?? 'wizer-initialize']!();
  return { result: ex[c.entry]!(), instance };
}

async function runSnapshot(
  bytes: Uint8Array,
  c: Case,
): Promise<{ result: unknown; instance: WebAssembly.Instance }> {
  const { instance } = await instantiate(bytes, c.options?.() ?? {});
  const ex = instance.exports as Record<string, () => unknown>;
  return { result: ex[c.snapshotEntry ?? c.entry]!(), instance };
}

describe('equivalence: init + entry on the original = entry on the snapshot (every memory, global, table)', () => {
  for (const c of cases) {
    it(c.fixture, async () => {
      const bytes = await wat(c.fixture);
      const original = await runOriginal(bytes, c);
      const { module, report } = await preinitialize(bytes, c.options?.() ?? {});
      const snapshot = await runSnapshot(module, c);
      expect(snapshot.result).toEqual(original.result);
      expect(diffStates(observe(original.instance), observe(snapshot.instance))).toEqual([]);
      // The snapshot no longer runs init: neither export is left.
      expect(snapshot.instance.exports['wizer-initialize']).toBeUndefined();
      expect(snapshot.instance.exports['_initialize']).toBeUndefined();
      expect(report.outputSize).toBe(module.length);
      // Init does not run twice: no start section either.
      expect(getSection(parseModule(module), 'start')).toBeUndefined();
    });
  }
});
