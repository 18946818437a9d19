import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactStore, type BuildResult, build, lowerCliInput, runDist } from '@wasm-runtime/pipeline';
import { MemoryFS, type MemoryTree, ProcExit, preview2ModuleNames, WASI } from '@wasm-runtime/wasi';
import { inject } from 'vitest';
import { DRIVER_SOURCE, recipe, STARLINGMONKEY_ENGINE } from '../src/index.js';

/** Absolute path of a fixture app under test/fixtures/apps. */
export function appDir(name: string): string {
  return fileURLToPath(new URL(`./fixtures/apps/${name}/`, import.meta.url));
}

export function offlineStore(): ArtifactStore {
  return new ArtifactStore({ offline: true, mirrors: [inject('mirror')] });
}

/** Builds a fixture app with the recipe into `out`. */
export function buildApp(name: string, root: string, out: string): Promise<BuildResult> {
  return build({ name, recipe, root, out }, { store: offlineStore() });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(): {
  out: string[];
  err: string[];
  options: { stdout: (c: Uint8Array) => void; stderr: (c: Uint8Array) => void };
} {
  const out: string[] = [];
  const err: string[] = [];
  const decoder = new TextDecoder();
  return {
    out,
    err,
    options: {
      stdout: (c) => void out.push(decoder.decode(c)),
      stderr: (c) => void err.push(decoder.decode(c)),
    },
  };
}

/** What a start is given: its arguments (after the program name), environment and stdin. */
export interface RunInput {
  args?: string[];
  env?: Record<string, string>;
  stdin?: Uint8Array;
}

/** Runs a dist's split pair with `runDist`. */
export async function runSplit(dist: string, input: RunInput = {}): Promise<RunResult> {
  const io = capture();
  const { exitCode: code } = await runDist(dist, {
    args: input.args ?? [],
    env: input.env ?? {},
    stdin: input.stdin ?? 'ignore',
    ...io.options,
  });
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

let engine: Promise<WebAssembly.Module> | undefined;
/** The original engine from the store, compiled once per test file. */
export function engineModule(): Promise<WebAssembly.Module> {
  engine ??= offlineStore()
    .fetch(STARLINGMONKEY_ENGINE)
    .then((a) => readFile(a.path))
    .then((bytes) => WebAssembly.compile(bytes));
  return engine;
}

/**
 * Calls the entry as `runDist` does (the stdin probe, then `call(0, <input>)`: the driver's run
 * given the address of the run's input, the program name first) and reads the exit code behind
 * the pointer.
 */
function callEntry(instance: WebAssembly.Instance, name: string, input: RunInput): number {
  const ex = instance.exports as {
    call: (i: number, p: number) => number;
    post_call: (i: number) => void;
    memory: WebAssembly.Memory;
  };
  try {
    // The entry's stdin probe first (export 1: does main take stdin?), as the runner's core asks it.
    const takesStdin = new DataView(ex.memory.buffer).getInt32(ex.call(1, 0), true) !== 0;
    ex.post_call(1);
    const stdin = takesStdin ? (input.stdin ?? new Uint8Array(0)) : new Uint8Array(0);
    const area = lowerCliInput(
      instance.exports,
      { args: [name, ...(input.args ?? [])], env: input.env ?? {}, stdin },
      'the test',
    );
    const ptr = ex.call(0, area);
    return new DataView(ex.memory.buffer).getInt32(ptr, true);
  } catch (error) {
    if (error instanceof ProcExit) return error.exitCode;
    throw error;
  }
}

/** Runs the monolithic snapshot `<dist>/<name>.wasm` directly under the WASI host. */
export async function runMonolithic(dist: string, name: string, input: RunInput = {}): Promise<RunResult> {
  const module = await WebAssembly.compile(readFileSync(join(dist, `${name}.wasm`)));
  const io = capture();
  const wasi = new WASI({
    args: [name, ...(input.args ?? [])],
    env: input.env ?? {},
    preview2: preview2ModuleNames(module),
    ...io.options,
  });
  const instance = await WebAssembly.instantiate(module, wasi.imports);
  wasi.bindMemory(instance.exports['memory'] as WebAssembly.Memory, instance.exports['cabi_realloc']);
  const code = callEntry(instance, name, input);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

function treeOf(dir: string): MemoryTree {
  const tree: MemoryTree = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    tree[name] = statSync(path).isDirectory() ? treeOf(path) : new Uint8Array(readFileSync(path));
  }
  return tree;
}

/**
 * A cold start on the original engine, as the snapshot's build does it but all in one instance:
 * `_initialize`, `componentize.wizer` (evaluates the app's modules), then the entry.
 */
export async function runCold(name: string, root: string, input: RunInput = {}): Promise<RunResult> {
  const module = await engineModule();
  const spec =
    typeof recipe.init === 'function'
      ? recipe.init({ name, entry: 'main.js', entryGuestPath: '/app/main.js', options: {} })
      : undefined;
  const io = capture();
  const wasi = new WASI({
    args: [name],
    env: { ...spec?.env },
    stdin: typeof spec?.stdin === 'string' ? { text: spec.stdin } : (spec?.stdin ?? 'ignore'),
    preopens: {
      '/app': { dir: new MemoryFS(treeOf(root)), readOnly: true },
      '/wasm-runtime': {
        dir: new MemoryFS({ 'driver.js': new TextEncoder().encode(DRIVER_SOURCE) }),
        readOnly: true,
      },
    },
    preview2: preview2ModuleNames(module),
    ...io.options,
  });
  const instance = await WebAssembly.instantiate(module, wasi.imports);
  wasi.bindMemory(instance.exports['memory'] as WebAssembly.Memory, instance.exports['cabi_realloc']);
  (instance.exports['_initialize'] as () => void)();
  (instance.exports['componentize.wizer'] as () => void)();
  const code = callEntry(instance, name, input);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}
