// Shared by lua.bench.mjs, split.bench.mjs and scripts/demo.mjs: building Lua apps through the
// pipeline, and the two ways of starting them that the benchmarks compare.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactStore, build } from '@wasm-runtime/pipeline';
import { link } from '@wasm-runtime/split';
import { WASI } from '@wasm-runtime/wasi';
import { parseModule, readS32 } from '@wasm-runtime/wasm';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const LUA_EXAMPLES = join(REPO, 'runtimes', 'lua', 'examples');

/** The artifact store: the local mirror of pinned sources (scripts/fetch-sources) when there is one. */
export function benchStore() {
  const mirror = join(REPO, '.cache', 'mirror');
  if (!process.env.WASM_RUNTIME_MIRROR && existsSync(mirror)) process.env.WASM_RUNTIME_MIRROR = mirror;
  return new ArtifactStore();
}

/** Builds an app directory with the Lua recipe into `out`; returns the pipeline's BuildResult. */
export async function buildLuaApp(root, out, name, store = benchStore()) {
  return build({ name, lang: 'lua', root, out }, { store, baseDir: REPO });
}

/** Everything a start needs from a dist directory, read once. */
export async function loadPair(distDir) {
  const manifest = JSON.parse(await readFile(join(distDir, 'manifest.json'), 'utf8'));
  const read = (f) => readFile(join(distDir, f.path)).then((b) => new Uint8Array(b));
  return {
    manifest,
    engine: await read(manifest.files.engine),
    data: await read(manifest.files.data),
    snapshot: await read(manifest.files.snapshot),
  };
}

const sink = () => {};

/**
 * The original runtime, cold: compile the plain build, instantiate, `_initialize`, init
 * (`wizer-initialize`, which runs the app's top level reading `/app`), run. A unique custom
 * section makes V8 compile every time instead of reusing its in-process cache of identical bytes.
 */
export async function coldStart(runtimeBytes, appDir, args, counter) {
  return coldStartCompiled(await WebAssembly.compile(withTag(runtimeBytes, counter)), appDir, args);
}

/** The same start from an already compiled runtime: instantiate, `_initialize`, init, run. */
export async function coldStartCompiled(module, appDir, args) {
  const wasi = new WASI({
    args: ['app', ...args],
    env: { LUA_APP_ENTRY: '/app/main.lua' },
    preopens: { '/app': { dir: appDir, readOnly: true } },
    stdin: 'ignore',
    stdout: sink,
    stderr: sink,
  });
  const instance = await WebAssembly.instantiate(module, wasi.imports);
  const ex = instance.exports;
  return wasi.start({
    exports: {
      memory: ex.memory,
      _start() {
        ex._initialize();
        ex['wizer-initialize']();
        ex['wasm-runtime.run']();
      },
    },
  });
}

/** Snapshot start: the split pair with an already compiled engine: link (instantiate), reseed, run. */
export async function snapshotStart(engineModule, pair, args, linkOptions = {}) {
  const wasi = new WASI({
    args: [pair.manifest.name, ...args],
    env: {},
    stdin: 'ignore',
    stdout: sink,
    stderr: sink,
    ...(pair.manifest.hostState ? { state: pair.manifest.hostState } : {}),
  });
  const { instance } = await link(engineModule, pair.dataModule ?? pair.data, wasi.imports, {
    cache: null,
    ...linkOptions,
  });
  wasi.bindMemory(instance.exports.memory);
  instance.exports[pair.manifest.postRestore.call]();
  return wasi.start(instance);
}

/** Appends a custom section holding `n`, so the bytes differ but the code does not. */
export function withTag(bytes, n) {
  const name = new TextEncoder().encode('bench');
  const payload = new TextEncoder().encode(String(n));
  const body = new Uint8Array([name.length, ...name, ...payload]);
  const out = new Uint8Array(bytes.length + 2 + body.length);
  out.set(bytes);
  out[bytes.length] = 0;
  out[bytes.length + 1] = body.length; // < 128: one LEB128 byte
  out.set(body, bytes.length + 2);
  return out;
}

/** The snapshot's memory as the floor needs it: its size in pages and its data segments. */
export function memoryImage(snapshotBytes) {
  const module = parseModule(snapshotBytes);
  const memory = module.sections.find((s) => s.kind === 'memory')?.memories[0];
  const segments = (module.sections.find((s) => s.kind === 'data')?.segments ?? [])
    .filter((s) => s.mode === 'active' && s.memory === 0)
    .map((s) => {
      if (s.offset?.[0] !== 0x41) throw new Error('the floor only handles i32.const offsets');
      return { offset: readS32(s.offset, 1).value, data: s.data };
    });
  let nonZero = 0;
  let bytes = 0;
  for (const s of segments) {
    bytes += s.data.length;
    for (const b of s.data) if (b !== 0) nonZero++;
  }
  return { pages: memory?.min ?? 0, segments, bytes, nonZero };
}

/** The floor of any snapshot start: a fresh memory of the same size, the same bytes copied in. */
export function floorStart(image) {
  const memory = new WebAssembly.Memory({ initial: image.pages });
  const view = new Uint8Array(memory.buffer);
  for (const s of image.segments) view.set(s.data, s.offset);
  return memory;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const ms = (x) => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

/** `snapshotStart` with a clock around each part; `parse` and `instantiate` are timed on the side. */
export async function snapshotPhases(engineModule, pair, args, image) {
  const t0 = performance.now();
  const wasi = new WASI({
    args: [pair.manifest.name, ...args],
    env: {},
    stdin: 'ignore',
    stdout: sink,
    stderr: sink,
    ...(pair.manifest.hostState ? { state: pair.manifest.hostState } : {}),
  });
  const t1 = performance.now();
  const { instance, appExports } = await link(engineModule, pair.data, wasi.imports, { cache: null });
  const t2 = performance.now();
  wasi.bindMemory(instance.exports.memory);
  instance.exports[pair.manifest.postRestore.call]();
  wasi.start(instance);
  const t3 = performance.now();
  new WebAssembly.Module(pair.data); // as link compiles app modules (synchronously)
  const t4 = performance.now();
  const memory = floorStart(image);
  const imports = { ...wasi.imports, 'wasm-runtime:app': { ...appExports, memory } };
  const t5 = performance.now();
  await WebAssembly.instantiate(engineModule, imports);
  const t6 = performance.now();
  return { wasi: t1 - t0, link: t2 - t1, run: t3 - t2, parse: t4 - t3, instantiate: t6 - t5 };
}
