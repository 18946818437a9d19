import { describe, expect, it } from 'vitest';
import { ProcExit } from '../errors.js';
import { WASI } from '../wasi.js';
import { WasiTrapError, WasiUnsupportedError } from './errors.js';

const V = '0.2.10';
type Fn = (...args: never[]) => unknown;

/** A WASI host with preview2, bound to a fresh memory and a bump allocator standing in for cabi_realloc. */
function setup(options: ConstructorParameters<typeof WASI>[0] = {}) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  let next = 4096;
  const realloc = (_old: number, _size: number, align: number, size: number): number => {
    next = Math.ceil(next / align) * align;
    const ptr = next;
    next += size;
    return ptr;
  };
  const wasi = new WASI({ stdout: 'buffer', stderr: 'buffer', preview2: true, ...options });
  wasi.bindMemory(memory, realloc);
  const fn = (iface: string, name: string) =>
    (wasi.imports[`wasi:${iface}@${V}`] as Record<string, Fn>)[name] as (...args: unknown[]) => unknown;
  const dv = () => new DataView(memory.buffer);
  const u8 = () => new Uint8Array(memory.buffer);
  const text = (ptr: number, len: number) => new TextDecoder().decode(u8().slice(ptr, ptr + len));
  return { wasi, fn, dv, u8, text };
}

describe('WASI 0.2 core-ABI functions', () => {
  it('writes to stdout and stderr through output streams, in order with preview1', () => {
    const { wasi, fn, dv, u8 } = setup();
    const stdout = fn('cli/stdout', 'get-stdout')() as number;
    const stderr = fn('cli/stderr', 'get-stderr')() as number;
    u8().set(new TextEncoder().encode('hello\n'), 100);
    fn('io/streams', '[method]output-stream.blocking-write-and-flush')(stdout, 100, 6, 200);
    expect(dv().getUint8(200)).toBe(0); // ok
    fn('io/streams', '[method]output-stream.write')(stderr, 100, 5, 200);
    fn('io/streams', '[method]output-stream.check-write')(stdout, 208);
    expect(dv().getUint8(208)).toBe(0);
    expect(dv().getBigUint64(216, true)).toBeGreaterThan(0n);
    expect(wasi.stdoutText()).toBe('hello\n');
    expect(wasi.stderrText()).toBe('hello');
    // Dropping a standard stream and getting it again works (its handle is permanent).
    fn('io/streams', '[resource-drop]output-stream')(stdout);
    expect(fn('cli/stdout', 'get-stdout')()).toBe(stdout);
  });

  it('reads stdin through an input stream, then reports it closed', () => {
    const { fn, dv, u8 } = setup({ stdin: { text: 'abc' } });
    const stdin = fn('cli/stdin', 'get-stdin')() as number;
    fn('io/streams', '[method]input-stream.blocking-read')(stdin, 10n, 300);
    expect(dv().getUint8(300)).toBe(0);
    const ptr = dv().getUint32(304, true);
    const len = dv().getUint32(308, true);
    expect(new TextDecoder().decode(u8().slice(ptr, ptr + len))).toBe('abc');
    fn('io/streams', '[method]input-stream.read')(stdin, 10n, 300);
    expect([dv().getUint8(300), dv().getUint8(304)]).toEqual([1, 1]); // err(closed)
  });

  it('gives the arguments and the environment preview1 gives', () => {
    const { fn, dv, text } = setup({ args: ['app', 'x y'], env: { A: '1', LANG: 'C' } });
    fn('cli/environment', 'get-arguments')(0);
    const [list, count] = [dv().getUint32(0, true), dv().getUint32(4, true)];
    const args = Array.from({ length: count }, (_, i) =>
      text(dv().getUint32(list + i * 8, true), dv().getUint32(list + i * 8 + 4, true)),
    );
    expect(args).toEqual(['app', 'x y']);
    fn('cli/environment', 'get-environment')(0);
    const envList = dv().getUint32(0, true);
    const pairs = Array.from({ length: dv().getUint32(4, true) }, (_, i) => {
      const at = envList + i * 16;
      return [
        text(dv().getUint32(at, true), dv().getUint32(at + 4, true)),
        text(dv().getUint32(at + 8, true), dv().getUint32(at + 12, true)),
      ];
    });
    expect(pairs).toEqual([
      ['A', '1'],
      ['LANG', 'C'],
    ]);
  });

  it('sleeps in poll until a clock pollable is ready (deterministic clock: advances it instead)', () => {
    const { fn, dv } = setup({ deterministic: true });
    const now = fn('clocks/monotonic-clock', 'now')() as bigint;
    const soon = fn('clocks/monotonic-clock', 'subscribe-duration')(5_000_000n) as number;
    const later = fn('clocks/monotonic-clock', 'subscribe-instant')(now + 1_000_000_000n) as number;
    expect(fn('io/poll', '[method]pollable.ready')(soon)).toBe(0);
    dv().setUint32(500, later, true);
    dv().setUint32(504, soon, true);
    fn('io/poll', 'poll')(500, 2, 600);
    const out = dv().getUint32(600, true);
    expect(dv().getUint32(604, true)).toBe(1);
    expect(dv().getUint32(out, true)).toBe(1); // `soon`, the second in the list
    expect((fn('clocks/monotonic-clock', 'now')() as bigint) - now).toBeGreaterThanOrEqual(5_000_000n);
    fn('io/poll', '[resource-drop]pollable')(soon);
    expect(() => fn('io/poll', '[method]pollable.ready')(soon)).toThrow(WasiTrapError);
  });

  it('waits for real in poll without the deterministic clock', () => {
    const { fn, dv } = setup();
    const p = fn('clocks/monotonic-clock', 'subscribe-duration')(20_000_000n) as number;
    const start = performance.now();
    dv().setUint32(500, p, true);
    fn('io/poll', 'poll')(500, 1, 600);
    expect(performance.now() - start).toBeGreaterThanOrEqual(19);
  });

  it('draws random bytes from the seeded generator in deterministic mode, counted as preview1 counts them', () => {
    const draw = () => {
      const { wasi, fn, dv, u8 } = setup({ deterministic: { seed: 7 } });
      fn('random/random', 'get-random-bytes')(16n, 0);
      const ptr = dv().getUint32(0, true);
      return { bytes: u8().slice(ptr, ptr + 16), u64: fn('random/random', 'get-random-u64')(), wasi };
    };
    const a = draw();
    const b = draw();
    expect(a.bytes).toEqual(b.bytes);
    expect(a.u64).toBe(b.u64);
    expect(a.wasi.consumed.randomBytes).toBe(24);
  });

  it('reports the wall clock as seconds and nanoseconds', () => {
    const { fn, dv } = setup();
    fn('clocks/wall-clock', 'now')(0);
    const seconds = Number(dv().getBigUint64(0, true));
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(5);
    expect(dv().getUint32(8, true)).toBeLessThan(1_000_000_000);
  });

  it('exits with the typed ProcExit', () => {
    const { fn } = setup();
    expect(() => fn('cli/exit', 'exit')(0)).toThrow(expect.objectContaining({ exitCode: 0 }));
    expect(() => fn('cli/exit', 'exit')(1)).toThrow(ProcExit);
  });

  it('links sockets and HTTP, and names the function when one is called', () => {
    const { wasi } = setup();
    const http = wasi.imports[`wasi:http/types@${V}`] as Record<string, Fn>;
    expect(typeof http['[method]fields.get']).toBe('function');
    expect(() => (http['[method]fields.get'] as () => void)()).toThrow(WasiUnsupportedError);
    expect(() => (http['[method]fields.get'] as () => void)()).toThrow(
      /wasi:http\/types@0\.2\.10#\[method\]fields\.get/,
    );
  });

  it('traps a pointer outside memory with a typed error', () => {
    const { fn } = setup();
    expect(() => fn('cli/environment', 'get-arguments')(70_000)).toThrow(WasiTrapError);
  });

  it('provides only the names asked for, and none without the option', () => {
    const names = Object.keys(new WASI({ preview2: [`wasi:io/poll@${V}`, 'wasi:cli/run@0.2.0'] }).imports);
    expect(names.sort()).toEqual([`wasi:io/poll@${V}`, 'wasi_snapshot_preview1']);
    expect(Object.keys(new WASI({}).imports)).toEqual(['wasi_snapshot_preview1']);
  });
});
