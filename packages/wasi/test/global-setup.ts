import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFixtures } from './build-fixtures.js';

/**
 * vitest globalSetup: builds the C fixtures (only those whose sources changed), and warns when the
 * end-to-end tests would run against a dist/ older than src/ (they import the built package, as users do;
 * turbo builds it first, a bare `vitest` run does not).
 */
export default async function setup(): Promise<void> {
  await buildFixtures();
  const src = fileURLToPath(new URL('../src/', import.meta.url));
  const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  if (!existsSync(built)) {
    console.warn(
      'dist/ is missing: the end-to-end tests in test/ need `npx turbo run build --filter=@wasm-runtime/wasi`.',
    );
    return;
  }
  const builtAt = statSync(built).mtimeMs;
  const stale = readdirSync(src, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .some((f) => statSync(join(src, f)).mtimeMs > builtAt);
  if (stale) console.warn('dist/ is older than src/: the end-to-end tests in test/ run the last build.');
}
