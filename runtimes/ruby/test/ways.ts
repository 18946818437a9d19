import { type BuildResult, build } from '@wasm-runtime/pipeline';
import { runCold as runColdSpec, type WayOptions } from '@wasm-runtime/test-support';
import { RUBY_EXPORTS, recipe } from '../src/index.js';
import { rubyModule, testStore } from './helpers.js';

export {
  type Observed,
  runMonolithic as runSnapshot,
  runSplit,
  type WayOptions as RunOptions,
} from '@wasm-runtime/test-support';

/** Builds an app through the pipeline (the recipe object of this package's source). */
export function buildApp(root: string, out: string, name: string): Promise<BuildResult> {
  return build({ name, recipe, root, out }, { store: testStore(), baseDir: root });
}

/**
 * The runtime cold: instantiate the adapted module, `_initialize`, init (boots Ruby, loads the app
 * from `/app`), then the run entry, in one instance, as the pipeline's init would. The environment
 * holds init's variables too, as a plain host running both in one instance would give them.
 */
export async function runCold(app: string, name: string, options: WayOptions = {}) {
  return runColdSpec(
    {
      module: await rubyModule(),
      name,
      calls: ['_initialize', RUBY_EXPORTS.init, RUBY_EXPORTS.run],
      preopens: { '/app': { dir: app, readOnly: true } },
      initEnv: { RUBY_APP_ENTRY: '/app/main.rb', RUBY_APP_ROOT: '/app', RUBY_APP_NAME: name },
    },
    options,
  );
}
