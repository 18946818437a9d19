import { MemoryFS } from '@wasm-runtime/wasi';
import { describe, expect, it } from 'vitest';
import { preinitialize } from '../src/index.js';
import { sameBytes, wat } from './helpers.js';

describe('determinism', () => {
  it('gives byte-identical output for the same input and options, WASI randomness and clocks included', async () => {
    const bytes = await wat('wasi/random.wat');
    const a = await preinitialize(bytes, { allowWasi: true });
    const b = await preinitialize(bytes, { allowWasi: true });
    expect(sameBytes(a.module, b.module)).toBe(true);
    // The randomness really is in the snapshot: another seed gives another module.
    const c = await preinitialize(bytes, { allowWasi: true, wasi: { deterministic: { seed: 7 } } });
    expect(sameBytes(a.module, c.module)).toBe(false);
  });

  it('is deterministic for every fixture run twice', async () => {
    for (const fixture of [
      'basic/globals-memory.wat',
      'basic/growth.wat',
      'tables/mutate.wat',
      'bulk/passive.wat',
    ]) {
      const bytes = await wat(fixture);
      const a = await preinitialize(bytes);
      const b = await preinitialize(bytes);
      expect(sameBytes(a.module, b.module), fixture).toBe(true);
    }
  });
});

describe('report', () => {
  it('lists the nondeterministic inputs init consumed', async () => {
    const { report } = await preinitialize(await wat('wasi/random.wat'), { allowWasi: true });
    expect(report.nondeterminism).toMatchObject({
      randomBytes: 16,
      randomCalls: 1,
      clockReads: 1,
      envReads: [],
    });
    const noWasi = await preinitialize(await wat('basic/renames.wat'));
    expect(noWasi.report.nondeterminism).toBeUndefined();
  });

  it('lists the environment variables init read', async () => {
    const { report } = await preinitialize(
      await wat(`(module
        (import "wasi_snapshot_preview1" "environ_sizes_get" (func $sizes (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "environ_get" (func $get (param i32 i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "wizer-initialize")
          (drop (call $sizes (i32.const 0) (i32.const 4)))
          (drop (call $get (i32.const 16) (i32.const 256)))))`),
      { allowWasi: true, wasi: { env: { HOME: '/home/app', LANG: 'C' } } },
    );
    expect(report.nondeterminism?.envReads.sort()).toEqual(['HOME', 'LANG']);
  });

  it('gives times per phase, pages, non-zero bytes, segments and sizes', async () => {
    const bytes = await wat('basic/growth.wat');
    const { module, report } = await preinitialize(bytes);
    expect(Object.keys(report.timings).sort()).toEqual(
      [
        'compile',
        'init',
        'instantiate',
        'instrument',
        'parse',
        'rewrite',
        'snapshot',
        'validate',
        'write',
      ].sort(),
    );
    for (const ms of Object.values(report.timings)) expect(ms).toBeGreaterThanOrEqual(0);
    // 14 pages written (0, 3, ..., 39), each a little-endian 1000 + p: two non-zero bytes, but 1024 = 0x400 has one.
    expect(report.memories).toEqual([
      { index: 0, pages: 41, nonZeroBytes: 27, segmentBytes: 27, segments: 14 },
    ]);
    expect(report.snapshotNonZeroBytes).toBe(27);
    expect(report.dataSegments).toBe(14);
    expect(report.globals).toBe(1);
    expect(report.inputSize).toBe(bytes.length);
    expect(report.outputSize).toBe(module.length);
    expect(report.ranInitialize).toBe(false);
    expect(report.initFunc).toBe('wizer-initialize');
  });

  it('reads preopened in-memory files during init (the WASI host options pass through)', async () => {
    const fs = new MemoryFS({ 'input.txt': 'from memory' });
    const { module } = await preinitialize(await wat('wasi/read-file.wat'), {
      allowWasi: true,
      wasi: { preopens: { '/data': fs }, stdout: 'buffer' },
    });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(module as Uint8Array<ArrayBuffer>), {
      wasi_snapshot_preview1: new Proxy({}, { get: () => () => 0 }),
    });
    const mem = new Uint8Array((inst.exports['memory'] as WebAssembly.Memory).buffer);
    expect(new TextDecoder().decode(mem.subarray(1024, 1024 + 11))).toBe('from memory');
  });
});

describe('host state', () => {
  it('returns the WASI descriptor table and deterministic positions to restore with the snapshot', async () => {
    const { wasiState } = await preinitialize(await wat('wasi/random.wat'), { allowWasi: true });
    expect(wasiState?.fds.map((d) => d.fd)).toEqual([0, 1, 2]);
    expect(wasiState?.deterministic?.clock).not.toBe('0');
    const none = await preinitialize(await wat('basic/renames.wat'));
    expect(none.wasiState).toBeUndefined();
  });
});
