import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from '@wasm-runtime/pipeline';
import { describe, expect, it } from 'vitest';
import { recipe } from '../src/index.js';
import { tempDir, testStore } from './helpers.js';
import { buildApp, runSplit } from './ways.js';

describe('an entry module without main', () => {
  it('fails the build, saying its top level ran at build time and what to write instead', async () => {
    const scratch = await tempDir('lua-no-main-');
    try {
      const app = join(scratch.path, 'app');
      await mkdir(app);
      await writeFile(join(app, 'main.lua'), 'print("hi")\n');
      const out = join(scratch.path, 'dist');
      const failed = buildApp(app, out, 'script');
      await expect(failed).rejects.toMatchObject({ code: 'ERR_BUILD_STAGE_FAILED', stage: 'preinit' });
      await expect(failed).rejects.toThrow(
        /the entry module has no main: its top level ran once, now, at build time.*"reactor": true/,
      );
      await expect(readdir(out)).rejects.toThrow();
    } finally {
      await scratch.remove();
    }
  });

  it('builds without main when the config says the app is a reactor; a start then fails clearly', async () => {
    const scratch = await tempDir('lua-reactor-');
    try {
      const app = join(scratch.path, 'app');
      await mkdir(app);
      await writeFile(join(app, 'main.lua'), 'function greet() print("hi") end\n');
      const result = await build(
        { name: 'reactor', recipe, root: app, out: join(scratch.path, 'dist'), options: { reactor: true } },
        { store: testStore(), baseDir: app },
      );
      expect(result.initOutput.stderr).toBe('');
      const run = await runSplit(result.outDir);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^wasm-runtime\/lua: the app has no main function/);
    } finally {
      await scratch.remove();
    }
  });

  it('gives no warning when main is a global, a returned function or a field', async () => {
    const scratch = await tempDir('lua-main-');
    try {
      for (const [i, source] of [
        'function main() print("g") end',
        'return function() print("f") end',
        'return { main = function() print("t") end }',
      ].entries()) {
        const app = join(scratch.path, `app${i}`);
        await mkdir(app);
        await writeFile(join(app, 'main.lua'), `${source}\n`);
        const result = await buildApp(app, join(scratch.path, `dist${i}`), `m${i}`);
        expect(result.initOutput.stderr).toBe('');
        expect((await runSplit(result.outDir)).code).toBe(0);
      }
    } finally {
      await scratch.remove();
    }
  });
});

describe('an init failure', () => {
  it("leads with Lua's error in the user's source paths, the trap in one line after it", async () => {
    const scratch = await tempDir('lua-init-fail-');
    try {
      const app = join(scratch.path, 'app');
      await mkdir(join(app, 'src', 'lib'), { recursive: true });
      await writeFile(
        join(app, 'wasm-runtime.config.json'),
        JSON.stringify({ lang: 'lua', root: 'src', entry: 'main.lua', name: 'cfg' }),
      );
      await writeFile(
        join(app, 'src', 'main.lua'),
        "local cfg = require('lib.cfg')\nreturn { main = function() end }\n",
      );
      await writeFile(join(app, 'src', 'lib', 'cfg.lua'), 'local t = nil\n\n\nreturn t.port\n');
      const error = await build(app, { store: testStore() }).catch((e: unknown) => e);
      const message = (error as Error).message;
      expect(message).toMatch(
        /^building cfg failed in the preinit stage: \[ERR_BUILD_INIT_FAILED\] the app's initialization failed:\nwasm-runtime\/lua: init failed: the entry module raised an error: src\/lib\/cfg\.lua:4: attempt to index a nil value/,
      );
      expect(message).not.toContain('/app/');
      expect(message).toMatch(
        /\n\(then \[ERR_PREINIT_TRAP\] the `wizer-initialize` function trapped: unreachable;/,
      );
    } finally {
      await scratch.remove();
    }
  });
});
