import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BuildResult, build, type DistManifest, runDist } from '@wasm-runtime/pipeline';
import { ProcExit, WASI } from '@wasm-runtime/wasi';
import { LUA_EXPORTS, recipe } from '../src/index.js';
import { luaModule, testStore } from './helpers.js';

/** What a user observes of one run. */
export interface Observed {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  args?: string[];
  /** Host directories preopened at run time (after the app's own mounts). */
  dirs?: Array<{ host: string; guest: string }>;
  /** The environment at run time (the cold way adds init's LUA_APP_ENTRY). */
  env?: Record<string, string>;
}

/** Builds an app through the pipeline (the recipe object of this package's source). */
export function buildApp(root: string, out: string, name: string): Promise<BuildResult> {
  return build({ name, recipe, root, out }, { store: testStore(), baseDir: root });
}

function collector(): { sink: (chunk: Uint8Array) => void; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    sink: (chunk) => chunks.push(Buffer.from(chunk)),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

/**
 * The original runtime, cold: instantiate the plain build, run init (the app's top level, reading
 * the app tree at `/app`) and then the entry, in one instance, as the pipeline's init would.
 */
export async function runCold(app: string, name: string, options: RunOptions = {}): Promise<Observed> {
  const preopens: Record<string, string | { dir: string; readOnly: boolean }> = {
    '/app': { dir: app, readOnly: true },
  };
  for (const d of options.dirs ?? []) preopens[d.guest] = d.host;
  const wasi = new WASI({
    args: [name, ...(options.args ?? [])],
    env: { ...options.env, LUA_APP_ENTRY: '/app/main.lua' },
    preopens,
    stdin: 'ignore',
    stdout: 'buffer',
    stderr: 'buffer',
  });
  const instance = await WebAssembly.instantiate(await luaModule(), wasi.imports as WebAssembly.Imports);
  const ex = instance.exports as Record<string, () => void> & { memory: WebAssembly.Memory };
  const start = (): void => {
    ex['_initialize']!();
    ex[LUA_EXPORTS.init]!();
    ex[LUA_EXPORTS.run]!();
  };
  try {
    const code = wasi.start({
      exports: { memory: ex.memory, _start: start },
    } as unknown as WebAssembly.Instance);
    return { code, stdout: wasi.stdoutText(), stderr: wasi.stderrText() };
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) error.message += `\n${wasi.stderrText()}`;
    throw error;
  }
}

/** The monolithic snapshot (`dist/<name>.wasm`) in any WASI host: instantiate, reseed, `_start`. */
export async function runSnapshot(dist: string, options: RunOptions = {}): Promise<Observed> {
  const manifest = JSON.parse(await readFile(join(dist, 'manifest.json'), 'utf8')) as DistManifest;
  const preopens: Record<string, string> = {};
  for (const d of options.dirs ?? []) preopens[d.guest] = d.host;
  const wasi = new WASI({
    args: [manifest.name, ...(options.args ?? [])],
    env: options.env ?? {},
    preopens,
    stdin: 'ignore',
    stdout: 'buffer',
    stderr: 'buffer',
    ...(manifest.hostState ? { state: manifest.hostState } : {}),
  });
  const bytes = await readFile(join(dist, manifest.files.snapshot.path));
  const { instance } = await WebAssembly.instantiate(bytes, wasi.imports as WebAssembly.Imports);
  wasi.bindMemory(instance.exports['memory'] as WebAssembly.Memory);
  let code: number;
  try {
    if (manifest.postRestore.call !== null) (instance.exports[manifest.postRestore.call] as () => void)();
    code = wasi.start(instance);
  } catch (error) {
    if (!(error instanceof ProcExit)) throw error;
    code = error.exitCode;
  }
  return { code, stdout: wasi.stdoutText(), stderr: wasi.stderrText() };
}

/** The split pair through the pipeline's `runDist` (engine compiled once per process, cached). */
export async function runSplit(dist: string, options: RunOptions = {}): Promise<Observed> {
  const out = collector();
  const err = collector();
  const code = await runDist(dist, {
    args: options.args ?? [],
    dirs: options.dirs ?? [],
    env: options.env ?? {},
    stdin: 'ignore',
    stdout: out.sink,
    stderr: err.sink,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}
