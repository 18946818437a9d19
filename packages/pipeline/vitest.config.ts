import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // .cache/ holds test caches and scratch copies, never tests of this package.
    exclude: [...configDefaults.exclude, '.cache/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
