import { isWasmRuntimeError } from '@wasm-runtime/errors';
import {
  createPool,
  enginePreview2,
  type Pool,
  runSplitPair,
  type SplitPairToRun,
} from '@wasm-runtime/pipeline/runner';
import { type FileSystem, WASI } from '@wasm-runtime/wasi';
import type { WorkerApp } from './runtime.js';

/** What one request's run left. */
export interface Outcome {
  /** The exit code; undefined when the app did not exit (it trapped, or the run failed). */
  exitCode: number | undefined;
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** Why there is no exit code: `trap`, or the code of the error. */
  error?: { code: string; message: string };
}

/** What a request gives its run. */
export interface RequestIO {
  args: string[];
  stdin: Uint8Array;
  preopens: Record<string, FileSystem>;
}

/** The Worker's split pair, as the runner's core takes it: the uploaded modules, compiled by the platform. */
export function pairOf(app: WorkerApp): SplitPairToRun {
  return {
    where: `the Worker of ${app.manifest.name}`,
    manifest: app.manifest,
    engine: app.engine,
    engineFile: app.engineFile,
    data: app.data,
  };
}

/**
 * One run of the app in a fresh instance, through the runner's core (`runSplitPair`, the code
 * `runDist` and the browser runner use) given the Worker's compiled modules: the data module is
 * instantiated anew, then the engine with its memory and globals; nothing compiles here.
 */
export async function runOnce(app: WorkerApp, io: RequestIO): Promise<Outcome> {
  const { manifest } = app;
  const preview2 = enginePreview2(app.engine);
  const wasi = new WASI({
    ...(preview2.length === 0 ? {} : { preview2 }),
    args: [manifest.name, ...io.args],
    env: {},
    preopens: io.preopens,
    stdin: io.stdin,
    stdout: 'buffer',
    stderr: 'buffer',
    ...(manifest.hostState === null || manifest.hostState === undefined ? {} : { state: manifest.hostState }),
  });
  try {
    const exitCode = await runSplitPair(pairOf(app), wasi, { args: io.args, engineCache: null });
    return { exitCode, stdout: wasi.stdout, stderr: wasi.stderr };
  } catch (error) {
    return failed(error, wasi.stdout, wasi.stderr);
  }
}

/**
 * One run of the app on an instance of the Worker's pool: a fresh one, or one reset to the
 * snapshot after an earlier request (every memory byte and mutable global put back, a new WASI
 * host, the reseed run again), which nothing the app can observe tells from a fresh one.
 */
export async function runPooled(pool: Pool, io: RequestIO): Promise<Outcome> {
  const out: { stdout: Uint8Array[]; stderr: Uint8Array[] } = { stdout: [], stderr: [] };
  try {
    const result = await pool.run({
      args: io.args,
      env: {},
      stdin: io.stdin,
      stdout: (bytes) => void out.stdout.push(bytes.slice()),
      stderr: (bytes) => void out.stderr.push(bytes.slice()),
      preopens: io.preopens,
    });
    return { exitCode: result.exitCode, stdout: joined(out.stdout), stderr: joined(out.stderr) };
  } catch (error) {
    return failed(error, joined(out.stdout), joined(out.stderr));
  }
}

/** The pool of a Worker's isolate: instances made on demand, up to `size`. */
export function poolOf(app: WorkerApp, options: NonNullable<WorkerApp['pool']>): Promise<Pool> {
  return createPool(pairOf(app), { size: options.size, engineCheck: options.engineCheck, engineCache: null });
}

/** The outcome of a run that ended with an exception: a trap, or a typed error's code. */
export function failed(error: unknown, stdout: Uint8Array, stderr: Uint8Array): Outcome {
  const code = isWasmRuntimeError(error)
    ? error.code
    : error instanceof WebAssembly.RuntimeError || error instanceof RangeError
      ? 'trap'
      : 'ERR_INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: undefined, stdout, stderr, error: { code, message } };
}

function joined(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}
