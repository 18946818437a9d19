import { defineConfig } from 'vitest/config';

// Sized for a busy 2-core machine (turbo runs every package's tests at once); speed lives in bench/.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
