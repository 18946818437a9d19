import { type BuildResult, build } from '@wasm-runtime/pipeline';
import { runCold as runColdSpec, type WayOptions } from '@wasm-runtime/test-support';
import { LUA_EXPORTS, recipe } from '../src/index.js';
import { luaModule, testStore } from './helpers.js';

export { type Observed, runMonolithic as runSnapshot, runPooled, runSplit } from '@wasm-runtime/test-support';

/** Builds an app through the pipeline (the recipe object of this package's source). */
export function buildApp(root: string, out: string, name: string): Promise<BuildResult> {
  return build({ name, recipe, root, out }, { store: testStore(), baseDir: root });
}

/**
 * The original runtime, cold: instantiate the plain build, run init (the app's top level, reading
 * the app tree at `/app`) and then the entry, in one instance, as the pipeline's init would.
 */
export async function runCold(app: string, name: string, options: WayOptions = {}) {
  return runColdSpec(
    {
      module: await luaModule(),
      name,
      calls: ['_initialize', LUA_EXPORTS.init, LUA_EXPORTS.run],
      preopens: { '/app': { dir: app, readOnly: true } },
      initEnv: { LUA_APP_ENTRY: '/app/main.lua' },
    },
    options,
  );
}
