import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { ArtifactStore, type BuildSource, fetchRuntime, type Recipe, readTar } from '@wasm-runtime/pipeline';
import { RubyBuildError } from './errors.js';
import { adaptRubyModule, RUBY_EXPORTS } from './module.js';
import { RUBY_PACKAGE, RUBY_PACKAGE_MODULE } from './source.js';

/** The prelude the init export evaluates (shipped in the package's `driver/`). */
export const RUBY_PRELUDE_PATH = new URL('../driver/prelude.rb', import.meta.url);

/** Version of the adaptation (module rewrite + prelude); part of the runtime version and the cache key. */
const ADAPTER_VERSION = '1';

async function readPackageFile(tarball: string, path: string): Promise<Uint8Array> {
  const stream = createReadStream(tarball).pipe(createGunzip());
  for await (const entry of readTar(stream, tarball)) {
    if (entry.type !== 'file') continue;
    const slash = entry.path.indexOf('/');
    if (slash !== -1 && entry.path.slice(slash + 1) === path) {
      stream.destroy();
      return new Uint8Array(entry.data);
    }
  }
  throw new RubyBuildError(
    'ERR_RUBY_BAD_RUNTIME',
    `${RUBY_PACKAGE.package}@${RUBY_PACKAGE.version} has no ${path}`,
  );
}

function rubyBuildSource(): BuildSource & { output: 'ruby.wasm' } {
  return {
    kind: 'build',
    inputs: { ruby: RUBY_PACKAGE },
    key: async () => {
      const prelude = await readFile(RUBY_PRELUDE_PATH);
      return [
        'ruby-build-dir/1',
        `adapter ${ADAPTER_VERSION}`,
        `prelude ${createHash('sha256').update(prelude).digest('hex')}`,
      ];
    },
    build: async (context) => {
      const tarball = context.inputs['ruby'];
      if (tarball === undefined)
        throw new TypeError('the pipeline passed no `ruby` input to the Ruby recipe build');
      const original = await readPackageFile(tarball.path, RUBY_PACKAGE_MODULE);
      const prelude = await readFile(RUBY_PRELUDE_PATH, 'utf8');
      await writeFile(join(context.dir, 'ruby.wasm'), adaptRubyModule(original, prelude));
    },
    output: 'ruby.wasm',
  };
}

/**
 * The Ruby recipe: `@ruby/3.4-wasm-wasi`'s `ruby+stdlib.wasm` from the npm registry's tarball
 * (pinned), adapted with the project's codec (preview1 imports only, an init and a run export);
 * init (`wasm-runtime.init`) boots the VM and loads the app's entry file from `/app`, which is
 * also preopened at run time so files required later are found; the snapshot's `_start` is
 * `wasm-runtime.run`, which sets ARGV, ENV and a fresh random seed, then calls `main`.
 */
export const recipe: Recipe & { source: { kind: 'build' } } = {
  language: 'ruby',
  runtime: { name: 'ruby', version: `3.4.1+ruby.wasm-2.10.1+wasm-runtime.${ADAPTER_VERSION}` },
  source: rubyBuildSource(),
  stage: { mounts: [{ guest: '/app', atRuntime: true }] },
  init: (context) => ({
    export: RUBY_EXPORTS.init,
    env: { RUBY_APP_ENTRY: context.entryGuestPath, RUBY_APP_ROOT: '/app', RUBY_APP_NAME: context.name },
    // 21 MB of heap and stdlib image: fewer, larger segments instantiate faster in V8.
    maxDataSegments: 10_000,
  }),
  entry: { kind: 'command', export: RUBY_EXPORTS.run },
  defaults: { entry: 'main.rb' },
};

/** Options of {@link buildRuby}. */
export interface BuildRubyOptions {
  /** The artifact store (cache root, mirrors, offline mode); default `new ArtifactStore()`. */
  store?: ArtifactStore;
  signal?: AbortSignal;
}

/** The adapted `ruby.wasm`. */
export interface RubyBuild {
  /** Absolute path of the module, inside the store's cache: treat it as read-only. */
  wasmPath: string;
  /** Lowercase hex sha256 of the module's bytes. */
  sha256: string;
  /** The store's build key: the name of the build's cache directory. */
  key: string;
  /** True when the module came from the cache. */
  cached: boolean;
}

/**
 * Gives the adapted runtime module the way the pipeline does for {@link recipe} (same cache
 * entry): the pinned tarball from the store, `ruby+stdlib.wasm` adapted by {@link adaptRubyModule}.
 */
export async function buildRuby(options: BuildRubyOptions = {}): Promise<RubyBuild> {
  const { store = new ArtifactStore(), signal } = options;
  const runtime = await fetchRuntime(recipe, store, { baseDir: process.cwd(), signal });
  return {
    wasmPath: runtime.path,
    sha256: runtime.sha256,
    key: basename(dirname(runtime.path)),
    cached: runtime.fromCache,
  };
}
