import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GuestTrapError } from '../errors.js';
import { checkDirs, type RunOptions } from './run.js';

/**
 * True when `run`'s target is a directory to run as a dist written by `wasm-runtime build`: one
 * with a manifest.json, or one that is not a `wasm-runtime split --out-dir` directory either.
 */
export async function isDistDir(path: string): Promise<boolean> {
  if ((await stat(path).catch(() => undefined))?.isDirectory() !== true) return false;
  if (existsSync(join(path, 'manifest.json'))) return true;
  const { splitManifestsIn } = await import('./split-pair.js');
  return (await splitManifestsIn(path)).length === 0;
}

/**
 * `wasm-runtime run <dist dir>`: runs a built app through `runDist` (the split pair linked, its
 * engine compiled once and cached, the recipe's post-restore step applied) with `run`'s options:
 * arguments after the app name, `--env`, `--dir`, `--writable-mounts`; the guest paths of the app's
 * own files in its stderr are shown as the user's source paths. Resolves to the guest's exit status; a trap is a
 * `GuestTrapError` (exit status 134), like `run` of a module.
 */
export async function runDistCommand(options: RunOptions): Promise<number> {
  const { runDist } = await import('@wasm-runtime/pipeline');
  await checkDirs(options.dirs);
  try {
    const { exitCode } = await runDist(options.module, {
      args: options.args,
      env: options.env,
      dirs: options.dirs,
      writableMounts: options.writableMounts === true,
      trustDistRecipe: options.trustDistRecipe === true,
      // The app's errors name the user's files (src/lib/cfg.lua:4:), not the guest's (/app/...).
      sourcePaths: true,
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(options.maxMemory === undefined ? {} : { maxMemory: options.maxMemory }),
    });
    return exitCode;
  } catch (cause) {
    if (cause instanceof WebAssembly.RuntimeError || cause instanceof RangeError) {
      throw new GuestTrapError(options.module, { cause });
    }
    throw cause;
  }
}
