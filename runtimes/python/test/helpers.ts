import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactStore, type BuildResult, build } from '@wasm-runtime/pipeline';
import { runCold as runColdSpec, type WayOptions } from '@wasm-runtime/test-support';
import { inject } from 'vitest';
import { PYTHON_EXPORTS, recipe } from '../src/index.js';

export { type Observed, runMonolithic, runSplit } from '@wasm-runtime/test-support';

/** Absolute path of a fixture app under test/fixtures/apps. */
export function appDir(name: string): string {
  return fileURLToPath(new URL(`./fixtures/apps/${name}/`, import.meta.url));
}

let compiled: Promise<WebAssembly.Module> | undefined;
/** The python.wasm the global setup built, compiled once per test file. */
export function pythonModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(inject('pythonWasm')).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

/** The artifact store of the tests: offline, with the local mirror of pinned sources. */
export function testStore(options: { cacheDir?: string } = {}): ArtifactStore {
  return new ArtifactStore({
    offline: true,
    mirrors: [inject('mirror')],
    cacheDir: options.cacheDir ?? inject('cacheDir'),
  });
}

/** Builds an app through the pipeline (the recipe object of this package's source). */
export function buildApp(
  root: string,
  out: string,
  name: string,
  options: Record<string, unknown> = { hashSeed: 1 },
): Promise<BuildResult> {
  return build({ name, recipe, root, out, options }, { store: testStore(), baseDir: root });
}

/**
 * The original runtime, cold: instantiate the plain build, run init (the app's top level, reading
 * the app tree at `/app` and the staged library) and then `main()`, in one instance.
 */
export async function runCold(app: string, name: string, options: WayOptions = {}) {
  return runColdSpec(
    {
      module: await pythonModule(),
      name,
      calls: ['_initialize', PYTHON_EXPORTS.init, PYTHON_EXPORTS.run],
      preopens: {
        '/app': { dir: app, readOnly: true },
        '/usr/local/lib': { dir: join(inject('pythonDir'), 'lib'), readOnly: true },
      },
      initEnv: {
        WASM_RUNTIME_PY_ENTRY: '/app/main.py',
        WASM_RUNTIME_PY_HASH_SEED: '1',
      },
    },
    options,
  );
}

/** A fresh temporary directory and its removal. */
export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
