/**
 * Bounded runs: a wall-clock timeout and a ceiling on the guest's linear memories, for `runDist`
 * and `wasm-runtime run` (Wasmtime's `-W timeout` and `-W max-memory-size`).
 *
 * V8 runs a guest synchronously on the thread that called it, and only another thread can stop
 * it: a run with a timeout happens in a `worker_threads` Worker that is terminated at the deadline
 * (its instance and memories go with it). Without a timeout nothing changes: the guest runs in
 * this thread as before. The memory ceiling is the maximum of each memory the module defines,
 * lowered in its memory type, so `memory.grow` past it returns -1 as the spec says.
 */

import { type MessagePort, parentPort, Worker, workerData } from 'node:worker_threads';
import { WasmRuntimeError } from '@wasm-runtime/errors';
import { RunTimeoutError } from './limit-rules.js';

export {
  checkLimits,
  limitMemories,
  MemoryLimitError,
  memoryLimitReached,
  RunLimitError,
  type RunLimits,
  RunTimeoutError,
} from './limit-rules.js';

/** An error as it crosses from the worker: enough to rebuild a typed error or a trap. */
interface SentError {
  code?: string;
  name: string;
  message: string;
  trap: boolean;
}

type FromWorker =
  | { type: 'ready' }
  | { type: 'stdin' }
  | { type: 'output'; fd: 1 | 2; chunk: Uint8Array }
  | { type: 'exit'; code: number }
  | { type: 'error'; error: SentError };

/** A typed error of this package or of another one, rebuilt with its code and message. */
class ForwardedError extends WasmRuntimeError {
  constructor(sent: SentError) {
    super(sent.code ?? 'ERR_INTERNAL', sent.message);
    this.name = sent.name;
  }
}

function revive(sent: SentError): Error {
  if (sent.code !== undefined) return new ForwardedError(sent);
  if (sent.trap) return new WebAssembly.RuntimeError(sent.message);
  const error = new Error(sent.message);
  error.name = sent.name;
  return error;
}

/** Where the worker's output goes: a function called with each chunk it wrote, in order. */
export interface Forwarded {
  stdout?: (chunk: Uint8Array) => void;
  stderr?: (chunk: Uint8Array) => void;
}

/** Bytes of stdin handed to the worker per request. */
const STDIN_CHUNK = 65536;

/**
 * This process's stdin for a worker, through shared memory: the worker asks for input and waits
 * in `Atomics.wait` (which terminating it interrupts) while this thread reads the stream; a
 * worker blocked in a read of descriptor 0 itself could never be stopped. `cell[0]` is 0 while a
 * request is pending, then the byte count, or -1 at end of input.
 */
class StdinBridge {
  readonly shared = new SharedArrayBuffer(8 + STDIN_CHUNK);
  private readonly cell = new Int32Array(this.shared, 0, 2);
  private readonly bytes = new Uint8Array(this.shared, 8);
  private rest: Uint8Array | undefined;
  private ended = false;
  private stopListening: (() => void) | undefined;
  private touched = false;

  request(): void {
    this.touched = true;
    if (this.rest !== undefined && this.rest.length > 0) {
      this.answer(this.rest);
      return;
    }
    if (this.ended) {
      this.answer(undefined);
      return;
    }
    const stdin = process.stdin;
    const chunk = stdin.read() as Buffer | null;
    if (chunk !== null) {
      this.answer(chunk);
      return;
    }
    if (stdin.readableEnded) {
      this.ended = true;
      this.answer(undefined);
      return;
    }
    // Reading keeps this process alive; `close` lets it go again.
    (stdin as { ref?: () => void }).ref?.();
    const onReadable = (): void => {
      const next = stdin.read() as Buffer | null;
      if (next === null) return;
      cleanup();
      this.answer(next);
    };
    const onEnd = (): void => {
      cleanup();
      this.ended = true;
      this.answer(undefined);
    };
    const cleanup = (): void => {
      stdin.off('readable', onReadable);
      stdin.off('end', onEnd);
      stdin.pause();
      (stdin as { unref?: () => void }).unref?.();
      this.stopListening = undefined;
    };
    this.stopListening = cleanup;
    stdin.on('readable', onReadable);
    stdin.on('end', onEnd);
  }

  private answer(chunk: Uint8Array | undefined): void {
    if (chunk === undefined) Atomics.store(this.cell, 0, -1);
    else {
      const n = Math.min(chunk.length, STDIN_CHUNK);
      this.bytes.set(chunk.subarray(0, n));
      this.rest = chunk.subarray(n);
      Atomics.store(this.cell, 0, n);
    }
    Atomics.notify(this.cell, 0);
  }

  /** Stop reading, so this process can exit. */
  close(): void {
    this.stopListening?.();
    if (this.touched) (process.stdin as { unref?: () => void }).unref?.();
  }
}

/** The worker side of `StdinBridge`: a WASI stdin callback. */
function bridgedStdin(
  shared: SharedArrayBuffer,
  post: (message: FromWorker) => void,
): () => Uint8Array | null {
  const cell = new Int32Array(shared, 0, 2);
  const bytes = new Uint8Array(shared, 8);
  let ended = false;
  return () => {
    if (ended) return null;
    Atomics.store(cell, 0, 0);
    post({ type: 'stdin' });
    Atomics.wait(cell, 0, 0);
    const n = Atomics.load(cell, 0);
    if (n < 0) {
      ended = true;
      return null;
    }
    return bytes.slice(0, n);
  };
}

/**
 * Runs `script` (a module that calls {@link serveInWorker}) in a Worker with `data`, and resolves
 * to the exit code it reports. `timeout` milliseconds after the worker is ready, it is terminated
 * and the promise rejects with `RunTimeoutError` naming `what`. Output the worker forwards goes to
 * `forward`; an error it reports is rethrown here with its code (a trap as a
 * `WebAssembly.RuntimeError`).
 */
export function runInWorker(
  script: URL,
  data: unknown,
  options: { timeout: number; what: string; forward?: Forwarded; stdin?: boolean },
): Promise<number> {
  const bridge = options.stdin === true ? new StdinBridge() : undefined;
  return new Promise<number>((resolve, reject) => {
    const worker = new Worker(script, { workerData: { data, stdin: bridge?.shared } });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      bridge?.close();
      fn();
      // The run is over either way: nothing of its instance may be used again.
      void worker.terminate();
    };
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          timer = setTimeout(() => {
            // A guest blocked in a host call (a write to a pipe nobody reads) cannot be
            // interrupted: let the process exit without waiting for that thread.
            worker.unref();
            settle(() => reject(new RunTimeoutError(options.what, options.timeout)));
          }, options.timeout);
          break;
        case 'stdin':
          bridge?.request();
          break;
        case 'output':
          (message.fd === 1 ? options.forward?.stdout : options.forward?.stderr)?.(message.chunk);
          break;
        case 'exit':
          settle(() => resolve(message.code));
          break;
        case 'error':
          settle(() => reject(revive(message.error)));
          break;
      }
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`the run's worker thread stopped (exit ${code}) without a result`))),
    );
  });
}

/** What {@link serveInWorker} gives the run in the worker. */
export interface WorkerSide {
  /** A WASI output callback that sends each chunk to the main thread's `forward`. */
  forward(fd: 1 | 2): (chunk: Uint8Array) => void;
  /** The main process's stdin as a WASI input callback, when `runInWorker` was asked for it. */
  stdin: (() => Uint8Array | null) | undefined;
}

/**
 * The worker side of {@link runInWorker}: calls `run` with the worker's data, reports `ready`
 * first and the exit code or the error last.
 */
export function serveInWorker<T>(run: (data: T, side: WorkerSide) => Promise<number>): void {
  const port = parentPort as MessagePort;
  const post = (message: FromWorker): void => port.postMessage(message);
  const { data, stdin } = workerData as { data: T; stdin: SharedArrayBuffer | undefined };
  const side: WorkerSide = {
    forward: (fd) => (chunk) => post({ type: 'output', fd, chunk }),
    stdin: stdin === undefined ? undefined : bridgedStdin(stdin, post),
  };
  post({ type: 'ready' });
  run(data, side).then(
    (code) => post({ type: 'exit', code }),
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      const code = (e as { code?: unknown }).code;
      post({
        type: 'error',
        error: {
          ...(typeof code === 'string' && e instanceof WasmRuntimeError ? { code } : {}),
          name: e.name,
          message: e.message,
          // V8's stack overflow is a RangeError: a trap as much as `unreachable` is.
          trap: e instanceof WebAssembly.RuntimeError || e instanceof RangeError,
        },
      });
    },
  );
}
