#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// Init runs the guest's code once: V8's optimizing tier (TurboFan compiles of hot functions in the
// background) costs more than it saves here. Liftoff only halves CPU time and cuts wall time by a
// third on StarlingMonkey and Ruby. Set before any module is compiled; a tiering flag given to node
// wins.
if (!process.execArgv.some((a) => /liftoff|tier/.test(a))) setFlagsFromString('--liftoff-only');

const { runWizerCli } = await import('../dist/cli.js');
process.exitCode = await runWizerCli(process.argv.slice(2));
