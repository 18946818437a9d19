import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactStore } from '@wasm-runtime/pipeline';
import type { TestProject } from 'vitest/node';
import { buildLua, LUA_SOURCE } from '../src/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    luaWasm: string;
    luaWasmSha256: string;
    /** The local mirror directory holding the pinned sources (tests never use the network). */
    mirror: string;
    /** The artifact store's cache root. */
    cacheDir: string;
  }
}

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

// Tests run offline: the pinned Lua source comes from a local mirror that scripts/fetch-sources
// fills (from Debian's source package), and the build is cached by the artifact store, so a warm
// run compiles nothing.
export default async function setup(project: TestProject): Promise<void> {
  const mirror = process.env['WASM_RUNTIME_MIRROR'] || join(REPO, '.cache', 'mirror');
  if (!existsSync(join(mirror, LUA_SOURCE.name)) && !existsSync(join(mirror, 'sha256', LUA_SOURCE.sha256))) {
    throw new Error(
      `the Lua source ${LUA_SOURCE.name} is not in the local mirror ${mirror}: run scripts/fetch-sources ` +
        '(tests never download; it takes the pinned file from Debian with apt-get source)',
    );
  }
  process.env['WASM_RUNTIME_MIRROR'] = mirror;
  const store = new ArtifactStore({ offline: true, mirrors: [mirror] });
  const build = await buildLua({ store });
  project.provide('luaWasm', build.wasmPath);
  project.provide('luaWasmSha256', build.sha256);
  project.provide('mirror', mirror);
  project.provide('cacheDir', store.cacheDir);
}
