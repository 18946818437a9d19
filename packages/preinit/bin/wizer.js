#!/usr/bin/env node
import { runWizerCli } from '../dist/cli.js';

process.exitCode = await runWizerCli(process.argv.slice(2));
