import { defaultEngineCache } from '@wasm-runtime/split';
import type { InputOption, OutputOption } from '@wasm-runtime/wasi';
import type { RunResult } from './core.js';
import type { DistJob } from './dist-worker.js';
import { type Forwarded, RunLimitError, runInWorker } from './limits.js';
import type { LoadedDist, RunDistOptions } from './run-dist.js';

/** Output a worker can write itself (the process's descriptors, or nothing). */
const IN_WORKER: readonly unknown[] = ['inherit', 'ignore', undefined];

/** Collects the chunks a worker forwards for `'buffer'` output. */
class Collected {
  readonly chunks: Uint8Array[] = [];
  readonly add = (chunk: Uint8Array): void => void this.chunks.push(chunk);
  bytes(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** A function delivering forwarded chunks to `option` (a callback or a stream). */
export function deliver(option: OutputOption): (chunk: Uint8Array) => void {
  if (typeof option === 'function') return option;
  if (typeof option === 'object' && 'getWriter' in option) {
    const writer = option.getWriter();
    return (chunk) => void writer.write(chunk);
  }
  return (chunk) => void (option as { write(chunk: Uint8Array): unknown }).write(chunk);
}

function stdinForWorker(stdin: InputOption | undefined): InputOption | undefined {
  if (
    stdin === undefined ||
    stdin === 'inherit' ||
    stdin === 'ignore' ||
    stdin instanceof Uint8Array ||
    (typeof stdin === 'object' && 'text' in stdin)
  )
    return stdin;
  throw new RunLimitError(
    'with a timeout the guest runs in a worker thread, which cannot call a stdin callback or read a stream synchronously: pass stdin as inherit, ignore, { text } or bytes (read a stream first with readAll)',
  );
}

/**
 * `runDist` with a timeout: the same run in a worker thread, terminated at the deadline. The
 * engine is compiled here (once per process, through the engine cache) and handed to the worker
 * compiled; output to callbacks or streams is forwarded to this thread chunk by chunk.
 */
export async function runDistInWorker(dist: LoadedDist, options: RunDistOptions): Promise<RunResult> {
  const timeout = options.timeout!;
  const cache = options.engineCache === undefined ? defaultEngineCache : options.engineCache;
  const engine =
    cache === null
      ? await WebAssembly.compile(dist.engine as Uint8Array<ArrayBuffer>)
      : await cache.compile(dist.engine);
  const forward: Forwarded = {};
  const { stdout, stderr } = options;
  const collected = {
    stdout: stdout === 'buffer' ? new Collected() : undefined,
    stderr: stderr === 'buffer' ? new Collected() : undefined,
  };
  if (!IN_WORKER.includes(stdout)) forward.stdout = collected.stdout?.add ?? deliver(stdout!);
  if (!IN_WORKER.includes(stderr)) forward.stderr = collected.stderr?.add ?? deliver(stderr!);
  const stdin = stdinForWorker(options.stdin);
  const inherit = stdin === undefined || stdin === 'inherit';
  const job: DistJob = {
    dist: {
      dir: dist.dir,
      manifest: dist.manifest,
      engine: dist.engine,
      engineFile: dist.engineFile,
      data: dist.data,
      mountDirs: dist.mountDirs,
      writableMounts: dist.writableMounts,
    },
    engine,
    options: {
      ...(options.args === undefined ? {} : { args: options.args }),
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.dirs === undefined ? {} : { dirs: options.dirs }),
      ...(inherit ? {} : { stdin }),
      ...(forward.stdout === undefined && stdout !== undefined ? { stdout } : {}),
      ...(forward.stderr === undefined && stderr !== undefined ? { stderr } : {}),
      ...(options.maxMemory === undefined ? {} : { maxMemory: options.maxMemory }),
      ...(options.trustDistRecipe === true ? { trustDistRecipe: true } : {}),
    },
    forward: { stdout: forward.stdout !== undefined, stderr: forward.stderr !== undefined },
  };
  const exitCode = await runInWorker(new URL('./dist-worker.js', import.meta.url), job, {
    timeout,
    what: `the app in ${dist.dir}`,
    forward,
    stdin: inherit,
  });
  return {
    exitCode,
    ...(collected.stdout === undefined ? {} : { stdout: collected.stdout.bytes() }),
    ...(collected.stderr === undefined ? {} : { stderr: collected.stderr.bytes() }),
  };
}
