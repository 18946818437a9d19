import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactStore } from '@wasm-runtime/pipeline';
import type { TestProject } from 'vitest/node';
import { buildPython, PYTHON_SOURCE, ZLIB_SOURCE } from '../src/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pythonWasm: string;
    pythonWasmSha256: string;
    /** The runtime's build directory (python.wasm, lib/python311.zip, tree/python3.11). */
    pythonDir: string;
    /** The local mirror directory holding the pinned sources (tests never use the network). */
    mirror: string;
    /** The artifact store's cache root. */
    cacheDir: string;
  }
}

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

// Tests run offline: the pinned sources come from a local mirror that scripts/fetch-sources fills
// (from Debian's source packages), and the build is cached by the artifact store, so a warm run
// compiles nothing (a cold one configures and makes CPython once: minutes, not seconds).
export default async function setup(project: TestProject): Promise<void> {
  const mirror = process.env['WASM_RUNTIME_MIRROR'] || join(REPO, '.cache', 'mirror');
  for (const source of [PYTHON_SOURCE, ZLIB_SOURCE]) {
    if (!existsSync(join(mirror, source.name)) && !existsSync(join(mirror, 'sha256', source.sha256))) {
      throw new Error(
        `the source ${source.name} is not in the local mirror ${mirror}: run scripts/fetch-sources ` +
          '(tests never download; it takes the pinned files from Debian with apt-get source)',
      );
    }
  }
  process.env['WASM_RUNTIME_MIRROR'] = mirror;
  const store = new ArtifactStore({ offline: true, mirrors: [mirror] });
  const build = await buildPython({ store });
  project.provide('pythonWasm', build.wasmPath);
  project.provide('pythonWasmSha256', build.sha256);
  project.provide('pythonDir', build.dir);
  project.provide('mirror', mirror);
  project.provide('cacheDir', store.cacheDir);
}
