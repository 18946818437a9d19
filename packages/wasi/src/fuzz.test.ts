// Random calls with random arguments: whatever the guest passes, every import returns an errno
// (never throws, never reports an unexpected host exception), and nothing appears outside the sandbox.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { MemoryFS } from './fs/memory.js';
import { Guest } from './guest.test-util.js';
import { WASI } from './node.js';
import { Prng } from './prng.js';

const root = mkdtempSync(join(tmpdir(), 'wasi-fuzz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PATHS = [
  'a',
  'a/b',
  '..',
  '../x',
  '/abs',
  'a/../..',
  'l',
  'l/x',
  '.',
  'a/',
  'f.txt',
  'new',
  'd/e/f',
  '',
];

function fuzz(seed: number, preopens: ConstructorParameters<typeof WASI>[0]['preopens']): void {
  const rng = new Prng(seed);
  const g = new Guest(
    new WASI({
      preopens,
      stdin: { text: 'some input' },
      stdout: 'buffer',
      stderr: 'buffer',
      deterministic: true,
    }),
  );
  const names = Object.keys(g.fn).filter((n) => n !== 'proc_exit');
  // Lay out every test path once, low in memory, so some pointer/length pairs name real paths.
  g.reset();
  const strings = PATHS.map((p) => g.bytes(p));
  const memSize = g.memory.buffer.byteLength;
  const pick = <T>(list: T[]): T => list[rng.nextU32() % list.length]!;
  const int = (): number => {
    switch (rng.nextU32() % 6) {
      case 0:
        return rng.nextU32() % 8;
      case 1:
        return rng.nextU32() % memSize;
      case 2:
        return memSize - (rng.nextU32() % 64);
      case 3:
        return rng.nextU32() | 0;
      case 4:
        return 4096 + (rng.nextU32() % 4096);
      default:
        return rng.nextU32() % 64;
    }
  };
  const big = (): bigint =>
    rng.nextU32() % 2 === 0 ? BigInt(rng.nextU32() % 4096) : BigInt.asUintN(64, BigInt(rng.nextU32()) << 33n);
  const arity: Record<string, string> = {
    clock_time_get: 'iIi',
    fd_advise: 'iIIi',
    fd_allocate: 'iII',
    fd_fdstat_set_rights: 'iII',
    fd_filestat_set_size: 'iI',
    fd_filestat_set_times: 'iIIi',
    fd_pread: 'iiiIi',
    fd_pwrite: 'iiiIi',
    fd_readdir: 'iiiIi',
    fd_seek: 'iIii',
    path_filestat_set_times: 'iiiiIIi',
    path_open: 'iiiiiIIii',
  };
  for (let n = 0; n < 4000; n++) {
    const name = pick(names);
    const shape = arity[name] ?? 'i'.repeat(g.fn[name]!.length);
    const args: unknown[] = [];
    for (let i = 0; i < shape.length; i++) args.push(shape[i] === 'I' ? big() : int());
    if (name.startsWith('path_') && rng.nextU32() % 2 === 0) {
      // A real path in the right slot, most of the time from the preopen.
      const at =
        name === 'path_symlink'
          ? 3
          : name === 'path_filestat_get' ||
              name === 'path_open' ||
              name === 'path_filestat_set_times' ||
              name === 'path_link'
            ? 2
            : 1;
      const [p, l] = pick(strings);
      args[at] = p;
      args[at + 1] = l;
      args[0] = name === 'path_symlink' ? args[0] : 3 + (rng.nextU32() % 3);
      if (name === 'path_symlink') [args[0], args[1]] = pick(strings);
      if (name === 'path_open') {
        args[4] = rng.nextU32() % 16;
        args[5] = BigInt(rng.nextU32() % 2 === 0 ? 0 : rng.nextU32());
        args[8] = 8192;
      }
    }
    // Keep the preopens open most of the time, so path calls keep something to work on.
    if (
      (name === 'fd_close' || name === 'fd_renumber') &&
      (args[0] === 3 || args[0] === 4 || args[1] === 3 || args[1] === 4)
    ) {
      args[0] = 5 + (rng.nextU32() % 4);
      args[1] = 5 + (rng.nextU32() % 4);
    }
    let result: unknown;
    try {
      result = g.fn[name]!(...args);
    } catch (error) {
      throw new Error(`${name}(${args.join(', ')}) threw ${String(error)}`);
    }
    if (typeof result !== 'number' || result < 0 || result > 76) {
      throw new Error(`${name}(${args.join(', ')}) returned ${String(result)}`);
    }
    if (g.wasi.lastHostError !== undefined) {
      throw new Error(`${name}(${args.join(', ')}) hit a host exception: ${String(g.wasi.lastHostError)}`);
    }
  }
}

it('survives random calls on a MemoryFS', () => {
  for (const seed of [1, 2, 3]) {
    fuzz(seed, {
      '/m': new MemoryFS({ a: { b: 'x' }, 'f.txt': 'text', l: { symlink: 'a' } }),
      '/r': { dir: new MemoryFS({ a: {} }), readOnly: true },
    });
  }
});

it('survives random calls on a host directory and writes nothing outside it', () => {
  for (const seed of [4, 5]) {
    const parent = join(root, `run-${seed}`);
    const box = join(parent, 'box');
    mkdirSync(join(box, 'a'), { recursive: true });
    writeFileSync(join(box, 'f.txt'), 'text');
    writeFileSync(join(parent, 'x'), 'outside');
    fuzz(seed, { '/h': box, '/m': new MemoryFS({ a: {} }) });
    expect(readdirSync(parent).sort()).toEqual(['box', 'x']);
  }
});
