// wasi.reset(): a host re-armed for another run is, through every import, the host a new WASI
// with the same options would be. Each test first changes one kind of host state through the
// imports (as a guest would), resets, and compares with a new host: a piece of state the reset
// forgot shows up as a difference.

import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { ClockId, Errno, FdFlags, OFlags, RIGHTS_DIR, Rights, Whence } from './constants.js';
import { WasiConfigError } from './errors.js';
import { MemoryFS } from './fs/memory.js';
import { CountingFS, Guest } from './guest.test-util.js';
import { WASI } from './node.js';
import { WasiTrapError } from './preview2/errors.js';
import type { WASIOptions } from './wasi.js';

const decoder = new TextDecoder();
const V = '0.2.0';
const PREVIEW2 = [
  `wasi:io/poll@${V}`,
  `wasi:io/streams@${V}`,
  `wasi:clocks/monotonic-clock@${V}`,
  `wasi:cli/environment@${V}`,
  `wasi:cli/stdout@${V}`,
];

/** Everything the preview1 imports tell a guest about its host, read the way a guest reads it. */
function observe(g: Guest): Record<string, unknown> {
  // What the guest consumed so far, before this reads anything.
  const seen: Record<string, unknown> = { consumedBefore: structuredClone(g.wasi.consumed) };
  for (let fd = 0; fd < 8; fd++) {
    const stat = g.fdstat(fd);
    g.reset();
    const pre = g.alloc(8);
    const prestat = g.call('fd_prestat_get', fd, pre);
    let name: string | undefined;
    if (prestat === Errno.SUCCESS) {
      const len = g.u32(pre + 4);
      const at = g.alloc(len);
      g.call('fd_prestat_dir_name', fd, at, len);
      name = decoder.decode(g.u8.slice(at, at + len));
    }
    const tellAt = g.alloc(8);
    const tell = g.call('fd_tell', fd, tellAt);
    seen[`fd ${fd}`] = { ...stat, prestat, name, tell, position: tell === 0 ? g.u64(tellAt) : undefined };
  }
  for (const [what, sizes, get] of [
    ['args', 'args_sizes_get', 'args_get'],
    ['env', 'environ_sizes_get', 'environ_get'],
  ] as const) {
    g.reset();
    const p = g.alloc(8);
    g.call(sizes, p, p + 4);
    const [count, bytes] = [g.u32(p), g.u32(p + 4)];
    const ptrs = g.alloc(count * 4);
    const buf = g.alloc(bytes);
    g.call(get, ptrs, buf);
    seen[what] = decoder.decode(g.u8.slice(buf, buf + bytes));
  }
  g.reset();
  const p = g.alloc(24);
  g.call('clock_time_get', ClockId.MONOTONIC, 0n, p);
  g.call('clock_time_get', ClockId.REALTIME, 0n, p + 8);
  seen.clocks = [g.u64(p), g.u64(p + 8)];
  g.call('random_get', p + 16, 8);
  seen.random = [...g.u8.slice(p + 16, p + 24)];
  seen.stdin = g.read(0, 64).text;
  seen.consumed = structuredClone(g.wasi.consumed);
  seen.lastHostError = g.wasi.lastHostError;
  return seen;
}

/** A bump allocator standing in for the guest's cabi_realloc. */
function bumpAllocator(from: number) {
  let next = from;
  return (_old: number, _size: number, align: number, size: number): number => {
    next = Math.ceil(next / align) * align;
    const ptr = next;
    next += size;
    return ptr;
  };
}

describe('reset', () => {
  const fs = new MemoryFS({ 'a.txt': 'alpha\n', 'b.txt': 'bravo\n' });
  const made: WASIOptions = {
    args: ['app', 'one'],
    env: { HOME: '/data' },
    preopens: { '/data': fs },
    stdin: { text: 'input of the first run' },
    stdout: 'buffer',
    stderr: 'buffer',
    deterministic: { seed: 7 },
    preview2: PREVIEW2,
  };

  /** A host a guest has changed in every way the preview1 imports allow. */
  function used(): Guest {
    const g = new Guest(new WASI(made));
    const file = g.openOk(3, 'a.txt', { base: BigInt(Rights.FD_READ | Rights.FD_SEEK | Rights.FD_TELL) });
    g.read(file, 3);
    const dir = g.openOk(3, '.', { oflags: OFlags.DIRECTORY, base: BigInt(RIGHTS_DIR) });
    expect(g.call('fd_renumber', file, 1)).toBe(0); // stdout replaced by the file
    expect(g.call('fd_renumber', dir, 3)).toBe(0); // the preopen replaced by a plain directory
    expect(g.call('fd_close', 2)).toBe(0);
    expect(g.read(0, 6).text).toBe('input ');
    expect(g.call('fd_fdstat_set_flags', 0, FdFlags.NONBLOCK)).toBe(0);
    expect(g.call('fd_fdstat_set_rights', 0, 0n, 0n)).toBe(0);
    expect(g.seek(1, 5n, Whence.SET).errno).toBe(0);
    expect(g.openOk(3, 'b.txt')).toBe(2); // through the renumbered directory, at the closed 2
    expect(g.openOk(3, 'a.txt')).toBe(4);
    const p = g.alloc(16);
    for (let i = 0; i < 3; i++) g.call('clock_time_get', ClockId.MONOTONIC, 0n, p);
    g.call('random_get', p, 16);
    g.call('args_get', p, g.alloc(64));
    g.call('environ_get', p, g.alloc(64));
    return g;
  }

  it('puts the descriptor table, clocks, generator, counters and stdin back as a new host has them', () => {
    const g = used();
    const before = observe(g);
    g.wasi.reset();
    g.wasi.bindMemory(g.memory);
    const fresh = new Guest(new WASI(made));
    const want = observe(fresh);
    expect(observe(g)).toEqual(want);
    // The guest's changes were seen before the reset, so the comparison can tell them apart.
    expect(before).not.toEqual(want);
    for (const key of ['fd 0', 'fd 1', 'fd 2', 'fd 3', 'fd 4', 'clocks', 'random', 'stdin', 'consumedBefore'])
      expect(before[key], key).not.toEqual(want[key]);
  });

  it("takes the next run's arguments, environment and stdio, the others from the options it was made with", async () => {
    const g = used();
    const next = { args: ['app', 'two', 'ünï'], env: { A: '1', B: 'two' }, stdin: { text: 'second' } };
    g.wasi.reset(next);
    g.wasi.bindMemory(g.memory);
    expect(observe(g)).toEqual(observe(new Guest(new WASI({ ...made, ...next }))));
    // What the host side reads for an entry that takes its input as parameters is the new run's too.
    g.wasi.reset(next);
    expect([g.wasi.args, g.wasi.env]).toEqual([next.args, next.env]);
    expect(new TextDecoder().decode(await g.wasi.readStdin())).toBe('second');
    // stdout is a new buffer: what the last run wrote is not in it.
    g.wasi.reset({ stdout: 'buffer' });
    g.wasi.bindMemory(g.memory);
    g.write(1, 'new');
    expect(g.wasi.stdoutText()).toBe('new');
    g.wasi.reset({ stdout: 'ignore' });
    expect(() => g.wasi.stdoutText()).toThrow(/not buffered/);
  });

  it('rebuilds the table of a host made from saved state: offsets, rights, renumbered descriptors', () => {
    const saver = new Guest(new WASI({ preopens: { '/data': fs } }));
    // A file at descriptor 6 read up to offset 2, and no descriptor 4 or 5.
    saver.openOk(3, 'b.txt');
    saver.openOk(3, 'b.txt');
    const file = saver.openOk(3, 'a.txt', { base: BigInt(Rights.FD_READ | Rights.FD_SEEK | Rights.FD_TELL) });
    expect(file).toBe(6);
    saver.read(file, 2);
    expect(saver.call('fd_close', 4) + saver.call('fd_close', 5)).toBe(0);
    const options = { preopens: { '/data': fs }, state: saver.wasi.saveState(), deterministic: true };
    const g = new Guest(new WASI(options));
    expect(g.read(6, 100).text).toBe('pha\n');
    expect(g.call('fd_renumber', 6, 0)).toBe(0);
    expect(g.openOk(3, 'b.txt', { base: BigInt(Rights.FD_READ) })).toBe(4);
    expect(g.call('fd_close', 3)).toBe(0);
    g.wasi.reset();
    g.wasi.bindMemory(g.memory);
    const after = observe(g);
    expect(after).toEqual(observe(new Guest(new WASI(options))));
    expect(g.read(6, 100).text).toBe('pha\n');
    expect(g.fdstat(4).errno).toBe(Errno.BADF);
    expect(after['fd 3']).toMatchObject({ prestat: 0, name: '/data' });
  });

  it('closes the handles of the last run, and a refused reset leaves the host as it was', () => {
    const counting = new CountingFS({ 'a.txt': 'a' });
    const g = new Guest(new WASI({ preopens: { '/': counting }, stdout: 'buffer' }));
    const fd = g.openOk(3, 'a.txt');
    expect(() => g.wasi.reset({ stdin: 42 as never })).toThrow(WasiConfigError);
    expect(() => g.wasi.reset({ preopens: { '/': '/no/such/dir' } })).toThrow(/does not exist/);
    // The refused resets changed nothing.
    expect(counting.closed).toBe(0);
    expect(g.read(fd, 10).text).toBe('a');
    g.write(1, 'kept');
    expect(g.wasi.stdoutText()).toBe('kept');
    g.wasi.reset();
    expect(counting.closed).toBe(1);
    g.wasi.bindMemory(g.memory);
    expect(g.fdstat(fd).errno).toBe(Errno.BADF);
    expect(g.wasi.stdoutText()).toBe('');
    // Nor does a reset whose saved state no longer fits the preopens.
    const h = new Guest(new WASI({ preopens: { '/': counting } }));
    const kept = h.openOk(3, 'a.txt');
    const state = h.wasi.saveState();
    const r = new Guest(new WASI({ preopens: { '/': counting }, state }));
    expect(() => r.wasi.reset({ preopens: {} })).toThrow(/not in the preopens option/);
    expect(r.fdstat(kept).errno).toBe(0);
    expect(r.read(kept, 10).text).toBe('a');
  });

  it('mounts new file systems given for the next run, so an in-memory directory starts from its tree', () => {
    const tree = { 'seed.txt': 'seed' };
    const g = new Guest(new WASI({ preopens: { '/tmp': new MemoryFS(tree) } }));
    g.openOk(3, 'secret.txt', { oflags: OFlags.CREAT });
    expect(g.list(3)).toContain('secret.txt');
    g.wasi.reset({ preopens: { '/tmp': new MemoryFS(tree) } });
    g.wasi.bindMemory(g.memory);
    expect(g.list(3)).toEqual(['.', '..', 'seed.txt']);
    // Without new ones, the file systems it was made with: the same objects, as a new host made
    // with those options has.
    g.wasi.reset();
    g.wasi.bindMemory(g.memory);
    expect(g.list(3)).toContain('secret.txt');
  });

  it('forgets the bound memory and the last host error, and lets start run again', async () => {
    const wabt = await wabtInit();
    const parsed = wabt.parseWat(
      'exit.wat',
      `(module
        (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1)
        (func (export "_start") (drop (call $sizes (i32.const 0) (i32.const 4))) (call $exit (i32.load (i32.const 0)))))`,
    );
    const module = await WebAssembly.compile(new Uint8Array(parsed.toBinary({}).buffer));
    parsed.destroy();
    const wasi = new WASI({ args: ['a'] });
    const instance = await WebAssembly.instantiate(module, wasi.imports);
    expect(wasi.start(instance)).toBe(1);
    expect(() => wasi.start(instance)).toThrow(/already started/);
    wasi.reset({ args: ['a', 'b', 'c'] });
    // No memory bound yet, as in a new host: a call faults instead of writing to the last one.
    const f = wasi.imports.wasi_snapshot_preview1;
    expect(f.args_sizes_get(0, 4)).toBe(new WASI({}).imports.wasi_snapshot_preview1.args_sizes_get(0, 4));
    expect(wasi.start(instance)).toBe(3);

    const failing = new Guest(
      new WASI({
        stdout: () => {
          throw new Error('sink broke');
        },
      }),
    );
    expect(failing.write(1, 'x').errno).toBe(Errno.IO);
    expect(failing.wasi.lastHostError).toBeInstanceOf(Error);
    failing.wasi.reset();
    expect(failing.wasi.lastHostError).toBeUndefined();
  });

  it('drops every WASI 0.2 resource handle and gives the next run its arguments', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const wasi = new WASI(made);
    wasi.bindMemory(memory, bumpAllocator(4096));
    const fn = (iface: string, name: string) =>
      (wasi.imports[`wasi:${iface}@${V}`] as Record<string, (...args: unknown[]) => unknown>)[name]!;
    const subscribe = fn('clocks/monotonic-clock', 'subscribe-duration');
    const first = subscribe(10n) as number;
    const second = fn(
      'io/streams',
      '[method]output-stream.subscribe',
    )(fn('cli/stdout', 'get-stdout')()) as number;
    fn('io/poll', '[method]pollable.ready')(second);
    const args = () => {
      fn('cli/environment', 'get-arguments')(0);
      const dv = new DataView(memory.buffer);
      const list = dv.getUint32(0, true);
      return Array.from({ length: dv.getUint32(4, true) }, (_, i) => {
        const p = dv.getUint32(list + i * 8, true);
        return decoder.decode(new Uint8Array(memory.buffer, p, dv.getUint32(list + i * 8 + 4, true)));
      });
    };
    expect(args()).toEqual(['app', 'one']);

    wasi.reset({ args: ['app', 'next'] });
    // Unbound: a list cannot be returned until the next run binds its memory and allocator.
    expect(() => fn('cli/environment', 'get-arguments')(0)).toThrow(WasiTrapError);
    wasi.bindMemory(memory, bumpAllocator(8192));
    expect(args()).toEqual(['app', 'next']);
    expect(() => fn('io/poll', '[method]pollable.ready')(second)).toThrow(WasiTrapError);
    // Handles are numbered from the start again, as by a new host.
    const fresh = new WASI(made);
    const freshFirst = (
      fresh.imports[`wasi:clocks/monotonic-clock@${V}`] as Record<string, (d: bigint) => number>
    )['subscribe-duration']!(10n);
    expect(subscribe(10n)).toBe(freshFirst);
    expect(freshFirst).toBe(first);
  });
});
