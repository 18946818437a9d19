// The pool over a loaded dist, for Node: the dist's mounts as host directories (opened once, shared
// by every run as by fresh starts), its compiled app module and its recipe's hook.

import { NodeFS } from '@wasm-runtime/wasi';
import type { SplitPairToRun } from './core.js';
import { createPool as createPairPool, type Pool, type PoolOptions } from './pool.js';
import { type LoadedDist, loadHook, prepare } from './run-dist.js';
import { isWritable } from './sandbox.js';

/** Options of {@link createPool} for a loaded dist. */
export interface DistPoolOptions extends PoolOptions {
  /** As `runDist`'s: run a post-restore hook from a recipe file the dist names. Default false. */
  trustDistRecipe?: boolean;
}

function isLoadedDist(value: LoadedDist | SplitPairToRun): value is LoadedDist {
  return 'mountDirs' in value;
}

/**
 * A pool of warm instances of an app (see the runner's `createPool`), from what `loadDist`
 * returned or from a split pair loaded by other means. For a loaded dist, the dist's mounts are
 * preopened as `runDist` does (before the pool's own `preopens` and `memoryDirs`), and a dist
 * whose hook is a file it names is refused unless `trustDistRecipe`.
 */
export async function createPool(
  dist: LoadedDist | SplitPairToRun,
  options: DistPoolOptions = {},
): Promise<Pool> {
  if (!isLoadedDist(dist)) return createPairPool(dist, options);
  const { manifest, dir } = dist;
  const preopens: NonNullable<PoolOptions['preopens']> = {};
  for (const mount of manifest.mounts) {
    const host = dist.mountDirs.get(mount.guest);
    if (host !== undefined) preopens[mount.guest] = new NodeFS(host, { readOnly: !isWritable(mount, dist) });
  }
  const prepared = prepare(dist);
  prepared.hook ??= loadHook(dir, manifest, options.trustDistRecipe === true);
  const postRestore = await prepared.hook;
  const { trustDistRecipe: _, ...poolOptions } = options;
  return createPairPool(
    {
      where: dir,
      manifest,
      engine: dist.engine,
      engineFile: dist.engineFile,
      data: prepared.data,
      ...(postRestore === undefined ? {} : { postRestore }),
    },
    { ...poolOptions, preopens: { ...preopens, ...options.preopens } },
  );
}
