#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// preinit and build run a runtime's init once: V8's optimizing tier costs more than it saves there
// (Liftoff only halves the pre-initializer's CPU time; see @wasm-runtime/preinit). Not for run,
// where guest code is hot. Set before any module is compiled; a tiering flag given to node wins.
const command = process.argv[2];
if ((command === 'preinit' || command === 'build') && !process.execArgv.some((a) => /liftoff|tier/.test(a))) {
  setFlagsFromString('--liftoff-only');
}

const { main } = await import('../dist/cli.js');
process.exitCode = await main(process.argv.slice(2));
