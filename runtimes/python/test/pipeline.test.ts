import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildResult } from '@wasm-runtime/pipeline';
import { differences, engineHashes, type WayOptions } from '@wasm-runtime/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDir, buildApp, type Observed, runCold, runMonolithic, runSplit, tempDir } from './helpers.js';

const tour = appDir('tour');
let scratch: { path: string; remove: () => Promise<void> };
let built: BuildResult;

beforeAll(async () => {
  scratch = await tempDir('python-pipeline-');
  built = await buildApp(tour, join(scratch.path, 'tour'), 'tour');
}, 600_000);
afterAll(() => scratch?.remove());

async function allWays(options: WayOptions): Promise<Observed> {
  const results = {
    cold: await runCold(tour, 'tour', options),
    monolithic: await runMonolithic(built.outDir, options),
    split: await runSplit(built.outDir, options),
  };
  expect(differences(results)).toEqual([]);
  return results.split;
}

describe('a Python app with a package of its own, cold and from its snapshot', () => {
  it('stages the app and the standard library, both shipped for imports after restore', () => {
    const m = built.manifest;
    expect(m.runtime).toMatchObject({
      language: 'python',
      name: 'cpython',
      version: '3.11.2+wasm-runtime.1',
    });
    expect(m.mounts.map((x) => [x.guest, x.dir])).toEqual([
      ['/app', 'files/app'],
      ['/usr/local/lib', 'files/usr/local/lib'],
    ]);
    expect(m.mounts[1]?.files.map((f) => f.path)).toEqual(['python311.zip']);
    expect(m.mounts[0]?.files.map((f) => f.path)).toContain('pkg/sub/render.py');
  });

  it('runs json, re, dataclasses, decimal and datetime, with a data file read at init', async () => {
    const r = await allWays({ args: ['report'] });
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'apples          3 fruit\nbread           1 \ncoffee beans  250 g,dark\n' +
        '[{"day": "2026-12-02", "amount": "19.99"}, {"day": "2026-12-03", "amount": "39.98"}, {"day": "2026-12-04", "amount": "59.97"}]\n' +
        '119.94\n' +
        "{'apples': 3, 'pears': 12}\n",
    });
  });

  it("sets sys.argv to the run's arguments", async () => {
    const r = await allWays({ args: ['args', 'two words', '--flag', 'ünïcode'] });
    expect(r.stdout).toBe('["tour", "args", "two words", "--flag", "\\u00fcn\\u00efcode"]\n');
  });

  it("sees the run's environment in os.environ and os.environb", async () => {
    const r = await allWays({ args: ['env'], env: { GREETING: 'hello from the host' } });
    expect(r.stdout).toBe("hello from the host None b'hello from the host'\n");
  });

  it('reads stdin piped in', async () => {
    const r = await allWays({ args: ['stdin'], stdin: "one two\nthree four's\n" });
    expect(r.stdout).toBe('{"lines": 2, "words": 4}\n');
  });

  it('reads a data file at run time', async () => {
    const r = await allWays({ args: ['runtime-file'] });
    expect(r.stdout).toBe('READ AT RUN TIME, AFTER RESTORE\n');
  });

  it('imports lazily after restore, from the app and from the standard library (zlib included)', async () => {
    const r = await allWays({ args: ['lazy'] });
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: 'False False False\nlazy module from pkg.lazy, 3.11\n2.5 1000\n',
    });
  });

  it("prints an exception's traceback in the app's own paths, with source lines, and exits 1", async () => {
    const r = await allWays({ args: ['boom'] });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^Traceback \(most recent call last\):\n {2}File "main\.py", line \d+, in main\n {4}render\(None\)\n {2}File "pkg\/sub\/render\.py", line 6, in render\n {4}raise ValueError\("nothing to render: the inventory is None"\)\nValueError: nothing to render: the inventory is None\n$/,
    );
    expect(r.stderr).not.toContain('/app/');
  });

  it('exits with SystemExit(3) after flushing what was printed', async () => {
    const r = await allWays({ args: ['exit'] });
    expect(r).toEqual({ code: 3, stdout: 'leaving with 3\n', stderr: '' });
  });

  it("main()'s return value is the exit code", async () => {
    const r = await allWays({ args: ['nope'] });
    expect(r).toEqual({ code: 2, stdout: '', stderr: "unknown scenario 'nope'\n" });
  });

  it('has the current directory init had', async () => {
    const r = await allWays({ args: ['cwd'] });
    expect(r.stdout).toBe('/\n');
  });
});

describe('two Python apps on one runtime', () => {
  it('share one engine file (same sha256), and two starts of one app draw different random numbers', async () => {
    const hello = await buildApp(
      fileURLToPath(new URL('../examples/hello/', import.meta.url)),
      join(scratch.path, 'hello'),
      'hello',
    );
    expect(await engineHashes([built.outDir, hello.outDir])).toEqual(
      new Set([built.manifest.files.engine.sha256]),
    );
    const first = await runSplit(hello.outDir, { args: ['twice'] });
    const second = await runSplit(hello.outDir, { args: ['twice'] });
    const mono = await runMonolithic(hello.outDir, { args: ['twice'] });
    for (const r of [first, second, mono]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Hello, twice! \(Python 3\.11\) 0\.\d+\n$/);
    }
    expect(new Set([first.stdout, second.stdout, mono.stdout]).size).toBe(3);
  });
});
