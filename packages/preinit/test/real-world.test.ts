import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { WASI } from '@wasm-runtime/wasi';
import { describe, expect, it } from 'vitest';
import { preinitialize } from '../src/index.js';
import { sameBytes, throwingImports } from './helpers.js';

// The package's `exports` hide its files from require.resolve: look in the node_modules paths.
const rubyPath: string | undefined = (
  createRequire(import.meta.url).resolve.paths('@ruby/3.4-wasm-wasi') ?? []
)
  .map((dir) => join(dir, '@ruby', '3.4-wasm-wasi', 'dist', 'ruby+stdlib.wasm'))
  .find((file) => existsSync(file));

describe.skipIf(rubyPath === undefined)(
  'a real runtime: CRuby 3.4 for WASI (skipped: @ruby/3.4-wasm-wasi absent)',
  () => {
    it('snapshots _initialize of the 30 MB ruby+stdlib.wasm into the same memory as running it', async () => {
      const bytes = new Uint8Array(await readFile(rubyPath!));
      const { module, report } = await preinitialize(bytes, { initFunc: '_initialize', allowWasi: true });
      expect(report.memories[0]!.pages).toBeGreaterThan(100);

      const original = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
      const wasi = new WASI({ deterministic: true });
      const inst = await WebAssembly.instantiate(original, { ...throwingImports(original), ...wasi.imports });
      wasi.bindMemory(inst.exports['memory'] as WebAssembly.Memory);
      (inst.exports['_initialize'] as () => void)();

      const snap = await WebAssembly.compile(module as Uint8Array<ArrayBuffer>);
      const restored = await WebAssembly.instantiate(snap, throwingImports(snap));
      const a = new Uint8Array((inst.exports['memory'] as WebAssembly.Memory).buffer);
      const b = new Uint8Array((restored.exports['memory'] as WebAssembly.Memory).buffer);
      expect(b.length).toBe(a.length);
      expect(sameBytes(a, b)).toBe(true);
      expect(restored.exports['_initialize']).toBeUndefined();
    }, 60_000);
  },
);
