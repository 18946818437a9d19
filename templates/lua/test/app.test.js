// Runs the built app (npm run build first) the way `npm start` does, and checks what it prints.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const cli = join(
  dirname(createRequire(import.meta.url).resolve('@wasm-runtime/cli/package.json')),
  'bin/wasm-runtime.js',
);
const app = new URL('..', import.meta.url);

function start(...args) {
  return spawnSync(process.execPath, [cli, 'run', 'dist', '--', ...args], { cwd: app, encoding: 'utf8' });
}

test('greets whoever is named on the command line', () => {
  const r = start('Ada');
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  const [greeting, quote, count] = r.stdout.split('\n');
  assert.equal(greeting, 'Hello, Ada! (Lua 5.4, started from a snapshot)');
  assert.match(quote, /^".+" \(.+\)$/);
  assert.equal(count, '5 quotes by 5 authors');
});

test('greets the world when no one is named', () => {
  const r = start();
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^Hello, world!/);
});
