import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./test/global-setup.ts'],
    // Each build pre-initializes a 10 MB engine (seconds on a busy 2-core machine).
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
