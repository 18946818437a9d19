import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildResult } from '@wasm-runtime/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDir, buildApp, type RunResult, runCold, runMonolithic, runSplit } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'spidermonkey-recipe-'));
const built = new Map<string, BuildResult>();

beforeAll(async () => {
  for (const name of ['tour', 'other', 'failing', 'random']) {
    built.set(name, await buildApp(name, appDir(name), join(tmp, name)));
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function dist(name: string): string {
  return built.get(name)!.outDir;
}

describe('the SpiderMonkey recipe', () => {
  it('runs the top level at build time and main at every start, the same cold, monolithic and split', async () => {
    const result = built.get('tour')!;
    expect(result.initOutput.stdout).toBe('init: 6 words indexed\n');
    const expected: RunResult = {
      code: 7,
      stdout: [
        'start {"app":"tour","words":6}',
        'lookup {"position":1,"length":4}',
        'promise chain 60',
        'timer fired after >= 15 ms: true',
        'clock is real: true',
        'random in [0, 1): true',
        '{"nested":{"ok":true}}',
        '',
      ].join('\n'),
      stderr: 'a line on stderr\n',
    };
    expect(await runSplit(dist('tour'))).toEqual(expected);
    expect(await runMonolithic(dist('tour'), 'tour')).toEqual(expected);
    const cold = await runCold('tour', appDir('tour'));
    expect(cold).toEqual({ ...expected, stdout: result.initOutput.stdout + expected.stdout });
  });

  it('reports an uncaught error on stderr with exit code 1, cold and from the snapshot', async () => {
    const split = await runSplit(dist('failing'));
    expect(split.code).toBe(1);
    expect(split.stdout).toBe('before the error\n');
    expect(split.stderr).toMatch(/^Uncaught TypeError: something broke at run time\n.*main/);
    expect(await runMonolithic(dist('failing'), 'failing')).toEqual(split);
    expect(await runCold('failing', appDir('failing'))).toEqual(split);
  });

  it('shares one engine file between two apps', () => {
    const a = built.get('tour')!.manifest;
    const b = built.get('other')!.manifest;
    expect(a.files.engine.path).toBe(b.files.engine.path);
    expect(a.files.engine.sha256).toBe(b.files.engine.sha256);
    const engines = [dist('tour'), dist('other')].map((d) => readFileSync(join(d, a.files.engine.path)));
    expect(engines[0]!.equals(engines[1]!)).toBe(true);
    expect(a.files.data.sha256).not.toBe(b.files.data.sha256);
  });

  it('gives Math.random a fresh seed and Date.now the real time after restore', async () => {
    const runs = [await runSplit(dist('random')), await runSplit(dist('random'))].map(
      (r) => JSON.parse(r.stdout) as { atInit: number; atRun: number; now: number },
    );
    expect(runs[0]!.atInit).toBe(runs[1]!.atInit);
    expect(runs[0]!.atRun).not.toBe(runs[1]!.atRun);
    // Init's deterministic clock reads 2024-01-01; a start reads the real one.
    expect(runs[0]!.now).toBeGreaterThan(Date.UTC(2025, 0, 1));
    expect(Math.abs(runs[1]!.now - Date.now())).toBeLessThan(60_000);
  });

  it('warns at build time when the entry module exports no main, and such a start exits 1 saying so', async () => {
    const root = join(tmp, 'no-main-src');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'main.js'), 'console.log("only a top level");\n');
    const result = await buildApp('no-main', root, join(tmp, 'no-main'));
    expect(result.initOutput.stderr).toMatch(/^warning: main\.js exports no function named main/);
    const run = await runSplit(result.outDir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Uncaught Error: main\.js exports no function named main/);
  });
});
