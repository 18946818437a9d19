// The worker thread of a `runDist` with a timeout (see bounded-dist.ts): runs the dist here, where
// the main thread can terminate it.

import { EngineCache } from '@wasm-runtime/split';
import { serveInWorker } from './limits.js';
import { type LoadedDist, type RunDistOptions, runDist } from './run-dist.js';

/** What the main thread sends: the loaded dist, its compiled engine, the options a worker can take. */
export interface DistJob {
  dist: LoadedDist;
  engine: WebAssembly.Module;
  options: RunDistOptions;
  /** Output options that are functions or streams: forwarded to the main thread chunk by chunk. */
  forward: { stdout: boolean; stderr: boolean };
}

serveInWorker<DistJob>(async (job, { forward, stdin }) => {
  // The engine compiled by the main thread, under the hash link checks: no second compile.
  const cache = new EngineCache();
  cache.set(cache.hash(job.dist.engine), job.engine);
  const { exitCode } = await runDist(job.dist, {
    ...job.options,
    engineCache: cache,
    ...(job.forward.stdout ? { stdout: forward(1) } : {}),
    ...(job.forward.stderr ? { stderr: forward(2) } : {}),
    // This process's stdin, read by the main thread (a read here could not be interrupted).
    ...(stdin === undefined ? {} : { stdin }),
  });
  return exitCode;
});
