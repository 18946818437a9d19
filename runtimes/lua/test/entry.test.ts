import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { buildApp, runSplit } from './ways.js';

describe('an entry module without main', () => {
  it('builds with a warning that says its top level ran at build time; a start then fails clearly', async () => {
    const scratch = await tempDir('lua-no-main-');
    try {
      const app = join(scratch.path, 'app');
      await mkdir(app);
      await writeFile(join(app, 'main.lua'), 'print("hi")\n');
      const result = await buildApp(app, join(scratch.path, 'dist'), 'script');
      expect(result.initOutput.stdout).toBe('hi\n');
      expect(result.initOutput.stderr).toMatch(
        /^wasm-runtime\/lua: warning: \/app\/main\.lua has no main: its top level ran once, now, at build time/,
      );
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
