import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { ClockId, Errno, EventType, FileType, OFlags, Rights } from './constants.js';
import { ExitStatusError, ProcExit, WasiConfigError, WasiStateError } from './errors.js';
import { MemoryFS } from './fs/memory.js';
import { CountingFS, Guest } from './guest.test-util.js';
import { WASI } from './node.js';
import { readAll } from './stdio.js';
import { WASI as BrowserWASI } from './wasi.js';

async function wat(text: string): Promise<WebAssembly.Module> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat('t.wat', text);
  const binary = parsed.toBinary({}).buffer;
  parsed.destroy();
  return WebAssembly.compile(new Uint8Array(binary));
}

const HELLO = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\\n")
  (global $code (mut i32) (i32.const 3))
  (func (export "set_code") (param i32) (global.set $code (local.get 0)))
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (if (i32.ge_s (global.get $code) (i32.const 0)) (then (call $proc_exit (global.get $code))))))`;

describe('start and exit', () => {
  it('runs _start, returns the proc_exit code, and buffers stdout', async () => {
    const wasi = new WASI({ stdout: 'buffer' });
    const instance = await WebAssembly.instantiate(await wat(HELLO), wasi.imports);
    expect(wasi.start(instance)).toBe(3);
    expect(wasi.stdoutText()).toBe('hi\n');
    expect(() => wasi.start(instance)).toThrow(WasiConfigError);
  });

  it('keeps descriptors open after start, and closes them all on close()', async () => {
    const fs = new CountingFS({ 'a.txt': 'a' });
    const wasi = new WASI({ stdout: 'buffer', preopens: { '/': fs } });
    const g = new Guest(wasi);
    g.openOk(3, 'a.txt');
    g.openOk(3, 'a.txt');
    wasi.close();
    expect(fs.closed).toBe(2);
    expect(g.fdstat(3).errno).toBe(Errno.BADF);
    const cmd = new WASI({ stdout: 'buffer' });
    const instance = await WebAssembly.instantiate(await wat(HELLO), cmd.imports);
    expect(cmd.start(instance)).toBe(3);
    expect(new Guest(cmd).fdstat(1).errno).toBe(0);
    cmd.close();
    expect(new Guest(cmd).fdstat(1).errno).toBe(Errno.BADF);
  });

  it('returns 0 when _start returns, and rethrows ProcExit when returnOnExit is false', async () => {
    const module = await wat(HELLO);
    const a = new WASI({ stdout: 'ignore' });
    const ia = await WebAssembly.instantiate(module, a.imports);
    (ia.exports.set_code as (n: number) => void)(-1);
    expect(a.start(ia)).toBe(0);
    const b = new WASI({ stdout: 'ignore', returnOnExit: false });
    const ib = await WebAssembly.instantiate(module, b.imports);
    let thrown: unknown;
    try {
      b.start(ib);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProcExit);
    expect((thrown as ProcExit).exitCode).toBe(3);
    expect((thrown as ProcExit).code).toBe('ERR_WASI_PROC_EXIT');
  });

  it('exits with statuses 0-125 and fails the run above, as Wasmtime does (never 256 → 0)', async () => {
    const exit = await wat(`(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
      (memory (export "memory") 1)
      (global $code (mut i32) (i32.const 0))
      (func (export "set_code") (param i32) (global.set $code (local.get 0)))
      (func (export "_start") (call $proc_exit (global.get $code))))`);
    const run = async (code: number): Promise<unknown> => {
      const wasi = new WASI({});
      const instance = await WebAssembly.instantiate(exit, wasi.imports);
      (instance.exports.set_code as (n: number) => void)(code);
      try {
        return wasi.start(instance);
      } catch (error) {
        return error;
      }
    };
    for (const code of [0, 1, 125]) expect(await run(code)).toBe(code);
    for (const [code, status] of [
      [126, 126],
      [255, 255],
      [256, 256],
      [-1, 0xffffffff],
      [-(2 ** 31), 2 ** 31],
    ]) {
      const error = await run(code!);
      expect(error).toBeInstanceOf(ExitStatusError);
      expect((error as ExitStatusError).code).toBe('ERR_WASI_EXIT_STATUS');
      expect((error as ExitStatusError).status).toBe(status);
      expect((error as Error).message).toContain(`proc_exit(${status})`);
    }
  });

  it('explains a missing _start or memory', async () => {
    const wasi = new WASI({});
    const none = await WebAssembly.instantiate(await wat('(module)'), {});
    expect(() => wasi.start(none)).toThrow(/no `_start` export/);
    const noMemory = await WebAssembly.instantiate(await wat('(module (func (export "_start")))'), {});
    expect(() => wasi.start(noMemory)).toThrow(/memory/);
    const reactor = await WebAssembly.instantiate(
      await wat(
        '(module (memory (export "memory") 1) (global $g (export "g") (mut i32) (i32.const 0)) (func (export "_initialize") (global.set $g (i32.const 7))))',
      ),
      {},
    );
    new WASI({}).initialize(reactor);
    expect((reactor.exports.g as WebAssembly.Global).value).toBe(7);
  });
});

describe('args, environment, clocks, randomness', () => {
  it('passes exactly the given args and environment as UTF-8', () => {
    const g = new Guest(new WASI({ args: ['prog', 'héllo'], env: { A: '1', B: 'two' } }));
    const sizes = g.alloc(8);
    expect(g.call('args_sizes_get', sizes, sizes + 4)).toBe(0);
    expect([g.u32(sizes), g.u32(sizes + 4)]).toEqual([2, 12]);
    const argv = g.alloc(8);
    const buf = g.alloc(12);
    expect(g.wasi.consumed.argsRead).toBe(false);
    expect(g.call('args_get', argv, buf)).toBe(0);
    expect(g.wasi.consumed.argsRead).toBe(true);
    expect(new TextDecoder().decode(g.u8.slice(g.u32(argv + 4), g.u32(argv + 4) + 6))).toBe('héllo');
    expect(g.call('environ_sizes_get', sizes, sizes + 4)).toBe(0);
    expect([g.u32(sizes), g.u32(sizes + 4)]).toEqual([2, 10]);
    const envp = g.alloc(8);
    const ebuf = g.alloc(10);
    expect(g.call('environ_get', envp, ebuf)).toBe(0);
    expect(new TextDecoder().decode(g.u8.slice(ebuf, ebuf + 10))).toBe('A=1\0B=two\0');
    expect(g.wasi.consumed.envReads).toEqual(['A', 'B']);
    expect(g.call('args_get', argv, 0xffffffff)).toBe(Errno.FAULT);
  });

  it('passes empty arguments, and arguments holding a NUL (the guest sees up to it), one pointer each', () => {
    const argsOf = (args: string[]) => {
      const g = new Guest(new WASI({ args }));
      const sizes = g.alloc(8);
      g.call('args_sizes_get', sizes, sizes + 4);
      const [count, bytes] = [g.u32(sizes), g.u32(sizes + 4)];
      const argv = g.alloc(count * 4);
      const buf = g.alloc(bytes);
      g.call('args_get', argv, buf);
      const raw = g.u8.slice(buf, buf + bytes);
      const offsets = Array.from({ length: count }, (_, i) => g.u32(argv + i * 4) - buf);
      return { count, raw: [...raw], offsets };
    };
    expect(argsOf(['', 'ü', ''])).toEqual({ count: 3, raw: [0, 0xc3, 0xbc, 0, 0], offsets: [0, 1, 4] });
    expect(argsOf(['a\0b', ''])).toEqual({ count: 2, raw: [97, 0, 98, 0, 0], offsets: [0, 4] });
    expect(argsOf([])).toEqual({ count: 0, raw: [], offsets: [] });
  });

  it('reads real clocks', () => {
    const g = new Guest(new WASI({}));
    const p = g.alloc(8);
    expect(g.call('clock_time_get', ClockId.REALTIME, 0n, p)).toBe(0);
    const real = g.u64(p);
    expect(Number(real / 1_000_000n)).toBeGreaterThan(Date.now() - 5000);
    expect(Number(real / 1_000_000n)).toBeLessThan(Date.now() + 5000);
    g.call('clock_time_get', ClockId.MONOTONIC, 0n, p);
    const m1 = g.u64(p);
    g.call('clock_time_get', ClockId.MONOTONIC, 0n, p);
    expect(g.u64(p)).toBeGreaterThanOrEqual(m1);
    expect(g.call('clock_time_get', 9, 0n, p)).toBe(Errno.INVAL);
    expect(g.call('clock_res_get', ClockId.MONOTONIC, p)).toBe(0);
    expect(g.u64(p)).toBeGreaterThan(0n);
    expect(g.wasi.consumed.clockReads).toBe(3);
  });

  it('deterministic mode: fixed clocks advancing per read, seeded randomness', () => {
    const run = (seed: number) => {
      const g = new Guest(new WASI({ deterministic: { seed, startTime: 1000n, clockStep: 10n } }));
      const p = g.alloc(8);
      const times: bigint[] = [];
      for (const id of [ClockId.REALTIME, ClockId.MONOTONIC, ClockId.REALTIME]) {
        g.call('clock_time_get', id, 0n, p);
        times.push(g.u64(p));
      }
      const r = g.alloc(33);
      expect(g.call('random_get', r, 33)).toBe(0);
      return { times, random: [...g.u8.slice(r, r + 33)], consumed: g.wasi.consumed };
    };
    const a = run(1);
    expect(a.times).toEqual([1010n, 20n, 1030n]);
    expect(run(1).random).toEqual(a.random);
    expect(run(2).random).not.toEqual(a.random);
    expect(new Set(a.random).size).toBeGreaterThan(10);
    expect(a.consumed).toMatchObject({ randomBytes: 33, randomCalls: 1, clockReads: 3 });
    expect(() => new WASI({ deterministic: { seed: 1.5 } })).toThrow(WasiConfigError);
    expect(() => new WASI({ deterministic: { clockStep: -1n } })).toThrow(/clockStep/);
    const big = new Guest(new WASI({ deterministic: { seed: 2n ** 70n + 5n } }));
    expect(big.call('random_get', big.alloc(8), 8)).toBe(0);
  });

  it('random_get fills large buffers and refuses bad ones', () => {
    const g = new Guest(new WASI({}));
    const p = g.alloc(100_000);
    expect(g.call('random_get', p, 100_000)).toBe(0);
    expect(g.u8.slice(p + 90_000, p + 90_100).some((b) => b !== 0)).toBe(true);
    expect(g.call('random_get', 0xfffffff0, 100)).toBe(Errno.FAULT);
  });
});

describe('stdio', () => {
  it('takes stdin modes and content as different types: a body that says "ignore" is content', () => {
    const g = new Guest(new WASI({ stdin: { text: 'ignore' } }));
    expect(g.read(0, 10).text).toBe('ignore');
    const bytes = new Guest(new WASI({ stdin: new TextEncoder().encode('inherit') }));
    expect(bytes.read(0, 10).text).toBe('inherit');
    expect(new Guest(new WASI({ stdin: 'ignore' })).read(0, 10)).toMatchObject({ errno: 0, text: '' });
    // A bare string that is not a mode is refused rather than guessed at.
    expect(() => new WASI({ stdin: 'some body' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_WASI_BAD_STDIO', message: expect.stringContaining('{ text') }),
    );
  });

  it('reads stdin from text, then end of file', () => {
    const g = new Guest(new WASI({ stdin: { text: 'abc' } }));
    expect(g.read(0, 2).text).toBe('ab');
    expect(g.read(0, 10).text).toBe('c');
    expect(g.read(0, 10)).toMatchObject({ errno: 0, text: '' });
    expect(g.wasi.consumed.stdinBytes).toBe(3);
  });

  it('reads stdin from a callback and from a Node stream', async () => {
    const chunks = ['one ', 'two', null];
    const g = new Guest(new WASI({ stdin: () => chunks.shift() ?? null }));
    expect(g.read(0, 100).text).toBe('one ');
    expect(g.read(0, 100).text).toBe('two');
    expect(g.read(0, 100).text).toBe('');
    const stream = new PassThrough();
    const s = new Guest(new WASI({ stdin: stream }));
    expect(s.read(0, 10).errno).toBe(Errno.AGAIN);
    stream.write('streamed');
    expect(s.read(0, 100).text).toBe('streamed');
    stream.end();
    stream.resume();
    await new Promise((r) => setImmediate(r));
    expect(s.read(0, 100)).toMatchObject({ errno: 0, text: '' });
  });

  it("reads the guest's stdin to its end on the host's side, after what the guest read itself", async () => {
    const big = new Uint8Array(200_000).map((_, i) => i & 255);
    expect(await new WASI({ stdin: big }).readStdin()).toEqual(big);
    expect(await new WASI({ stdin: 'ignore' }).readStdin()).toEqual(new Uint8Array(0));
    const g = new Guest(new WASI({ stdin: { text: 'abcdef' } }));
    expect(g.read(0, 2).text).toBe('ab');
    expect(new TextDecoder().decode(await g.wasi.readStdin())).toBe('cdef');
    const chunks = ['one ', 'two', null];
    expect(
      new TextDecoder().decode(await new WASI({ stdin: () => chunks.shift() ?? null }).readStdin()),
    ).toBe('one two');
    // A stream that has nothing yet is waited for.
    const stream = new PassThrough();
    const pending = new WASI({ stdin: stream }).readStdin();
    setTimeout(() => stream.end('later'), 20);
    expect(new TextDecoder().decode(await pending)).toBe('later');
    const withInput = new WASI({ args: ['app', 'x'], env: { A: '1' } });
    expect([withInput.args, withInput.env]).toEqual([['app', 'x'], { A: '1' }]);
  });

  it('reads a whole web stream with readAll, and explains why a live one cannot be stdin', async () => {
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('web '));
          c.enqueue(new TextEncoder().encode('input'));
          c.close();
        },
      });
    const g = new Guest(new WASI({ stdin: await readAll(stream()) }));
    expect(g.read(0, 100).text).toBe('web input');
    expect(() => new WASI({ stdin: stream() as never })).toThrow(/readAll/);
    const node = new PassThrough();
    node.end('node input');
    expect(new TextDecoder().decode(await readAll(node))).toBe('node input');
  });

  it('writes to callbacks, Node streams and web streams', async () => {
    const got: string[] = [];
    const stream = new PassThrough();
    const webChunks: Uint8Array[] = [];
    const web = new WritableStream<Uint8Array>({ write: (c) => void webChunks.push(c) });
    const g = new Guest(new WASI({ stdout: (c) => got.push(new TextDecoder().decode(c)), stderr: stream }));
    g.write(1, 'out', '!');
    g.write(2, 'err');
    expect(got).toEqual(['out', '!']);
    expect(String(stream.read())).toBe('err');
    const w = new Guest(new WASI({ stdout: web }));
    w.write(1, 'web');
    await new Promise((r) => setTimeout(r, 10));
    expect(new TextDecoder().decode(webChunks[0])).toBe('web');
  });

  it('describes stdio descriptors and refuses the wrong direction', () => {
    const g = new Guest(new WASI({ stdout: 'buffer', stderr: 'buffer' }));
    expect(g.fdstat(1)).toMatchObject({ errno: 0, filetype: FileType.UNKNOWN });
    expect(g.fdstat(1).base & BigInt(Rights.FD_SEEK | Rights.FD_TELL)).toBe(0n);
    expect(g.read(1, 1).errno).toBe(Errno.BADF);
    expect(g.write(0, 'x').errno).toBe(Errno.BADF);
    expect(g.seek(1, 0n, 0).errno).toBe(Errno.SPIPE);
    expect(g.call('fd_tell', 0, g.alloc(8))).toBe(Errno.SPIPE);
    expect(g.filestat(1).errno).toBe(0);
    expect(() => g.wasi.stdout).not.toThrow();
    expect(() => new WASI({ stdout: 'ignore' }).stdoutText()).toThrow(/not buffered/);
  });

  it("the browser entry point refuses 'inherit' and host directories with a typed error", () => {
    expect(() => new BrowserWASI({ stdout: 'inherit' })).toThrow(WasiConfigError);
    expect(() => new BrowserWASI({ preopens: { '/': '/tmp' } })).toThrow(/needs Node.js/);
    expect(() => new WASI({ preopens: { '/': '/definitely/not/here' } })).toThrow(/does not exist/);
  });
});

describe('guest mistakes never become host exceptions', () => {
  it('bad fds give EBADF, bad pointers EFAULT, sockets ENOTSOCK', () => {
    const g = new Guest(new WASI({ stdout: 'buffer' }));
    const names = Object.keys(g.fn).filter((n) => n !== 'proc_exit');
    for (const name of names) {
      const result = g.fn[name]!(...Array.from({ length: 9 }, (_, i) => (i === 0 ? 77 : 0xfffffff0)));
      expect(typeof result === 'number' || result === undefined).toBe(true);
    }
    expect(g.write(77, 'x').errno).toBe(Errno.BADF);
    expect(g.call('fd_write', 1, 0xfffffff8, 1, 0)).toBe(Errno.FAULT);
    expect(g.call('fd_write', 1, 0, 1, 0xfffffffe)).toBe(Errno.FAULT);
    expect(g.call('fd_fdstat_get', 1, -1)).toBe(Errno.FAULT);
    expect(g.call('sock_recv', 1, 0, 0, 0, 0, 0)).toBe(Errno.NOTSOCK);
    expect(g.call('sock_accept', 50, 0, 0)).toBe(Errno.BADF);
    expect(g.call('poll_oneoff', 0, 0, 0, 0)).toBe(Errno.INVAL);
    expect(g.call('proc_raise', 9)).toBe(Errno.NOSYS);
    expect(g.call('sched_yield')).toBe(0);
  });

  it('handles unaligned pointers on the fast paths', () => {
    const g = new Guest(new WASI({ args: ['a'], stdout: 'buffer', stdin: { text: 'in' } }));
    const base = g.alloc(64) + 1;
    const [p, l] = g.bytes('odd');
    g.dv.setUint32(base, p, true);
    g.dv.setUint32(base + 4, l, true);
    expect(g.call('fd_write', 1, base, 1, base + 9)).toBe(0);
    expect(g.u32(base + 9)).toBe(3);
    expect(g.wasi.stdoutText()).toBe('odd');
    expect(g.call('fd_fdstat_get', 1, base + 13)).toBe(0);
    expect(g.dv.getBigUint64(base + 13 + 8, true)).toBe(g.fdstat(1).base);
    expect(g.call('args_sizes_get', base + 1, base + 6)).toBe(0);
    expect([g.u32(base + 1), g.u32(base + 6)]).toEqual([1, 2]);
    expect(g.call('clock_time_get', 1, 0n, base + 3)).toBe(0);
    expect(g.call('clock_time_get', 1, 0n, 2 * 65536 - 4)).toBe(Errno.FAULT);
  });

  it('maps exceptions from host callbacks to EIO and keeps the error for debugging', () => {
    const g = new Guest(
      new WASI({
        stdout: () => {
          throw new Error('sink broke');
        },
      }),
    );
    expect(g.write(1, 'x').errno).toBe(Errno.IO);
    expect((g.wasi.lastHostError as Error).message).toBe('sink broke');
  });

  it('rebinds memory that a host callback grew during the call', () => {
    let memory: WebAssembly.Memory | undefined;
    const seen: string[] = [];
    const g = new Guest(
      new WASI({
        stdout: (chunk) => {
          seen.push(new TextDecoder().decode(chunk));
          memory?.grow(1);
        },
      }),
    );
    memory = g.memory;
    expect(g.write(1, 'abc')).toEqual({ errno: 0, n: 3 });
    expect(g.write(1, 'de', 'f')).toEqual({ errno: 0, n: 3 });
    expect(seen).toEqual(['abc', 'de', 'f']);
  });

  it('works on a shared memory, whose buffer grows without detaching', () => {
    const wasi = new WASI({ stdout: 'buffer', args: ['x'] });
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    wasi.bindMemory(memory);
    const f = wasi.imports.wasi_snapshot_preview1 as unknown as Record<string, (...a: unknown[]) => number>;
    const p = memory.grow(1) * 65536 + 8;
    const u8 = new Uint8Array(memory.buffer);
    const dv = new DataView(memory.buffer);
    u8.set(new TextEncoder().encode('shared'), p + 64);
    dv.setUint32(p, p + 64, true);
    dv.setUint32(p + 4, 6, true);
    expect(f.fd_write!(1, p, 1, p + 16)).toBe(0);
    expect(dv.getUint32(p + 16, true)).toBe(6);
    expect(wasi.stdoutText()).toBe('shared');
    expect(f.args_sizes_get!(p + 20, p + 24)).toBe(0);
    expect(dv.getUint32(p + 24, true)).toBe(2);
    expect(f.random_get!(p + 100, 32)).toBe(0);
    expect(f.fd_fdstat_get!(1, 3 * 65536)).toBe(Errno.FAULT);
  });

  it('sees memory growth between calls', () => {
    const g = new Guest(new WASI({ stdout: 'buffer' }));
    expect(g.fdstat(1).errno).toBe(0);
    const pages = g.memory.grow(2);
    const p = pages * 65536 + 100;
    expect(g.call('fd_fdstat_get', 1, p)).toBe(0);
    expect(g.u8[p]).toBe(FileType.UNKNOWN);
    expect(g.call('fd_fdstat_get', 1, (pages + 2) * 65536)).toBe(Errno.FAULT);
    expect(g.call('clock_time_get', ClockId.MONOTONIC, 1n, p + 64)).toBe(0);
    expect(g.dv.getBigUint64(p + 64, true)).toBeGreaterThan(0n);
  });

  it('sees a shared memory grown before the first fdstat, clock or sizes call on it', () => {
    const wasi = new WASI({ stdout: 'buffer' });
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    wasi.bindMemory(memory);
    const f = wasi.imports.wasi_snapshot_preview1 as unknown as Record<string, (...a: unknown[]) => number>;
    expect(f.fd_fdstat_get!(1, 8)).toBe(0);
    const p = memory.grow(1) * 65536 + 8;
    const dv = new DataView(memory.buffer);
    expect(f.fd_fdstat_get!(1, p)).toBe(0);
    expect(dv.getUint8(p)).toBe(FileType.UNKNOWN);
    expect(f.clock_time_get!(ClockId.MONOTONIC, 1n, p + 64)).toBe(0);
    expect(dv.getBigUint64(p + 64, true)).toBeGreaterThan(0n);
    expect(f.clock_time_get!(ClockId.MONOTONIC, 1n, 2 * 65536 - 4)).toBe(Errno.FAULT);
    expect(f.args_sizes_get!(p + 80, 2 * 65536 - 4)).toBe(0);
    expect(dv.getUint32(p + 80, true)).toBe(0);
    expect(f.environ_sizes_get!(p + 84, p + 88)).toBe(0);
    expect(f.args_sizes_get!(p + 80, 2 * 65536)).toBe(Errno.FAULT);
  });
});

describe('poll_oneoff', () => {
  function subscribe(g: Guest, subs: { tag: number; fd?: number; timeout?: bigint; abs?: boolean }[]) {
    g.reset();
    const input = g.alloc(48 * subs.length);
    subs.forEach((s, i) => {
      const p = input + i * 48;
      g.dv.setBigUint64(p, BigInt(100 + i), true);
      g.dv.setUint8(p + 8, s.tag);
      if (s.tag === EventType.CLOCK) {
        g.dv.setUint32(p + 16, ClockId.MONOTONIC, true);
        g.dv.setBigUint64(p + 24, s.timeout ?? 0n, true);
        g.dv.setUint16(p + 40, s.abs ? 1 : 0, true);
      } else g.dv.setUint32(p + 16, s.fd ?? 0, true);
    });
    const out = g.alloc(32 * subs.length);
    const n = g.alloc(4);
    const errno = g.call('poll_oneoff', input, out, subs.length, n);
    const events = Array.from({ length: g.u32(n) }, (_, i) => ({
      userdata: Number(g.u64(out + i * 32)),
      error: g.dv.getUint16(out + i * 32 + 8, true),
      type: g.u8[out + i * 32 + 10],
      nbytes: g.u64(out + i * 32 + 16),
    }));
    return { errno, events };
  }

  it('sleeps on a clock; deterministic mode advances the clock instead', () => {
    const g = new Guest(new WASI({}));
    const t0 = performance.now();
    expect(subscribe(g, [{ tag: EventType.CLOCK, timeout: 20_000_000n }]).events).toEqual([
      { userdata: 100, error: 0, type: EventType.CLOCK, nbytes: 0n },
    ]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(19);
    const d = new Guest(new WASI({ deterministic: { clockStep: 1n } }));
    const t1 = performance.now();
    subscribe(d, [{ tag: EventType.CLOCK, timeout: 5_000_000_000n }]);
    expect(performance.now() - t1).toBeLessThan(1000);
    const p = d.alloc(8);
    d.call('clock_time_get', ClockId.MONOTONIC, 0n, p);
    expect(d.u64(p)).toBe(5_000_000_001n);
  });

  it('deterministic clocks carry across 32-bit words and wrap at 2^64, with sleeps and saved state between reads', () => {
    const startTime = 2n ** 64n - 3n * 2n ** 32n + 7n;
    for (const clockStep of [2n ** 32n - 1n, 2n ** 31n + 3n, 2n ** 40n]) {
      const options = { deterministic: { startTime, clockStep } };
      let g = new Guest(new WASI(options));
      const p = g.alloc(16);
      let offset = 0n;
      for (let i = 0; i < 12; i++) {
        if (i === 5) subscribe(g, [{ tag: EventType.CLOCK, timeout: 2n ** 33n + 1n }]);
        if (i === 5) offset += 2n ** 33n + 1n;
        if (i === 7) {
          const state = JSON.parse(JSON.stringify(g.wasi.saveState()));
          g = new Guest(new WASI({ ...options, state }));
        }
        const id = i % 3 === 0 ? ClockId.MONOTONIC : ClockId.REALTIME;
        // An unaligned pointer takes the checked path; both must agree.
        const at = i % 4 === 3 ? p + 1 : p;
        offset += clockStep;
        expect(g.call('clock_time_get', id, 0n, at)).toBe(0);
        const want = BigInt.asUintN(64, id === ClockId.REALTIME ? startTime + offset : offset);
        expect([clockStep, i, g.dv.getBigUint64(at, true)]).toEqual([clockStep, i, want]);
      }
    }
  });

  it('reports ready descriptors before timeouts, with byte counts and errors', () => {
    const fs = new MemoryFS({ 'f.txt': '12345' });
    const g = new Guest(new WASI({ stdin: { text: 'xy' }, stdout: 'buffer', preopens: { '/': fs } }));
    const f = g.openOk(3, 'f.txt');
    const r = subscribe(g, [
      { tag: EventType.CLOCK, timeout: 10_000_000_000n },
      { tag: EventType.FD_READ, fd: 0 },
      { tag: EventType.FD_WRITE, fd: 1 },
      { tag: EventType.FD_READ, fd: f },
      { tag: EventType.FD_READ, fd: 42 },
    ]);
    expect(r.errno).toBe(0);
    expect(r.events).toEqual([
      { userdata: 101, error: 0, type: EventType.FD_READ, nbytes: 2n },
      { userdata: 102, error: 0, type: EventType.FD_WRITE, nbytes: 0n },
      { userdata: 103, error: 0, type: EventType.FD_READ, nbytes: 5n },
      { userdata: 104, error: Errno.BADF, type: EventType.FD_READ, nbytes: 0n },
    ]);
  });

  it('reports an expired clock beside ready descriptors', () => {
    const g = new Guest(new WASI({ stdout: 'buffer' }));
    const r = subscribe(g, [
      { tag: EventType.FD_WRITE, fd: 1 },
      { tag: EventType.CLOCK, timeout: 0n },
      { tag: EventType.CLOCK, timeout: 1_000_000_000n },
    ]);
    expect(r.events.map((e) => [e.userdata, e.type])).toEqual([
      [100, EventType.FD_WRITE],
      [101, EventType.CLOCK],
    ]);
  });

  it('fires the earliest of several clocks', () => {
    const g = new Guest(new WASI({ deterministic: true }));
    const r = subscribe(g, [
      { tag: EventType.CLOCK, timeout: 3_000n },
      { tag: EventType.CLOCK, timeout: 1_000n },
      { tag: EventType.CLOCK, timeout: 2_000n },
    ]);
    expect(r.events.map((e) => e.userdata)).toEqual([101]);
  });
});

describe('trace', () => {
  it('traces every call when asked, and costs nothing otherwise', async () => {
    const lines: string[] = [];
    const wasi = new WASI({ stdout: 'buffer', trace: (l) => lines.push(l) });
    const instance = await WebAssembly.instantiate(await wat(HELLO), wasi.imports);
    expect(wasi.start(instance)).toBe(3);
    expect(lines).toEqual(['fd_write(1, 0, 1, 8) = SUCCESS (bytes 3)', 'proc_exit(3) -> exit 3']);
    const traceLines: string[] = [];
    const g = new Guest(
      new WASI({
        preopens: { '/': new MemoryFS({ 'a.txt': 'a' }) },
        trace: (l) => {
          traceLines.push(l);
          throw new Error('a broken tracer changes nothing');
        },
      }),
    );
    const fd = g.openOk(3, 'a.txt');
    expect(g.open(3, 'missing').errno).toBe(Errno.NOENT);
    expect(traceLines[0]).toMatch(
      new RegExp(`^path_open\\(3, 0, "a.txt", 0, \\d+n, \\d+n, 0, \\d+\\) = SUCCESS \\(fd ${fd}\\)$`),
    );
    expect(traceLines[1]).toMatch(/^path_open\(3, 0, "missing", .*\) = NOENT$/);
    const plain = new WASI({});
    expect(plain.imports.wasi_snapshot_preview1.fd_write!.name).toBe('fd_write');
  });
});

describe('saveState and restore', () => {
  it('round-trips the descriptor table through JSON and continues where it was', () => {
    const fs = new MemoryFS({ data: { 'log.txt': 'line1\nline2\n' } });
    const g = new Guest(new WASI({ preopens: { '/app': fs }, deterministic: true }));
    const dir = g.openOk(3, 'data', { base: BigInt(Rights.FD_READDIR | Rights.PATH_OPEN) });
    const file = g.openOk(3, 'data/log.txt', { base: BigInt(Rights.FD_READ | Rights.FD_SEEK) });
    expect(g.read(file, 6).text).toBe('line1\n');
    expect(g.call('fd_close', 3)).toBe(0);
    const p = g.alloc(8);
    g.call('clock_time_get', ClockId.MONOTONIC, 0n, p);
    const state = JSON.parse(JSON.stringify(g.wasi.saveState()));
    expect(state.fds.map((d: { fd: number; kind: string }) => [d.fd, d.kind])).toEqual([
      [0, 'stdio'],
      [1, 'stdio'],
      [2, 'stdio'],
      [dir, 'dir'],
      [file, 'file'],
    ]);

    const r = new Guest(new WASI({ preopens: { '/app': fs }, state, deterministic: true }));
    expect(r.read(file, 100).text).toBe('line2\n');
    expect(r.fdstat(file).base).toBe(BigInt(Rights.FD_READ | Rights.FD_SEEK));
    expect(r.fdstat(3).errno).toBe(Errno.BADF);
    expect(r.list(dir)).toEqual(['.', '..', 'log.txt']);
    r.call('clock_time_get', ClockId.MONOTONIC, 0n, p);
    expect(r.u64(p)).toBe(2000n);
  });

  it('refuses a state whose mount or files are missing, and files moved while open', () => {
    const fs = new MemoryFS({ 'a.txt': 'a' });
    const g = new Guest(new WASI({ preopens: { '/app': fs } }));
    const fd = g.openOk(3, 'a.txt', { base: BigInt(Rights.FD_READ) });
    const state = g.wasi.saveState();
    let error: unknown;
    try {
      new WASI({ preopens: { '/other': fs }, state });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WasiStateError);
    expect((error as WasiStateError).code).toBe('ERR_WASI_STATE_MOUNT_MISSING');
    expect(() => new WASI({ preopens: { '/app': new MemoryFS() }, state })).toThrow(/cannot be reopened/);
    expect(g.pathCall('path_unlink_file', 3, 'a.txt')).toBe(0);
    expect(() => g.wasi.saveState()).toThrow(/deleted or renamed/);
    g.call('fd_close', fd);
    expect(() => g.wasi.saveState()).not.toThrow();
    expect(() => new WASI({ state: { version: 9 } as never })).toThrow(/version 1/);
  });

  it('adds preopens that are new since the state was saved, and not those the guest closed', () => {
    const app = new MemoryFS({ 'a.txt': 'a' });
    const g = new Guest(new WASI({ preopens: { '/app': app, '/gone': new MemoryFS() } }));
    expect(g.call('fd_close', 4)).toBe(0);
    const state = g.wasi.saveState();
    expect(state.mounts).toEqual(['/app', '/gone']);
    const extra = new MemoryFS({ 'x.txt': 'x' });
    const r = new Guest(
      new WASI({ preopens: { '/app': app, '/gone': new MemoryFS(), '/extra': extra }, state }),
    );
    const p = r.alloc(8);
    expect(r.call('fd_prestat_get', 3, p)).toBe(0);
    expect(r.call('fd_prestat_get', 4, p)).toBe(0);
    expect(r.u32(p + 4)).toBe('/extra'.length);
    expect(r.read(r.openOk(4, 'x.txt'), 10).text).toBe('x');
    expect(r.call('fd_prestat_get', 5, p)).toBe(Errno.BADF);
  });

  it('creates files and keeps writing after restore', () => {
    const fs = new MemoryFS();
    const g = new Guest(new WASI({ preopens: { '/': fs } }));
    const fd = g.openOk(3, 'out.txt', { oflags: OFlags.CREAT });
    g.write(fd, 'before ');
    const r = new Guest(new WASI({ preopens: { '/': fs }, state: g.wasi.saveState() }));
    expect(r.write(fd, 'after').errno).toBe(0);
    expect(r.read(fd, 100, 0n).text).toBe('before after');
  });
});
