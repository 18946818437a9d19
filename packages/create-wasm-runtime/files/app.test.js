// Runs the built app (npm run build first) the way `npm start` does: it must start and exit 0.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const cli = join(
  dirname(createRequire(import.meta.url).resolve('@wasm-runtime/cli/package.json')),
  'bin/wasm-runtime.js',
);

test('the app starts from its snapshot and exits 0', () => {
  const r = spawnSync(process.execPath, [cli, 'run', 'dist', '--', 'world'], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
});
