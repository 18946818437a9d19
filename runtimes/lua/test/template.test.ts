import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '@wasm-runtime/pipeline';
import { describe, expect, it } from 'vitest';
import { tempDir, testStore } from './helpers.js';
import { runCold, runSnapshot, runSplit } from './ways.js';

const template = fileURLToPath(new URL('../../../templates/lua/', import.meta.url));

describe('templates/lua', () => {
  it("its config's $schema names a file the installed pipeline package ships", async () => {
    const config = JSON.parse(await readFile(join(template, 'wasm-runtime.config.json'), 'utf8')) as {
      $schema: string;
    };
    const prefix = './node_modules/@wasm-runtime/pipeline/';
    expect(config.$schema.startsWith(prefix)).toBe(true);
    const inPackage = config.$schema.slice(prefix.length);
    const pipeline = fileURLToPath(new URL('../../../packages/pipeline/', import.meta.url));
    expect(existsSync(join(pipeline, inPackage))).toBe(true);
    const { files } = JSON.parse(await readFile(join(pipeline, 'package.json'), 'utf8')) as {
      files: string[];
    };
    expect(files.some((f) => inPackage.startsWith(`${f}/`))).toBe(true);
  });

  it('builds from its wasm-runtime.config.json (lang lua) and runs the same all three ways', async () => {
    const scratch = await tempDir('lua-template-');
    try {
      // A copy, as the scaffolder would make: the template's own tree stays untouched.
      const app = join(scratch.path, 'my-app');
      await cp(template, app, {
        recursive: true,
        filter: (src) => !/[/\\](node_modules|dist)$/.test(src),
      });
      const result = await build(app, { store: testStore() });
      expect(result.outDir).toBe(join(app, 'dist'));
      expect(result.manifest.name).toBe('hello');
      expect(result.manifest.recipe).toBe('@wasm-runtime/lua');
      expect(result.manifest.mounts[0]?.files.map((f) => f.path).sort()).toEqual(['main.lua', 'quotes.lua']);

      const split = await runSplit(result.outDir, { args: ['template'] });
      expect(split.code).toBe(0);
      expect(split.stderr).toBe('');
      const lines = split.stdout.split('\n');
      expect(lines[0]).toBe('Hello, template! (Lua 5.4, started from a snapshot)');
      expect(lines[1]).toMatch(/^".+" \(.+\)$/);
      expect(lines[2]).toBe('5 quotes by 5 authors');
      // The quote is random per start; everything else is the same cold, monolithic and split.
      const stable = (s: string) => s.replace(/^".*" \(.*\)$/m, '<quote>');
      for (const r of [
        await runCold(join(app, 'src'), 'hello', { args: ['template'] }),
        await runSnapshot(result.outDir, { args: ['template'] }),
      ]) {
        expect({ ...r, stdout: stable(r.stdout) }).toEqual({ ...split, stdout: stable(split.stdout) });
      }
    } finally {
      await scratch.remove();
    }
  });
});
