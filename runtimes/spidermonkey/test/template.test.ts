import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '@wasm-runtime/pipeline';
import { describe, expect, it } from 'vitest';
import { offlineStore, runCold, runMonolithic, runSplit } from './helpers.js';

const template = fileURLToPath(new URL('../../../templates/js/', import.meta.url));

describe('templates/js', () => {
  it('builds from its wasm-runtime.config.json (lang spidermonkey) and runs the same cold, monolithic and split, with and without input', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'js-template-'));
    try {
      // A copy, as the scaffolder would make: the template's own tree stays untouched.
      const app = join(scratch, 'my-app');
      cpSync(template, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
      const result = await build(app, { store: offlineStore() });
      expect(result.manifest.name).toBe('hello');
      expect(result.manifest.recipe).toBe('@wasm-runtime/spidermonkey');
      expect(result.manifest.mounts[0]?.files.map((f) => f.path).sort()).toEqual([
        'lib/quotes.js',
        'main.js',
      ]);

      const split = await runSplit(result.outDir);
      expect(split.code).toBe(0);
      expect(split.stderr).toBe('');
      const lines = split.stdout.split('\n');
      expect(lines[0]).toBe('Hello from JavaScript (SpiderMonkey, started from a snapshot)');
      expect(lines[1]).toMatch(/^".+" \(.+\)$/);
      expect(lines[2]).toBe('5 quotes by 5 authors');
      // The quote is random per start; everything else is the same all three ways.
      const stable = (s: string) => s.replace(/^".*" \(.*\)$/m, '<quote>');
      for (const r of [
        await runMonolithic(result.outDir, 'hello'),
        await runCold('hello', join(app, 'src')),
      ]) {
        expect({ ...r, stdout: stable(r.stdout) }).toEqual({ ...split, stdout: stable(split.stdout) });
      }

      // Given arguments, it says so (stdin it does not take), the same all three ways.
      const input = { args: ['one', 'two words'], stdin: new TextEncoder().encode('a\nb\n\nc ☃\n') };
      const given = await runSplit(result.outDir, input);
      expect(given.stdout.split('\n').slice(3)).toEqual(['arguments: one, two words', '']);
      for (const r of [
        await runMonolithic(result.outDir, 'hello', input),
        await runCold('hello', join(app, 'src'), input),
      ]) {
        expect({ ...r, stdout: stable(r.stdout) }).toEqual({ ...given, stdout: stable(given.stdout) });
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
