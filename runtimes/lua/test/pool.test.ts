// The pipeline's pool of warm instances on Lua apps: a pooled instance reset after a hostile run
// is indistinguishable from a fresh start, and 1,000 runs of templates/lua through a pool of 2 give
// what 1,000 fresh starts give, the reseeded random quote aside (which still varies).

import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createPool, loadDist, type Pool, runDist } from '@wasm-runtime/pipeline';
import { describe, expect, it } from 'vitest';
import { recipe } from '../src/index.js';
import { tempDir, testStore } from './helpers.js';
import { runPooled, runSplit } from './ways.js';

const template = fileURLToPath(new URL('../../../templates/lua/', import.meta.url));
const hostileApp = fileURLToPath(new URL('./fixtures/apps/hostile/', import.meta.url));
const text = new TextDecoder();

async function run(pool: Pool, args: string[], env: Record<string, string> = {}) {
  const r = await pool.run({ args, env, stdout: 'buffer', stderr: 'buffer' });
  return { code: r.exitCode, stdout: text.decode(r.stdout), stderr: text.decode(r.stderr) };
}

describe('a pool of Lua instances', () => {
  it('a hostile run leaves nothing for the next on the same instance; growth is never reused', async () => {
    const scratch = await tempDir('lua-pool-');
    try {
      const out = join(scratch.path, 'dist');
      await build(
        { name: 'hostile', recipe, root: hostileApp, out },
        { store: testStore(), baseDir: hostileApp },
      );
      const loaded = await loadDist(out);
      const options = { size: 1, verify: true, memoryDirs: { '/tmp': {} } };
      const pool = await createPool(loaded, options);
      const clean = await run(pool, ['check']);
      expect(clean).toEqual({
        code: 0,
        stdout: 'leak: nil\nfile: absent\ntoken: nil\nkept: made at init\n',
        stderr: '',
      });
      expect(await run(pool, ['plant', 'open-sesame'], { TOKEN: 'open-sesame' })).toMatchObject({
        code: 0,
        stdout: 'planted with token open-sesame\n',
      });
      // verify: every memory and global equal to a fresh instance's after the reset, or a throw.
      expect(await run(pool, ['check'])).toEqual(clean);
      const failed = await run(pool, ['fail']);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/failing on purpose/);
      expect(await run(pool, ['check'])).toEqual(clean);
      expect(pool.stats).toMatchObject({ created: 1, reused: 4, dropped: { grew: 0, interrupted: 0 } });

      expect(await run(pool, ['grow'])).toMatchObject({ code: 0, stdout: 'grew to 200000\n' });
      expect(pool.stats).toMatchObject({ created: 1, dropped: { grew: 1 } });
      expect(await run(pool, ['check'])).toEqual(clean);
      expect(pool.stats).toMatchObject({ created: 2, runs: 7 });
    } finally {
      await scratch.remove();
    }
  }, 300_000);

  it('1,000 runs of templates/lua through a pool of 2 give the outputs of 1,000 fresh starts', async () => {
    const scratch = await tempDir('lua-pool-template-');
    try {
      const app = join(scratch.path, 'app');
      await cp(template, app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
      const result = await build(app, { store: testStore() });
      const loaded = await loadDist(result.outDir);
      const options = {
        args: ['pool'],
        stdin: 'ignore' as const,
        stdout: 'buffer' as const,
        stderr: 'buffer' as const,
      };
      const outputs = (r: { exitCode: number; stdout?: Uint8Array; stderr?: Uint8Array }) =>
        `${r.exitCode}\n${text.decode(r.stdout)}\n${text.decode(r.stderr)}`;
      const fresh: string[] = [];
      for (let i = 0; i < 1000; i++) fresh.push(outputs(await runDist(loaded, options)));
      const pool = await createPool(loaded, { size: 2 });
      const pooled: string[] = [];
      for (let i = 0; i < 500; i++) {
        const pair = await Promise.all([pool.run(options), pool.run(options)]);
        pooled.push(...pair.map(outputs));
      }
      expect(pool.stats).toMatchObject({ created: 2, reused: 998, runs: 1000 });
      const quote = /^".*" \(.*\)$/m;
      const stable = (s: string) => s.replace(quote, '<quote>');
      expect(new Set(fresh.map(stable))).toEqual(new Set([stable(fresh[0]!)]));
      expect(new Set(pooled.map(stable))).toEqual(new Set([stable(fresh[0]!)]));
      // The random choice is reseeded per run: pooled runs pick varied quotes, the ones fresh starts pick.
      const quotes = (list: string[]) => new Set(list.map((s) => quote.exec(s)?.[0]));
      expect(quotes(pooled).size).toBeGreaterThan(1);
      expect(quotes(pooled)).toEqual(quotes(fresh));
      // test-support's pooled way (a second run on a reset instance, verified) matches the split way.
      const viaPool = await runPooled(result.outDir, { args: ['pool'] });
      const viaSplit = await runSplit(result.outDir, { args: ['pool'] });
      expect({ ...viaPool, stdout: stable(viaPool.stdout) }).toEqual({
        ...viaSplit,
        stdout: stable(viaSplit.stdout),
      });
    } finally {
      await scratch.remove();
    }
  }, 600_000);
});
