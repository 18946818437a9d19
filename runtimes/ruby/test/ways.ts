import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BuildResult, build, type DistManifest, runDist } from '@wasm-runtime/pipeline';
import { ProcExit, WASI } from '@wasm-runtime/wasi';
import { RUBY_EXPORTS, recipe } from '../src/index.js';
import { rubyModule, testStore } from './helpers.js';

/** What a user observes of one run. */
export interface Observed {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  args?: string[];
  env?: Record<string, string>;
  stdin?: string;
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

const stdinOf = (options: RunOptions) => new TextEncoder().encode(options.stdin ?? '');

/**
 * The runtime cold: instantiate the adapted module, `_initialize`, init (boots Ruby, loads the app
 * from `/app`), then the run entry, in one instance, as the pipeline's init would. The environment
 * holds init's variables too, as a plain host running both in one instance would give them.
 */
export async function runCold(app: string, name: string, options: RunOptions = {}): Promise<Observed> {
  const wasi = new WASI({
    args: [name, ...(options.args ?? [])],
    env: { ...options.env, RUBY_APP_ENTRY: '/app/main.rb', RUBY_APP_ROOT: '/app', RUBY_APP_NAME: name },
    preopens: { '/app': { dir: app, readOnly: true } },
    stdin: stdinOf(options),
    stdout: 'buffer',
    stderr: 'buffer',
  });
  const instance = await WebAssembly.instantiate(await rubyModule(), wasi.imports as WebAssembly.Imports);
  const ex = instance.exports as Record<string, () => void> & { memory: WebAssembly.Memory };
  const start = (): void => {
    ex['_initialize']!();
    ex[RUBY_EXPORTS.init]!();
    ex[RUBY_EXPORTS.run]!();
  };
  const code = wasi.start({ exports: { memory: ex.memory, _start: start } } as unknown as WebAssembly.Instance);
  return { code, stdout: wasi.stdoutText(), stderr: wasi.stderrText() };
}

const snapshots = new Map<string, Promise<WebAssembly.Module>>();

/**
 * The monolithic snapshot (`dist/<name>.wasm`) as any WASI host runs it: the app tree preopened at
 * `/app` from `dist/files/app`, instantiate, `_start`. Compiled once per dist.
 */
export async function runSnapshot(dist: string, options: RunOptions = {}): Promise<Observed> {
  const manifest = JSON.parse(await readFile(join(dist, 'manifest.json'), 'utf8')) as DistManifest;
  const preopens: Record<string, { dir: string; readOnly: boolean }> = {};
  for (const m of manifest.mounts) if (m.dir !== null) preopens[m.guest] = { dir: join(dist, m.dir), readOnly: true };
  const wasi = new WASI({
    args: [manifest.name, ...(options.args ?? [])],
    env: options.env ?? {},
    preopens,
    stdin: stdinOf(options),
    stdout: 'buffer',
    stderr: 'buffer',
  });
  let compiled = snapshots.get(dist);
  if (compiled === undefined) {
    compiled = readFile(join(dist, manifest.files.snapshot.path)).then((b) => WebAssembly.compile(b));
    snapshots.set(dist, compiled);
  }
  const instance = await WebAssembly.instantiate(await compiled, wasi.imports as WebAssembly.Imports);
  let code: number;
  try {
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
    env: options.env ?? {},
    stdin: stdinOf(options),
    stdout: out.sink,
    stderr: err.sink,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}
