import { Errno, errnoName } from './constants.js';
import { WasiConfigError } from './errors.js';

/** Where a guest's writes to stdout or stderr go. `write` returns bytes taken or `-errno`. */
export interface Sink {
  write(from: Uint8Array, offset: number, length: number): number;
  /** Reported to the guest as a character device (a terminal). */
  readonly tty: boolean;
}

/** Where a guest's reads from stdin come from. `read` returns bytes read (0 at end) or `-errno`. */
export interface Source {
  read(into: Uint8Array, offset: number, length: number): number;
  /** Bytes readable without blocking, or -1 when unknown (the descriptor is assumed ready). */
  available(): number;
  readonly tty: boolean;
}

/** A Node.js `Writable`-like object (anything with `write(chunk)`). */
export interface NodeWritableLike {
  write(chunk: Uint8Array): unknown;
}
/** A Node.js `Readable`-like object in paused mode (`read()` returns buffered data or null). */
export interface NodeReadableLike {
  read(): Uint8Array | string | null;
  readonly readableEnded?: boolean;
}

/**
 * Output of `stdout`/`stderr`: `'inherit'` (the host process's own stream, Node only), `'buffer'`
 * (collected in memory: `wasi.stdout` / `wasi.stdoutText()`), `'ignore'`, a callback receiving each
 * chunk (a copy the callback may keep), a Node `Writable` or a web `WritableStream`.
 */
export type OutputOption =
  | 'inherit'
  | 'buffer'
  | 'ignore'
  | ((chunk: Uint8Array) => void)
  | NodeWritableLike
  | WritableStream<Uint8Array>;

/**
 * Input of `stdin`: the modes `'inherit'` (Node only, blocking reads of fd 0) and `'ignore'` (end of
 * file at once); content as bytes or `{ text }` (UTF-8), never as a bare string, so a request body
 * that says "ignore" is content like any other; a callback called whenever the guest needs more
 * input (return bytes or a string, or `null` at the end), or a Node `Readable`. Reads are synchronous: a Node stream
 * gives what it has buffered, `EAGAIN` while it has nothing yet and end of file once ended. To feed a
 * whole stream (Node or web) read it first with `readAll(stream)` and pass the bytes.
 */
export type InputOption =
  | 'inherit'
  | 'ignore'
  | Uint8Array
  | { readonly text: string }
  | (() => Uint8Array | string | null)
  | NodeReadableLike;

const encoder = new TextEncoder();
/** The content of `'ignore'`: empty, so shared by every source (never written). */
const NO_INPUT = new Uint8Array(0);

/** Collects output in one growing buffer: no allocation per write once it has grown. */
export class BufferSink implements Sink {
  readonly tty = false;
  private buffer = new Uint8Array(1024);
  private length = 0;
  write(from: Uint8Array, offset: number, length: number): number {
    const end = this.length + length;
    if (end > this.buffer.length) {
      const grown = new Uint8Array(Math.max(end, this.buffer.length * 2));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    const buffer = this.buffer;
    const at = this.length;
    if (length <= 32) for (let i = 0; i < length; i++) buffer[at + i] = from[offset + i]!;
    else buffer.set(from.subarray(offset, offset + length), at);
    this.length = end;
    return length;
  }
  /** A copy of everything written so far. */
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
  /** Forget everything written so far. */
  clear(): void {
    this.length = 0;
  }
}

class IgnoreSink implements Sink {
  readonly tty = false;
  write(_from: Uint8Array, _offset: number, length: number): number {
    return length;
  }
}

class CallbackSink implements Sink {
  readonly tty = false;
  constructor(private readonly callback: (chunk: Uint8Array) => void) {}
  write(from: Uint8Array, offset: number, length: number): number {
    this.callback(from.slice(offset, offset + length));
    return length;
  }
}

class WebStreamSink implements Sink {
  readonly tty = false;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  constructor(stream: WritableStream<Uint8Array>) {
    this.writer = stream.getWriter();
  }
  write(from: Uint8Array, offset: number, length: number): number {
    // The guest cannot wait for the promise; a failed stream is reported by the stream itself.
    this.writer.write(from.slice(offset, offset + length)).catch(() => {});
    return length;
  }
}

class BytesSource implements Source {
  readonly tty = false;
  private position = 0;
  constructor(private readonly bytes: Uint8Array) {}
  read(into: Uint8Array, offset: number, length: number): number {
    const n = Math.min(length, this.bytes.length - this.position);
    if (n <= 0) return 0;
    into.set(this.bytes.subarray(this.position, this.position + n), offset);
    this.position += n;
    return n;
  }
  available(): number {
    return this.bytes.length - this.position;
  }
}

class PullSource implements Source {
  readonly tty = false;
  private pending: Uint8Array = new Uint8Array(0);
  private ended = false;
  constructor(
    private readonly pull: () => Uint8Array | string | null | undefined,
    private readonly endedWhenEmpty: () => boolean,
  ) {}
  private fill(): void {
    while (this.pending.length === 0 && !this.ended) {
      const chunk = this.pull();
      if (chunk === null || chunk === undefined) {
        if (this.endedWhenEmpty()) this.ended = true;
        return;
      }
      this.pending = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    }
  }
  read(into: Uint8Array, offset: number, length: number): number {
    this.fill();
    if (this.pending.length === 0) return this.ended ? 0 : -Errno.AGAIN;
    const n = Math.min(length, this.pending.length);
    into.set(this.pending.subarray(0, n), offset);
    this.pending = this.pending.subarray(n);
    return n;
  }
  available(): number {
    this.fill();
    return this.pending.length > 0 || this.ended ? this.pending.length : 0;
  }
}

/**
 * The chunks a source gives until its end, waiting while it has nothing yet (`EAGAIN`). Throws
 * `WasiConfigError` (`ERR_WASI_STDIN_READ`) when a read fails.
 */
export async function* sourceChunks(source: Source): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(65536);
  let total = 0;
  for (;;) {
    const n = source.read(buffer, 0, buffer.length);
    if (n === 0) return;
    if (n === -Errno.AGAIN) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    if (n < 0)
      throw new WasiConfigError(
        'ERR_WASI_STDIN_READ',
        `Reading stdin failed with ${errnoName(-n)} after ${total} bytes: check the stdin given to the run.`,
      );
    total += n;
    yield buffer.slice(0, n);
  }
}

/** Host hooks for the `'inherit'` stdio of a platform (Node provides them; browsers have none). */
export interface StdioPlatform {
  inheritOutput(fd: 1 | 2): Sink;
  inheritInput(): Source;
}

/** Build the sink for an output option. */
export function makeSink(option: OutputOption | undefined, fd: 1 | 2, platform?: StdioPlatform): Sink {
  if (option === undefined || option === 'ignore') return new IgnoreSink();
  if (option === 'buffer') return new BufferSink();
  if (option === 'inherit') {
    if (platform === undefined) {
      throw new WasiConfigError(
        'ERR_WASI_INHERIT_UNSUPPORTED',
        `${fd === 1 ? 'stdout' : 'stderr'}: 'inherit' needs Node.js (import the package under Node); in a browser use 'buffer', a callback or a WritableStream.`,
      );
    }
    return platform.inheritOutput(fd);
  }
  if (typeof option === 'function') return new CallbackSink(option);
  if (typeof (option as WritableStream).getWriter === 'function')
    return new WebStreamSink(option as WritableStream);
  if (typeof (option as NodeWritableLike).write === 'function') {
    const stream = option as NodeWritableLike;
    return new CallbackSink((chunk) => stream.write(chunk));
  }
  throw new WasiConfigError(
    'ERR_WASI_BAD_STDIO',
    `${fd === 1 ? 'stdout' : 'stderr'}: unsupported value; use 'inherit', 'buffer', 'ignore', a callback, a Node Writable or a WritableStream.`,
  );
}

/** Build the source for an input option. */
export function makeSource(option: InputOption | undefined, platform?: StdioPlatform): Source {
  if (option === undefined || option === 'ignore') return new BytesSource(NO_INPUT);
  if (typeof option === 'string') {
    if (option !== 'inherit') {
      throw new WasiConfigError(
        'ERR_WASI_BAD_STDIO',
        `stdin: ${JSON.stringify((option as string).slice(0, 40))} is not a mode ('inherit' or 'ignore'); pass content as bytes or as { text: "..." }.`,
      );
    }
    if (platform === undefined) {
      throw new WasiConfigError(
        'ERR_WASI_INHERIT_UNSUPPORTED',
        `stdin: 'inherit' needs Node.js; in a browser pass bytes, { text } or a callback.`,
      );
    }
    return platform.inheritInput();
  }
  if (option instanceof Uint8Array) return new BytesSource(option);
  if (typeof (option as { text?: unknown }).text === 'string') {
    return new BytesSource(encoder.encode((option as { text: string }).text));
  }
  if (typeof option === 'function') return new PullSource(option, () => true);
  if (typeof (option as NodeReadableLike).read === 'function') {
    const stream = option as NodeReadableLike;
    return new PullSource(
      () => stream.read(),
      () => stream.readableEnded === true,
    );
  }
  if (typeof (option as { getReader?: unknown }).getReader === 'function') {
    throw new WasiConfigError(
      'ERR_WASI_BAD_STDIO',
      'stdin: a web ReadableStream cannot be read synchronously by the guest; pass `await readAll(stream)` instead.',
    );
  }
  throw new WasiConfigError(
    'ERR_WASI_BAD_STDIO',
    "stdin: unsupported value; use 'inherit', 'ignore', bytes, { text }, a callback, a Node Readable, or readAll(stream) for a web stream.",
  );
}

/**
 * Read a whole Node `Readable` (any async iterable of chunks) or web `ReadableStream` into one
 * `Uint8Array`, to pass as `stdin` when the guest must see all of it.
 */
export async function readAll(
  stream: AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  if (typeof (stream as ReadableStream).getReader === 'function') {
    const reader = (stream as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } else {
    for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
      chunks.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
    }
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
