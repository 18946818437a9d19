// A Lua error at run time names the user's files, as the build's init errors do: `wasm-runtime run
// dist` (the real binary, run with execa) and runDist's `sourcePaths` show `src/lib/cfg.lua:4:` where
// the guest saw `/app/lib/cfg.lua:4:`. Only stderr is rewritten: stdout is the app's data.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, runDist } from '@wasm-runtime/pipeline';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testStore } from './helpers.js';

const bin = fileURLToPath(new URL('../../../packages/cli/bin/wasm-runtime.js', import.meta.url));

let scratch: Awaited<ReturnType<typeof tempDir>>;
let dist: string;
beforeAll(async () => {
  scratch = await tempDir('lua-run-paths-');
  const app = join(scratch.path, 'app');
  await mkdir(join(app, 'src', 'lib'), { recursive: true });
  await writeFile(
    join(app, 'wasm-runtime.config.json'),
    JSON.stringify({ lang: 'lua', root: 'src', entry: 'main.lua', name: 'cfg' }),
  );
  await writeFile(
    join(app, 'src', 'main.lua'),
    [
      "local cfg = require('lib.cfg')",
      'return { main = function(args)',
      "  print('source ' .. debug.getinfo(1, 'S').source)",
      '  local port = cfg.port(args[1])',
      '  return port == 8080',
      'end }',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(app, 'src', 'lib', 'cfg.lua'),
    'local M = {}\nfunction M.port(name)\n  local t = name and { port = 8080 } or nil\n  return t.port\nend\nreturn M\n',
  );
  const result = await build(app, { store: testStore() });
  dist = result.outDir;
});
afterAll(async () => {
  await scratch?.remove();
});

/** The stderr lines a failed run of this app must show: Lua's error and traceback in source paths. */
function expectSourcePaths(stderr: string): void {
  expect(stderr).toMatch(/^lua: src\/lib\/cfg\.lua:4: attempt to index a nil value \(local 't'\)\n/);
  expect(stderr).toMatch(/^\s+src\/lib\/cfg\.lua:4: in /m);
  expect(stderr).toMatch(/^\s+src\/main\.lua:4: in /m);
  expect(stderr).not.toContain('/app/');
}

describe('a Lua error at run time', () => {
  it('the manifest records the source directory of the app mount', async () => {
    const manifest = JSON.parse(await readFile(join(dist, 'manifest.json'), 'utf8'));
    expect(manifest.mounts).toEqual([expect.objectContaining({ guest: '/app', source: 'src' })]);
  });

  it('wasm-runtime run <dist> shows it in the user source paths; stdout is left alone', async () => {
    const ok = await execa(process.execPath, [bin, 'run', dist, 'web'], {
      reject: false,
      env: { NO_COLOR: '' },
    });
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    const r = await execa(process.execPath, [bin, 'run', dist], { reject: false, env: { NO_COLOR: '' } });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('source @/app/main.lua');
    expectSourcePaths(r.stderr);
    // A bounded run goes through a worker thread: the same.
    const timed = await execa(process.execPath, [bin, 'run', '--timeout', '60s', dist], {
      reject: false,
      env: { NO_COLOR: '' },
    });
    expect(timed.exitCode).toBe(1);
    expectSourcePaths(timed.stderr);
  });

  it("runDist's sourcePaths rewrites buffered and streamed stderr; without it the guest paths stay", async () => {
    const decoder = new TextDecoder();
    const buffered = await runDist(dist, { stdout: 'buffer', stderr: 'buffer', sourcePaths: true });
    expect(buffered.exitCode).toBe(1);
    expectSourcePaths(decoder.decode(buffered.stderr));
    expect(decoder.decode(buffered.stdout)).toBe('source @/app/main.lua\n');
    const chunks: string[] = [];
    const streamed = await runDist(dist, {
      stdout: 'ignore',
      stderr: (chunk) => chunks.push(decoder.decode(chunk, { stream: true })),
      sourcePaths: true,
    });
    expect(streamed.exitCode).toBe(1);
    expectSourcePaths(chunks.join(''));
    const plain = await runDist(dist, { stdout: 'ignore', stderr: 'buffer' });
    expect(decoder.decode(plain.stderr)).toMatch(
      /^lua: \/app\/lib\/cfg\.lua:4: attempt to index a nil value/,
    );
  });
});
