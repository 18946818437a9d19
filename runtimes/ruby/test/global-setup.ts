import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactStore } from '@wasm-runtime/pipeline';
import type { TestProject } from 'vitest/node';
import { buildRuby, RUBY_PACKAGE, RUBY_TARBALL_NAME } from '../src/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The adapted ruby.wasm (the recipe's runtime module) in the store's cache. */
    rubyWasm: string;
    /** The local mirror directory holding the pinned tarball (tests never use the network). */
    mirror: string;
    /** The artifact store's cache root. */
    cacheDir: string;
  }
}

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

// Tests run offline: the pinned @ruby/3.4-wasm-wasi tarball comes from the local mirror that
// scripts/fetch-sources fills (npm pack), and the adapted module is cached by the store.
export default async function setup(project: TestProject): Promise<void> {
  const mirror = process.env['WASM_RUNTIME_MIRROR'] || join(REPO, '.cache', 'mirror');
  if (
    !existsSync(join(mirror, RUBY_TARBALL_NAME)) &&
    !existsSync(join(mirror, 'sha256', RUBY_PACKAGE.sha256))
  ) {
    throw new Error(
      `the Ruby package ${RUBY_TARBALL_NAME} is not in the local mirror ${mirror}: run scripts/fetch-sources ` +
        '(tests never download; it fetches the pinned tarball with npm pack)',
    );
  }
  process.env['WASM_RUNTIME_MIRROR'] = mirror;
  const store = new ArtifactStore({ offline: true, mirrors: [mirror] });
  const build = await buildRuby({ store });
  project.provide('rubyWasm', build.wasmPath);
  project.provide('mirror', mirror);
  project.provide('cacheDir', store.cacheDir);
}
