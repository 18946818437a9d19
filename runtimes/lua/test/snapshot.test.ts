import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { describe, expect, it } from 'vitest';
import { createLuaInstance, LUA_EXPORTS } from '../src/index.js';
import { appDir, luaModule } from './helpers.js';

// What the pre-initializer will do, done by hand: run init in one instance, copy its linear
// memory into fresh instances (the only other mutable global, the stack pointer, is back at its
// initial value when init returns) and start them without running _initialize or init again.
const app = appDir('snapshot');

function randomImports(wasi: WASI, byte: number, memory: () => WebAssembly.Memory) {
  return {
    wasi_snapshot_preview1: {
      ...wasi.wasiImport,
      random_get: (ptr: number, len: number) => {
        new Uint8Array(memory().buffer, ptr, len).fill(byte);
        return 0;
      },
    } as WebAssembly.ModuleImports,
  };
}

async function takeSnapshot(): Promise<{ memory: Uint8Array; stdout: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'lua-snap-'));
  const out = openSync(join(dir, 'stdout'), 'w');
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: ['app'],
      env: {},
      preopens: { '/app': app },
      stdout: out,
    });
    const instance = await WebAssembly.instantiate(await luaModule(), {
      wasi_snapshot_preview1: wasi.wasiImport,
    });
    wasi.initialize(instance);
    (instance.exports[LUA_EXPORTS.init] as () => void)();
    const memory = new Uint8Array((instance.exports['memory'] as WebAssembly.Memory).buffer).slice();
    closeSync(out);
    return { memory, stdout: readFileSync(join(dir, 'stdout'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function restoreInto(memory: WebAssembly.Memory, snapshot: Uint8Array): void {
  const missing = snapshot.length - memory.buffer.byteLength;
  if (missing > 0) memory.grow(missing / 65536);
  new Uint8Array(memory.buffer).set(snapshot);
}

async function runRestored(
  snapshot: Uint8Array,
  randomByte: number,
): Promise<{ code: number; stdout: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'lua-restored-'));
  const out = openSync(join(dir, 'stdout'), 'w');
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: ['app'],
      env: {},
      preopens: { '/app': app },
      stdout: out,
      returnOnExit: true,
    });
    let memory: WebAssembly.Memory | undefined;
    const instance = await WebAssembly.instantiate(
      await luaModule(),
      randomImports(wasi, randomByte, () => memory!),
    );
    memory = instance.exports['memory'] as WebAssembly.Memory;
    restoreInto(memory, snapshot);
    const run = instance.exports[LUA_EXPORTS.run] as () => void;
    const code = wasi.start({ exports: { memory, _start: run } } as unknown as WebAssembly.Instance) ?? 0;
    closeSync(out);
    return { code, stdout: readFileSync(join(dir, 'stdout'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a hand-made snapshot after wizer-initialize', () => {
  it('runs main from the captured state, without rerunning init, reseeded per instance', async () => {
    const snap = await takeSnapshot();
    expect(snap.stdout).toBe('init ran\n');
    const a = await runRestored(snap.memory, 1);
    const b = await runRestored(snap.memory, 2);
    const a2 = await runRestored(snap.memory, 1);
    const line = /^init draw (\d+), calls 1, now (\d+)\n$/;
    expect(a.code).toBe(0);
    const [, drawA, nowA] = line.exec(a.stdout) ?? [];
    const [, drawB, nowB] = line.exec(b.stdout) ?? [];
    expect(drawA).toBeDefined();
    // the value drawn at init is part of the snapshot: identical everywhere
    expect(drawB).toBe(drawA);
    // after the reseed from random_get, instances diverge (and agree when the bytes agree)
    expect(nowB).not.toBe(nowA);
    expect(a2.stdout).toBe(a.stdout);
  });

  it('serves reactor calls from the captured state with independent instances', async () => {
    const snap = await takeSnapshot();
    const instances = [];
    for (const byte of [5, 6]) {
      const wasi = new WASI({ version: 'preview1', args: ['app'], env: {}, preopens: { '/app': app } });
      let memory: WebAssembly.Memory | undefined;
      instances.push(
        await createLuaInstance({
          module: await luaModule(),
          imports: randomImports(wasi, byte, () => memory!),
          initialize: false,
          start: (instance) => {
            memory = instance.exports['memory'] as WebAssembly.Memory;
            restoreInto(memory, snap.memory);
            wasi.initialize({ exports: { memory } } as unknown as WebAssembly.Instance);
          },
        }),
      );
    }
    const [x, y] = instances.map((lua) => lua.callText('state').split(' '));
    expect(x?.[0]).toBe(y?.[0]);
    expect(x?.[1]).toBe('1');
    expect(y?.[1]).toBe('1');
    expect(x?.[2]).not.toBe(y?.[2]);
    expect(instances[0]?.callText('state').split(' ')[1]).toBe('2');
  });
});
