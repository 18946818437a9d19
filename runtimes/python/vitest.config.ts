import { defineConfig } from 'vitest/config';

// CPython's cold starts take seconds each on a busy 2-core machine, and a first run builds the
// runtime (configure + make) in the global setup: generous limits, never timed assertions.
export default defineConfig({
  test: {
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
