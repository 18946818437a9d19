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

describe.skipIf(rubyPath === undefined)(
  'CRuby 3.4: the whole VM initialized from JS, then used from the snapshot',
  () => {
    it('boots Ruby once (ruby-init through the canonical ABI) and evaluates code in the restored snapshot', async () => {
      const bytes = new Uint8Array(await readFile(rubyPath!));
      const exportOf = (exports: WebAssembly.Exports, prefix: string) =>
        Object.entries(exports).find(([name]) => name.startsWith(prefix))![1] as (
          ...args: number[]
        ) => number;
      const { module, report } = await preinitialize(bytes, {
        allowWasi: true,
        initialize: (exports) => {
          // ruby-init(args: list<string>): a list of (pointer, length) pairs, each string in guest memory.
          const realloc = exports['cabi_realloc'] as (...args: number[]) => number;
          const memory = () => new DataView((exports['memory'] as WebAssembly.Memory).buffer);
          const args = ['ruby', '-e_=0'].map((a) => new TextEncoder().encode(a));
          const list = realloc(0, 0, 4, args.length * 8);
          args.forEach((arg, k) => {
            const at = realloc(0, 0, 1, arg.length);
            new Uint8Array((exports['memory'] as WebAssembly.Memory).buffer).set(arg, at);
            memory().setUint32(list + k * 8, at, true);
            memory().setUint32(list + k * 8 + 4, arg.length, true);
          });
          exportOf(exports, 'ruby-init:')(list, args.length);
          exportOf(exports, 'ruby-init-loadpath')();
        },
      });
      // Ruby's init seeds its hashes: the report says so, for a recipe to reseed after restore.
      expect(report.nondeterminism?.randomBytes).toBeGreaterThan(0);

      const snap = await WebAssembly.compile(module as Uint8Array<ArrayBuffer>);
      const wasi = new WASI({ stdout: 'buffer', deterministic: true });
      const imports: Record<string, Record<string, WebAssembly.ImportValue>> = { ...wasi.imports };
      for (const imp of WebAssembly.Module.imports(snap)) {
        if (imp.module === 'wasi_snapshot_preview1') continue;
        imports[imp.module] ??= {};
        imports[imp.module]![imp.name] = () => 1; // handles of the legacy JS ABI, unused here
      }
      const rb = (await WebAssembly.instantiate(snap, imports)).exports;
      wasi.bindMemory(rb['memory'] as WebAssembly.Memory);
      const code = new TextEncoder().encode('puts "#{RUBY_VERSION}: #{[1, 2, 3].sum}"; $stdout.flush');
      const at = (rb['cabi_realloc'] as (...a: number[]) => number)(0, 0, 1, code.length);
      new Uint8Array((rb['memory'] as WebAssembly.Memory).buffer).set(code, at);
      exportOf(rb, 'rb-eval-string-protect')(at, code.length);
      expect(wasi.stdoutText()).toBe('3.4.1: 6\n');
    }, 120_000);
  },
);
