// The ways of starting an app that the start benchmarks compare, shared by every runtime's bench
// (lua, python, ruby, spidermonkey), split.bench.mjs and wasmtime.bench.mjs:
//   cold    the original runtime module (compiled once): instantiate, the init calls (the app's
//           top level), then the entry, in one instance
//   split   our split pair with the engine compiled once: link (compile + instantiate the app's data
//           module, instantiate the engine), post-restore call, entry
//   mono    a monolithic snapshot compiled once (ours, or Wizer's of the same module and app):
//           instantiate, post-restore call, entry
//   floor   what no snapshot start can beat: a fresh memory of the same size, the same bytes copied in
// Every start returns `{ code, runMs }`: the exit code and the time of the entry call alone (the
// throughput benchmark compares the latter between cold and snapshot starts).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactStore, build } from '@wasm-runtime/pipeline';
import { link } from '@wasm-runtime/split';
import { ProcExit, WASI } from '@wasm-runtime/wasi';
import { parseModule, readS32 } from '@wasm-runtime/wasm';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const LUA_EXAMPLES = join(REPO, 'runtimes', 'lua', 'examples');
/** Where benchmarks build apps and keep what is slow to make (Wizer's snapshots). */
export const WORK = join(REPO, '.cache', 'bench');

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

/** Writes `files` ({ name: text }) into `dir` where they differ (so a build's inputs keep their mtimes). */
export async function writeApp(dir, files) {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    if ((await readFile(path, 'utf8').catch(() => undefined)) !== text) await writeFile(path, text);
  }
  return dir;
}

/** Everything a start needs from a dist directory, read once. */
export async function loadPair(distDir) {
  const manifest = JSON.parse(await readFile(join(distDir, 'manifest.json'), 'utf8'));
  const read = (f) => readFile(join(distDir, f.path)).then((b) => new Uint8Array(b));
  return {
    dir: distDir,
    manifest,
    engine: await read(manifest.files.engine),
    data: await read(manifest.files.data),
    snapshot: await read(manifest.files.snapshot),
  };
}

/** The run-time preopens of a dist: its mounts that ship files. */
export function distPreopens(pair) {
  const preopens = {};
  for (const m of pair.manifest.mounts ?? [])
    if (m.dir !== null && m.dir !== undefined)
      preopens[m.guest] = { dir: join(pair.dir, m.dir), readOnly: true };
  return preopens;
}

const sink = () => {};
/** An output collector for a verified start. */
export function capture() {
  const out = [];
  const err = [];
  return {
    stdout: (c) => out.push(Buffer.from(c)),
    stderr: (c) => err.push(Buffer.from(c)),
    text: () => ({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
  };
}
export const SILENT = { stdout: sink, stderr: sink };

/** The exit code of an `export` entry whose result is a pointer to an i32 (the SpiderMonkey driver's `call`). */
function callEntry(instance, entry) {
  const ex = instance.exports;
  try {
    const r = ex[entry.export](...(entry.args ?? []));
    if (entry.result === 'pointer') return new DataView(ex.memory.buffer).getInt32(r, true);
    return typeof r === 'number' ? r : 0;
  } catch (error) {
    if (error instanceof ProcExit) return error.exitCode;
    throw error;
  }
}

/** Runs a restored instance: post-restore call, then the entry (timed alone). */
function runRestored(instance, wasi, manifest) {
  const ex = instance.exports;
  wasi.bindMemory(ex.memory, ex.cabi_realloc);
  if (manifest.postRestore?.call) ex[manifest.postRestore.call]();
  const t = performance.now();
  const code = manifest.entry.kind === 'export' ? callEntry(instance, manifest.entry) : wasi.start(instance);
  return { code, runMs: performance.now() - t };
}

/**
 * @typedef {object} App
 * @property {string} name       argv[0] and the row's label
 * @property {string[]} args
 * @property {Uint8Array | string} [stdin]
 * @property {Record<string, string>} [env]   the run's environment
 */

function wasiFor(app, io, extra) {
  return new WASI({
    args: [app.name, ...(app.args ?? [])],
    env: { ...app.env },
    stdin: app.stdin ?? 'ignore',
    stdout: io.stdout,
    stderr: io.stderr,
    ...extra,
  });
}

/** Split start: the engine compiled once, the app's data module (bytes, or a compiled module) per start. */
export async function splitStart(engineModule, pair, app, io = SILENT, wasiExtra = {}) {
  const wasi = wasiFor(app, io, {
    preopens: distPreopens(pair),
    ...(pair.manifest.hostState ? { state: pair.manifest.hostState } : {}),
    ...wasiExtra,
  });
  const { instance } = await link(engineModule, pair.dataModule ?? pair.data, wasi.imports, { cache: null });
  return runRestored(instance, wasi, pair.manifest);
}

/** Monolithic start: a snapshot module compiled once (ours or Wizer's), instantiated per start. */
export async function monoStart(module, pair, app, io = SILENT, wasiExtra = {}) {
  const wasi = wasiFor(app, io, {
    preopens: distPreopens(pair),
    ...(pair.manifest.hostState ? { state: pair.manifest.hostState } : {}),
    ...wasiExtra,
  });
  const instance = await WebAssembly.instantiate(module, wasi.imports);
  return runRestored(instance, wasi, pair.manifest);
}

/**
 * @typedef {object} ColdSpec
 * @property {WebAssembly.Module} module  the runtime module, compiled once
 * @property {Record<string, unknown>} preopens  what init reads (the app tree, a library)
 * @property {Record<string, string>} initEnv
 * @property {string} [initStdin]           text init reads on stdin (SpiderMonkey's arguments)
 * @property {string[]} init                exports called before the entry
 * @property {{ kind: 'command', export: string } | { kind: 'export', export: string, args?: number[], result?: string }} entry
 * @property {object} [wasi]                more WASI options (preview2 names)
 */

/** Cold start: one instance of the original runtime runs init and then the entry. */
export async function coldStart(spec, app, io = SILENT) {
  const wasi = wasiFor(app, io, {
    preopens: spec.preopens,
    env: { ...app.env, ...spec.initEnv },
    // stdin takes content as bytes or { text } (a bare string is a mode).
    ...(spec.initStdin !== undefined
      ? { stdin: typeof spec.initStdin === 'string' ? { text: spec.initStdin } : spec.initStdin }
      : {}),
    ...spec.wasi,
  });
  const instance = await WebAssembly.instantiate(spec.module, wasi.imports);
  const ex = instance.exports;
  if (spec.entry.kind === 'export') {
    wasi.bindMemory(ex.memory, ex.cabi_realloc);
    for (const name of spec.init) ex[name]();
    const t = performance.now();
    const code = callEntry(instance, spec.entry);
    return { code, runMs: performance.now() - t };
  }
  let runMs = 0;
  const code = wasi.start({
    exports: {
      memory: ex.memory,
      _start() {
        for (const name of spec.init) ex[name]();
        const t = performance.now();
        try {
          ex[spec.entry.export]();
        } finally {
          runMs = performance.now() - t;
        }
      },
    },
  });
  return { code, runMs };
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

/** Wizer's message without its Rust backtrace. */
export function wizerError(stderr) {
  const cut = stderr.indexOf('Stack backtrace:');
  const text = (cut >= 0 ? stderr.slice(0, cut) : stderr).trim();
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-3)
    .join(' | ');
}

/**
 * Wizer 11's monolithic snapshot of a runtime module and app, cached in .cache/bench/wizer by the
 * hash of everything that goes in. Returns `{ path, seconds }` or `{ error }` (Wizer refused).
 */
export async function wizerSnapshot({ wizer, input, flags, env = {}, stdin = '', inputsKey = '' }) {
  const dir = join(WORK, 'wizer');
  await mkdir(dir, { recursive: true });
  const key = createHash('sha256')
    .update(await readFile(input))
    .update(JSON.stringify({ flags, env, stdin, inputsKey }))
    .digest('hex')
    .slice(0, 16);
  const out = join(dir, `${key}.wasm`);
  // A refusal is not cached: it is quick, and saying "Wizer refuses" needs Wizer to refuse now.
  if (existsSync(out)) return { path: out, cached: true };
  const t = performance.now();
  const r = spawnSync(wizer, [...flags, '-o', `${out}.tmp`, input], {
    env,
    input: stdin,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    return { error: wizerError(r.stderr || `exit ${r.status}`) };
  }
  await rename(`${out}.tmp`, out);
  return { path: out, seconds: (performance.now() - t) / 1000 };
}

/** A short hash of an app directory's files (for Wizer's cache key). */
export async function treeKey(files) {
  const h = createHash('sha256');
  for (const f of files.sort()) h.update(f).update(await readFile(f));
  return h.digest('hex').slice(0, 16);
}
