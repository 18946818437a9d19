#!/usr/bin/env node
// Builds lua.wasm (cached) and prints its path and sha256. Run `npm run build` first.
// Usage: node scripts/build.mjs [--force] [--cache-dir DIR] [--source PATH] [--copy-to FILE]
import { copyFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { buildLua } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    force: { type: 'boolean', default: false },
    'cache-dir': { type: 'string' },
    source: { type: 'string' },
    'copy-to': { type: 'string' },
  },
});
const started = performance.now();
const build = await buildLua({
  force: values.force,
  ...(values['cache-dir'] ? { cacheDir: values['cache-dir'] } : {}),
  ...(values.source ? { sourcePath: values.source } : {}),
});
if (values['copy-to']) await copyFile(build.wasmPath, values['copy-to']);
const ms = (performance.now() - started).toFixed(0);
console.log(`${build.wasmPath}\nsha256 ${build.sha256}\n${build.cached ? 'cached' : 'built'} in ${ms} ms`);
