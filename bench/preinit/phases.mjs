// Runs our pre-initializer once in this process with Wizer-style arguments (as the benchmark passes
// them to the bin) and prints its per-phase report as JSON on stdout: where the time goes.
//
//   node bench/preinit/phases.mjs <wizer flags> -o out.wasm in.wasm

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { parseWizerArgs, preinitialize } from '@wasm-runtime/preinit';
import { wizerArgsToOptions } from '@wasm-runtime/preinit/cli';

// As the bin does (packages/preinit/bin/wizer.js): wasm runs on V8's baseline tier only.
setFlagsFromString('--liftoff-only');

const t0 = performance.now();
const args = parseWizerArgs(process.argv.slice(2));
const options = await wizerArgsToOptions(args, {
  cwd: process.cwd(),
  env: process.env,
  stdinIsInput: false,
  outputToStdout: false,
});
// The guest's stdout would mix with the JSON report.
options.wasi = { ...options.wasi, stdout: 'ignore' };
const tRead = performance.now();
const bytes = new Uint8Array(readFileSync(resolve(args.input)));
const readMs = performance.now() - tRead;
const { report } = await preinitialize(bytes, options);
const totalMs = performance.now() - t0;
process.stdout.write(
  `${JSON.stringify({
    timings: { read: readMs, ...report.timings },
    totalMs,
    memories: report.memories,
    dataSegments: report.dataSegments,
    outputSize: report.outputSize,
  })}\n`,
);
