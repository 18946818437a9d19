#!/usr/bin/env node
// Measures the Lua build and cold starts under node:wasi. Run `npm run build` first.
// Usage: node scripts/measure.mjs [--runs N] [--skip-cold-build]
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WASI } from 'node:wasi';
import { gzipSync } from 'node:zlib';
import { ArtifactStore } from '@wasm-runtime/pipeline';
import { buildLua, fetchLuaSource } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    'skip-cold-build': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const ms = (t) => `${t.toFixed(1)} ms`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!values['skip-cold-build']) {
  const dir = mkdtempSync(join(tmpdir(), 'lua-measure-'));
  // The user cache serves as the mirror (`sha256/<hex>` inside it): no download.
  const store = new ArtifactStore({ cacheDir: dir, mirrors: [dirname(dirname(await fetchLuaSource()))] });
  await fetchLuaSource({ store }); // copied from the mirror before the clock starts
  const t0 = performance.now();
  await buildLua({ store });
  console.log(`build, cold (fresh cache dir, source already local): ${ms(performance.now() - t0)}`);
  rmSync(dir, { recursive: true, force: true });
}
const t1 = performance.now();
const build = await buildLua();
console.log(`build, warm (cached): ${ms(performance.now() - t1)}`);
const bytes = await readFile(build.wasmPath);
console.log(
  `lua.wasm: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped, sha256 ${build.sha256}`,
);

const t2 = performance.now();
const module = await WebAssembly.compile(bytes);
console.log(`compile: ${ms(performance.now() - t2)}`);

const devnull = openSync('/dev/null', 'w');
async function coldStart(app, args) {
  const t = performance.now();
  const wasi = new WASI({
    version: 'preview1',
    args: ['app', ...args],
    env: {},
    preopens: { '/app': app },
    returnOnExit: true,
    stdout: devnull,
  });
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
  const ex = instance.exports;
  let initDone = 0;
  const code = wasi.start({
    exports: {
      memory: ex.memory,
      _start() {
        ex._initialize();
        ex['wizer-initialize']();
        initDone = performance.now();
        ex['wasm-runtime.run']();
      },
    },
  });
  if (code !== 0) throw new Error(`${app} exited ${code}`);
  return { total: performance.now() - t, init: initDone - t };
}
for (const [name, args] of [
  ['hello', []],
  ['large', ['report']],
]) {
  const app = fileURLToPath(new URL(`../examples/${name}/`, import.meta.url));
  const results = [];
  for (let i = 0; i < (name === 'large' ? Math.min(runs, 5) : runs); i++)
    results.push(await coldStart(app, args));
  console.log(
    `cold start ${name} (instantiate + init + run, compiled module, median of ${results.length}): ` +
      `${ms(median(results.map((r) => r.total)))} (instantiate + init ${ms(median(results.map((r) => r.init)))})`,
  );
}
closeSync(devnull);
