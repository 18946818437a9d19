import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '@wasm-runtime/pipeline';
import { differences } from '@wasm-runtime/test-support';
import { describe, expect, it } from 'vitest';
import { runCold, runMonolithic, runSplit, tempDir, testStore } from './helpers.js';

const template = fileURLToPath(new URL('../../../templates/python/', import.meta.url));

describe('templates/python', () => {
  it('builds from its wasm-runtime.config.json (lang python) and runs the same all three ways', async () => {
    const scratch = await tempDir('python-template-');
    try {
      // A copy, as the scaffolder would make: the template's own tree stays untouched.
      const app = join(scratch.path, 'my-app');
      await cp(template, app, {
        recursive: true,
        filter: (src) => !/[/\\](node_modules|dist)$/.test(src),
      });
      const result = await build(app, { store: testStore() });
      expect(result.outDir).toBe(join(app, 'dist'));
      expect(result.manifest.name).toBe('wordcount');
      expect(result.manifest.recipe).toBe('@wasm-runtime/python');
      expect(result.manifest.mounts[0]?.files.map((f) => f.path).sort()).toEqual(['main.py', 'stopwords.py']);
      // The default: a fresh hash seed per build, and the build report says it is shared.
      expect(result.initOutput.stderr).toMatch(/the str\/bytes hash secret \(seed \d+\) is in the snapshot/);

      const args = { args: ['The cat and the hat sat on the mat with the cat'] };
      const stdin = { stdin: "It was the best of times, it was the worst of times; it wasn't.\n" };
      for (const options of [args, stdin]) {
        const results = {
          split: await runSplit(result.outDir, options),
          cold: await runCold(join(app, 'src'), 'wordcount', options),
          monolithic: await runMonolithic(result.outDir, options),
        };
        expect(differences(results)).toEqual([]);
      }
      expect(await runSplit(result.outDir, args)).toEqual({
        code: 0,
        stderr: '',
        stdout: '{"words": 12, "distinct": 8, "top": ["cat", "hat", "sat"]}\n',
      });
      expect((await runSplit(result.outDir, stdin)).stdout).toBe(
        '{"words": 14, "distinct": 8, "top": ["times", "best", "worst"]}\n',
      );
    } finally {
      await scratch.remove();
    }
  }, 600_000);
});
