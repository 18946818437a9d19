import { join } from 'node:path';
import { compileLua, luaBuildKey } from './build.js';
import { LUA_EXPORTS } from './instance.js';
import { LUA_SOURCE } from './source.js';

/**
 * The Lua recipe for `@wasm-runtime/pipeline` (its `Recipe` contract, written out here as plain
 * data so this package does not depend on the pipeline): the runtime is built from the pinned
 * tarball, fetched by the pipeline's artifact store; init runs the app's entry module at build
 * time; the snapshot's `_start` is the driver's run export; math.random is reseeded after restore.
 */
export const recipe = {
  language: 'lua',
  runtime: { name: 'lua', version: '5.4.4+wasm-runtime.1' },
  source: {
    kind: 'build',
    inputs: {
      lua: {
        kind: 'url',
        url: LUA_SOURCE.urls[0] as string,
        urls: LUA_SOURCE.urls.slice(1),
        sha256: LUA_SOURCE.sha256,
        size: LUA_SOURCE.size,
        name: LUA_SOURCE.fileName,
      },
    },
    key: async (): Promise<readonly string[]> => [await luaBuildKey()],
    build: async (context: { inputs: Record<string, { path: string }>; dir: string }): Promise<void> => {
      const lua = context.inputs['lua'];
      if (lua === undefined)
        throw new TypeError('the pipeline passed no `lua` input to the Lua recipe build');
      await compileLua({ tarball: lua.path, outFile: join(context.dir, 'lua.wasm') });
    },
    output: 'lua.wasm',
  },
  init: (context: { entryGuestPath: string }) => ({
    export: LUA_EXPORTS.init,
    env: { LUA_APP_ENTRY: context.entryGuestPath },
  }),
  entry: { kind: 'command', export: LUA_EXPORTS.run },
  postRestore: { call: LUA_EXPORTS.reseed },
  defaults: { entry: 'main.lua' },
} as const;
