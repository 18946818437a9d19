import { validateRecipe } from '@wasm-runtime/pipeline';
import { describe, expect, it } from 'vitest';
import { PythonBuildError } from './errors.js';
import { pythonRecipe, recipe } from './recipe.js';

const context = (options: Record<string, unknown>) => ({
  name: 'app',
  entry: 'main.py',
  entryGuestPath: '/app/main.py',
  options,
});

function initEnv(options: Record<string, unknown>): Record<string, string> {
  if (typeof recipe.init !== 'function') throw new Error('the recipe has no init function');
  return { ...recipe.init(context(options)).env };
}

describe('the Python recipe', () => {
  it('is a valid recipe whose stdlib mount comes from the runtime build, shipped for run time', () => {
    expect(validateRecipe(recipe)).toEqual([]);
    expect(recipe.stage?.mounts).toEqual([
      { guest: '/app', atRuntime: true },
      { guest: '/usr/local/lib', root: 'runtime', from: 'lib', atRuntime: true },
    ]);
    expect(pythonRecipe({ stdlib: 'tree' }).stage?.mounts[1]).toEqual({
      guest: '/usr/local/lib/python3.11',
      root: 'runtime',
      from: 'tree/python3.11',
      atRuntime: true,
    });
  });

  it('fixes the hash seed the config chooses, else draws a fresh one per build', () => {
    expect(initEnv({ hashSeed: 42 })).toMatchObject({
      WASM_RUNTIME_PY_ENTRY: '/app/main.py',
      WASM_RUNTIME_PY_HASH_SEED: '42',
      WASM_RUNTIME_PY_PATH: '/usr/local/lib/python311.zip:/app',
      WASM_RUNTIME_PY_REPORT: '1',
    });
    const seeds = new Set(Array.from({ length: 5 }, () => initEnv({})['WASM_RUNTIME_PY_HASH_SEED']));
    expect(seeds.size).toBeGreaterThan(1);
    for (const seed of seeds) expect(Number(seed)).toBeLessThanOrEqual(4294967295);
  });

  it('refuses a hash seed that is not an integer from 0 to 2^32-1, with a typed error', () => {
    for (const bad of [-1, 2 ** 32, 1.5, '7']) {
      expect(() => initEnv({ hashSeed: bad })).toThrow(PythonBuildError);
    }
    expect(() => initEnv({ hashSeed: '7' })).toThrow(
      /options\.hashSeed must be an integer from 0 to 4294967295, got "7"/,
    );
  });

  it('lets an app without main() through only when the config says it is a reactor', () => {
    expect(initEnv({ reactor: true })['WASM_RUNTIME_PY_REACTOR']).toBe('1');
    expect(initEnv({})['WASM_RUNTIME_PY_REACTOR']).toBeUndefined();
  });
});
