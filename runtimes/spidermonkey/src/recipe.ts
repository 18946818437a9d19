import type { NpmSource, Recipe } from '@wasm-runtime/pipeline';
import { DRIVER_GUEST_PATH, DRIVER_MOUNT, DRIVER_SOURCE } from './driver.js';

/**
 * The engine: StarlingMonkey (SpiderMonkey plus web APIs) as componentize-js 0.23.0 ships it, a
 * core module with WASI preview1 and WASI 0.2 core-ABI imports. The store checks the tarball
 * against the registry's `dist.integrity` and the file against this sha256; a local mirror
 * (`WASM_RUNTIME_MIRROR`, filled by scripts/fetch-sources) serves it by name or by sha256.
 */
export const STARLINGMONKEY_ENGINE = {
  kind: 'npm',
  package: '@bytecodealliance/componentize-js',
  version: '0.23.0',
  path: 'lib/starlingmonkey_embedding.wasm',
  sha256: '6094cd93d966f9bec9b01332db6e0eedbaf22f60b745c9f823f21e33cbd4d365',
} as const satisfies NpmSource;

/** The guest path the app's files are mounted at. */
export const APP_MOUNT = '/app';

/**
 * The environment `componentize.wizer` reads: two exports (the driver's `run`, given `call`'s
 * parameter pointer, and `takesStdin`, no parameters; each an i32 result through a return area),
 * no imports. The names are the embedding's.
 */
const BINDING_ENV = {
  SOURCE_NAME: 'main.js',
  EXPORT_CNT: '2',
  EXPORT0_NAME: 'run',
  EXPORT0_ARGS: '*i32',
  EXPORT0_RET: 'i32',
  EXPORT0_RETSIZE: '4',
  EXPORT1_NAME: 'takesStdin',
  EXPORT1_ARGS: '',
  EXPORT1_RET: 'i32',
  EXPORT1_RETSIZE: '4',
  IMPORT_CNT: '0',
  FEATURE_CLOCKS: '1',
  DEBUG: '',
} as const;

/**
 * The SpiderMonkey recipe: the app's entry module (and every module it imports) is evaluated at
 * build time by the engine's own pre-initialization entry, `componentize.wizer`, fed the way
 * componentize-js feeds it (arguments on stdin, bindings in the environment, sources preopened);
 * its top level runs then and its state is in the snapshot. Each start calls the engine's `call`
 * export with export 0, the driver's `run`, and the address of the run's input (arguments,
 * environment, stdin, written by the host): it awaits the app's exported `main({ args, env, stdin })`
 * and returns its exit code (a number `main` returns, 1 after an uncaught error, else 0).
 */
export const recipe: Recipe = {
  language: 'spidermonkey',
  runtime: { name: 'starlingmonkey', version: 'componentize-js-0.23.0+wasm-runtime.2' },
  source: STARLINGMONKEY_ENGINE,
  stage: {
    mounts: [{ guest: APP_MOUNT }, { guest: DRIVER_MOUNT, files: { 'driver.js': DRIVER_SOURCE } }],
  },
  init: (context) => ({
    export: 'componentize.wizer',
    env: { ...BINDING_ENV, SOURCE_NAME: context.entry.split('/').pop() ?? context.entry },
    stdin: `--initializer-script-path ${DRIVER_GUEST_PATH} --strip-path-prefix ${APP_MOUNT}/ ${context.entryGuestPath}`,
  }),
  entry: {
    kind: 'export',
    export: 'call',
    args: [0],
    input: 'cli',
    result: 'pointer',
    // Export 1 says whether main takes stdin; the embedding's post_call ends that call.
    stdinProbe: { args: [1], result: 'pointer', post: 'post_call', postArgs: [1] },
  },
  defaults: { entry: 'main.js', exclude: ['node_modules/**', 'dist/**'] },
};
