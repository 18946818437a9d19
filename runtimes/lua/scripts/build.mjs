#!/usr/bin/env node
// Builds lua.wasm (cached by the artifact store) and prints its path and sha256. Run `npm run build`
// first. The source comes from $WASM_RUNTIME_MIRROR when set (see scripts/fetch-sources at the repo
// root), else lua.org, else Debian's pool.
// Usage: node scripts/build.mjs [--cache-dir DIR] [--offline] [--wasm-opt] [--copy-to FILE]
import { copyFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ArtifactStore } from '@wasm-runtime/pipeline';
import { buildLua } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    'cache-dir': { type: 'string' },
    offline: { type: 'boolean', default: false },
    'wasm-opt': { type: 'boolean', default: false },
    'copy-to': { type: 'string' },
  },
});
const started = performance.now();
const store = new ArtifactStore({
  offline: values.offline,
  ...(values['cache-dir'] ? { cacheDir: values['cache-dir'] } : {}),
});
const build = await buildLua({ store, wasmOpt: values['wasm-opt'] });
if (values['copy-to']) await copyFile(build.wasmPath, values['copy-to']);
const ms = (performance.now() - started).toFixed(0);
console.log(`${build.wasmPath}\nsha256 ${build.sha256}\n${build.cached ? 'cached' : 'built'} in ${ms} ms`);
