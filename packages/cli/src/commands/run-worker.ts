// The worker thread of `wasm-runtime run --timeout` on a module: the same run, in a thread the main
// thread can terminate at the deadline.

import { serveInWorker } from '@wasm-runtime/pipeline/limits';
import { type RunOptions, run } from './run.js';

serveInWorker<RunOptions>((options, { stdin }) => run(stdin === undefined ? options : { ...options, stdin }));
