import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDist, runDist } from '../index.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-run-dist-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('a directory with no manifest.json', () => {
  it('says what it is and what to give instead: nothing there, a file, a split pair, no dist', async () => {
    const missing = join(tmp, 'none');
    await expect(loadDist(missing)).rejects.toMatchObject({
      code: 'ERR_DIST_INVALID',
      message: `${missing} is not a usable wasm-runtime dist: the directory does not exist (give the --out directory of \`wasm-runtime build\`)`,
    });
    const file = join(tmp, 'app.wasm');
    await writeFile(file, '');
    await expect(loadDist(file)).rejects.toMatchObject({
      code: 'ERR_DIST_INVALID',
      message: expect.stringContaining('it is a file, not a directory'),
    });
    // what `wasm-runtime split --out-dir` writes: runDist refuses it, and says how it runs
    const pair = join(tmp, 'pair');
    await mkdir(pair);
    for (const f of ['engine-0123456789abcdef.wasm', 'app.data.wasm', 'app.split.json'])
      await writeFile(join(pair, f), '');
    await expect(runDist(pair)).rejects.toMatchObject({
      code: 'ERR_DIST_INVALID',
      message:
        `${pair} is not a usable wasm-runtime dist: it has no manifest.json: it holds a pair ` +
        `\`wasm-runtime split --out-dir\` wrote (app.split.json), which \`wasm-runtime run ${pair}\` ` +
        'runs as a command; a dist is what `wasm-runtime build` writes',
    });
    const empty = join(tmp, 'empty');
    await mkdir(empty);
    await expect(loadDist(empty)).rejects.toMatchObject({
      code: 'ERR_DIST_INVALID',
      message: expect.stringMatching(/it has no manifest\.json \(build one with `wasm-runtime build`\)$/),
    });
  });
});
