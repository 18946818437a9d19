import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactStore } from '@wasm-runtime/pipeline';
import { inject } from 'vitest';

/** Absolute path of a fixture app under test/fixtures/apps. */
export function appDir(name: string): string {
  return fileURLToPath(new URL(`./fixtures/apps/${name}/`, import.meta.url));
}

/** Absolute path of the template app. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/ruby/', import.meta.url));

let compiled: Promise<WebAssembly.Module> | undefined;
/** The adapted ruby.wasm the global setup prepared, compiled once per test file. */
export function rubyModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(inject('rubyWasm')).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

/** The artifact store of the tests: offline, with the local mirror of pinned artifacts. */
export function testStore(options: { cacheDir?: string } = {}): ArtifactStore {
  return new ArtifactStore({
    offline: true,
    mirrors: [inject('mirror')],
    cacheDir: options.cacheDir ?? inject('cacheDir'),
  });
}

/** A fresh temporary directory and its removal. */
export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
