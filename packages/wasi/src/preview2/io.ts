import { errnoName } from '../constants.js';
import { monotonicNow, type Pollable, type Preview2Context } from './context.js';
import { WasiTrapError } from './errors.js';

/** How much `check-write` lets the guest write at once: the sinks take everything synchronously. */
const WRITE_BUDGET = 1n << 20n;

function isReady(p: Pollable, now: bigint): boolean {
  return p.readyAt === undefined || p.readyAt <= now;
}

/** Waits (sleeps, or advances the deterministic clock) until `p` is ready. */
function block(c: Preview2Context, p: Pollable): void {
  if (p.readyAt === undefined) return;
  const now = monotonicNow(c);
  if (p.readyAt > now) c.services.sleep(p.readyAt - now);
}

/** `wasi:io/poll`: pollables over the monotonic clock and streams that are always ready. */
export function poll(c: Preview2Context) {
  return {
    '[resource-drop]pollable': (handle: number): void => c.pollables.drop('[resource-drop]pollable', handle),
    '[method]pollable.ready': (handle: number): number => {
      const p = c.pollables.get('pollable.ready', handle);
      return p.readyAt === undefined || isReady(p, monotonicNow(c)) ? 1 : 0;
    },
    '[method]pollable.block': (handle: number): void => block(c, c.pollables.get('pollable.block', handle)),
    // poll(in: list<borrow<pollable>>) -> list<u32>: the indices of the ready ones, at least one.
    poll: (ptr: number, len: number, retptr: number): void => {
      const fn = 'poll';
      if (len === 0) throw new WasiTrapError(fn, 'the list of pollables is empty');
      const list = c.mem.bytes(fn, ptr, len * 4);
      const view = new DataView(list.buffer);
      const items: Pollable[] = [];
      for (let i = 0; i < len; i++) items.push(c.pollables.get(fn, view.getUint32(i * 4, true)));
      let ready: number[] = [];
      for (;;) {
        const now = items.some((p) => p.readyAt !== undefined) ? monotonicNow(c) : 0n;
        ready = [];
        items.forEach((p, i) => {
          if (isReady(p, now)) ready.push(i);
        });
        if (ready.length > 0) break;
        let earliest = items[0]!.readyAt!;
        for (const p of items) if (p.readyAt! < earliest) earliest = p.readyAt!;
        c.services.sleep(earliest - now);
      }
      const out = c.mem.alloc(fn, ready.length * 4, 4);
      for (const [i, index] of ready.entries()) c.mem.u32At(fn, out + i * 4, index);
      c.mem.u32At(fn, retptr, out);
      c.mem.u32At(fn, retptr + 4, ready.length);
    },
  };
}

/** `wasi:io/error`: the error resource of a failed stream operation. */
export function ioError(c: Preview2Context) {
  return {
    '[resource-drop]error': (handle: number): void => c.errors.drop('[resource-drop]error', handle),
    '[method]error.to-debug-string': (handle: number, retptr: number): void => {
      const fn = 'error.to-debug-string';
      const [p, l] = c.mem.putString(fn, c.errors.get(fn, handle));
      c.mem.u32At(fn, retptr, p);
      c.mem.u32At(fn, retptr + 4, l);
    },
  };
}

/**
 * A `result<T, stream-error>` whose payload starts at `payload` (4 or 8, the alignment of T):
 * `stream-error` is `last-operation-failed(own<error>)` (case 0) or `closed` (case 1).
 */
function storeError(c: Preview2Context, fn: string, retptr: number, payload: number, message?: string): void {
  c.mem.u8At(fn, retptr, 1);
  if (message === undefined) c.mem.u8At(fn, retptr + payload, 1);
  else {
    c.mem.u8At(fn, retptr + payload, 0);
    c.mem.u32At(fn, retptr + payload + 4, c.errors.add(message));
  }
}

/** Writes all of `bytes` to the descriptor's sink; undefined when done, else why not (or closed). */
function writeAll(c: Preview2Context, fd: number, bytes: Uint8Array): { message?: string } | undefined {
  const sink = c.services.fds[fd]?.sink;
  if (sink === undefined) return {};
  for (let at = 0; at < bytes.length; ) {
    const n = sink.write(bytes, at, bytes.length - at);
    if (n < 0) return { message: `writing to descriptor ${fd} failed: ${errnoName(-n)}` };
    if (n === 0) return { message: `descriptor ${fd} took no bytes` };
    at += n;
  }
  return undefined;
}

/** Reads up to `len` bytes from the descriptor's source: bytes, or an error (closed at end). */
function readSome(c: Preview2Context, fd: number, len: bigint): Uint8Array | { message?: string } {
  const source = c.services.fds[fd]?.source;
  if (source === undefined) return {};
  const want = Number(len > 65536n ? 65536n : len);
  const into = new Uint8Array(want);
  if (want === 0) return into;
  const n = source.read(into, 0, want);
  if (n < 0) return { message: `reading descriptor ${fd} failed: ${errnoName(-n)}` };
  if (n === 0) return {};
  c.services.consumed.stdinBytes += n;
  return into.subarray(0, n);
}

/**
 * `wasi:io/streams` over the standard descriptors of the preview1 table (the same sinks and
 * sources, so output through either interface comes out in order). Reads and writes complete
 * synchronously; the non-blocking forms behave as the blocking ones.
 */
export function streams(c: Preview2Context) {
  const write =
    (fn: string) =>
    (self: number, ptr: number, len: number, retptr: number): void => {
      const s = c.outputs.get(fn, self);
      const failed = writeAll(c, s.fd, c.mem.bytes(fn, ptr, len));
      if (failed === undefined) c.mem.u8At(fn, retptr, 0);
      else storeError(c, fn, retptr, 4, failed.message);
    };
  const flush =
    (fn: string) =>
    (self: number, retptr: number): void => {
      const s = c.outputs.get(fn, self);
      if (c.services.fds[s.fd]?.sink === undefined) storeError(c, fn, retptr, 4);
      else c.mem.u8At(fn, retptr, 0);
    };
  const zeroes =
    (fn: string) =>
    (self: number, len: bigint, retptr: number): void => {
      const s = c.outputs.get(fn, self);
      const failed = writeAll(c, s.fd, new Uint8Array(Number(BigInt.asUintN(32, len))));
      if (failed === undefined) c.mem.u8At(fn, retptr, 0);
      else storeError(c, fn, retptr, 4, failed.message);
    };
  const read =
    (fn: string) =>
    (self: number, len: bigint, retptr: number): void => {
      const s = c.inputs.get(fn, self);
      const got = readSome(c, s.fd, BigInt.asUintN(64, len));
      if (!(got instanceof Uint8Array)) {
        storeError(c, fn, retptr, 4, got.message);
        return;
      }
      c.mem.u8At(fn, retptr, 0);
      c.mem.u32At(fn, retptr + 4, c.mem.put(fn, got));
      c.mem.u32At(fn, retptr + 8, got.length);
    };
  const skip =
    (fn: string) =>
    (self: number, len: bigint, retptr: number): void => {
      const s = c.inputs.get(fn, self);
      const got = readSome(c, s.fd, BigInt.asUintN(64, len));
      if (!(got instanceof Uint8Array)) {
        storeError(c, fn, retptr, 8, got.message);
        return;
      }
      c.mem.u8At(fn, retptr, 0);
      c.mem.u64At(fn, retptr + 8, BigInt(got.length));
    };
  const splice =
    (fn: string) =>
    (self: number, src: number, len: bigint, retptr: number): void => {
      const out = c.outputs.get(fn, self);
      const from = c.inputs.get(fn, src);
      const got = readSome(c, from.fd, BigInt.asUintN(64, len));
      if (!(got instanceof Uint8Array)) {
        storeError(c, fn, retptr, 8, got.message);
        return;
      }
      const failed = writeAll(c, out.fd, got);
      if (failed !== undefined) {
        storeError(c, fn, retptr, 8, failed.message);
        return;
      }
      c.mem.u8At(fn, retptr, 0);
      c.mem.u64At(fn, retptr + 8, BigInt(got.length));
    };
  const alwaysReady =
    (fn: string, table: 'inputs' | 'outputs') =>
    (self: number): number => {
      c[table].get(fn, self);
      return c.pollables.add({ readyAt: undefined });
    };
  return {
    '[resource-drop]input-stream': (h: number): void => c.inputs.drop('[resource-drop]input-stream', h),
    '[resource-drop]output-stream': (h: number): void => c.outputs.drop('[resource-drop]output-stream', h),
    '[method]input-stream.read': read('input-stream.read'),
    '[method]input-stream.blocking-read': read('input-stream.blocking-read'),
    '[method]input-stream.skip': skip('input-stream.skip'),
    '[method]input-stream.blocking-skip': skip('input-stream.blocking-skip'),
    '[method]input-stream.subscribe': alwaysReady('input-stream.subscribe', 'inputs'),
    '[method]output-stream.check-write': (self: number, retptr: number): void => {
      const fn = 'output-stream.check-write';
      const s = c.outputs.get(fn, self);
      if (c.services.fds[s.fd]?.sink === undefined) {
        storeError(c, fn, retptr, 8);
        return;
      }
      c.mem.u8At(fn, retptr, 0);
      c.mem.u64At(fn, retptr + 8, WRITE_BUDGET);
    },
    '[method]output-stream.write': write('output-stream.write'),
    '[method]output-stream.blocking-write-and-flush': write('output-stream.blocking-write-and-flush'),
    '[method]output-stream.flush': flush('output-stream.flush'),
    '[method]output-stream.blocking-flush': flush('output-stream.blocking-flush'),
    '[method]output-stream.write-zeroes': zeroes('output-stream.write-zeroes'),
    '[method]output-stream.blocking-write-zeroes-and-flush': zeroes(
      'output-stream.blocking-write-zeroes-and-flush',
    ),
    '[method]output-stream.splice': splice('output-stream.splice'),
    '[method]output-stream.blocking-splice': splice('output-stream.blocking-splice'),
    '[method]output-stream.subscribe': alwaysReady('output-stream.subscribe', 'outputs'),
  };
}
