import { defineConfig } from 'vitest/config';

// Ruby's init is heavy (about 1.6 s cold on an idle machine, several times that on a busy 2-core
// one; a build pre-initializes a 30 MB module): generous timeouts, never speed checks.
export default defineConfig({
  test: {
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
