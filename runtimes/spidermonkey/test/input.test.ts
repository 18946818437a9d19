// A JavaScript app's input: `main({ args, env, stdin })` gets the run's arguments, environment and
// stdin (bytes), the same cold, from the monolithic snapshot, from the split pair, from a reused
// pool instance and through `wasm-runtime run` (the real binary), never the build's.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BuildResult, createPool, loadDist, runDist } from '@wasm-runtime/pipeline';
import { runPooled } from '@wasm-runtime/test-support';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDir, buildApp, type RunInput, runCold, runMonolithic, runSplit } from './helpers.js';

const bin = fileURLToPath(new URL('../../../packages/cli/bin/wasm-runtime.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'spidermonkey-input-'));
let built: BuildResult;
let argsOnly: BuildResult;

beforeAll(async () => {
  built = await buildApp('input', appDir('input'), join(tmp, 'input'));
  argsOnly = await buildApp('args-only', appDir('args-only'), join(tmp, 'args-only'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** What the fixture prints for `input` (its main is written against exactly this). */
function expected(input: RunInput): string {
  const args = input.args ?? [];
  const env = input.env ?? {};
  const stdin = input.stdin ?? new Uint8Array(0);
  return [
    `args ${JSON.stringify(args)} (an Array: true)`,
    `env.GREETING ${JSON.stringify(env['GREETING'])} (${Object.keys(env).length} variables)`,
    `stdin ${stdin.length} bytes (a Uint8Array: true)`,
    `text ${JSON.stringify(new TextDecoder().decode(stdin.subarray(0, 64)))}`,
    `bytes ${Array.from(stdin.subarray(0, 8)).join(',')} sha256 ${sha256(stdin)}`,
    '',
  ].join('\n');
}

/** Runs `input` every way and expects the fixture's output from each, exit code = argument count. */
async function expectEveryWay(input: RunInput): Promise<void> {
  const want = { code: (input.args ?? []).length, stdout: expected(input), stderr: '' };
  expect(await runSplit(built.outDir, input), 'split').toEqual(want);
  expect(await runMonolithic(built.outDir, 'input', input), 'monolithic').toEqual(want);
  expect(await runCold('input', appDir('input'), input), 'cold').toEqual(want);
  // The second run of a pool's instance, reset in place to the snapshot between the two.
  expect(await runPooled(built.outDir, input), 'pooled').toEqual(want);
}

describe('a JavaScript app reads its input from main({ args, env, stdin })', () => {
  it('gets the run arguments, environment and text on stdin, the same cold, monolithic and split', async () => {
    // Init ran with the build's own arguments and environment: none of them reach a start.
    expect(built.initOutput).toEqual({ stdout: '', stderr: '' });
    await expectEveryWay({
      args: ['a', 'b c', 'ünï ☃', ''],
      env: { GREETING: 'héllo wörld', PATH: '/bin', EMPTY: '' },
      stdin: new TextEncoder().encode('line one\nline two ☃\n'),
    });
  });

  it('gets binary stdin byte for byte (NUL, 0xff, invalid UTF-8)', async () => {
    const stdin = Uint8Array.from([0, 255, 0xc3, 0x28, 10, 0, 0x80, 1, 2, 254, 13, 10]);
    await expectEveryWay({ args: ['bin'], stdin });
  });

  it('gets empty input when the run gives none', async () => {
    await expectEveryWay({});
    const none = await runSplit(built.outDir);
    expect(none.stdout).toContain(
      'args [] (an Array: true)\nenv.GREETING undefined (0 variables)\nstdin 0 bytes',
    );
  });

  it("a pool's instance gives each run its own input, never the last run's", async () => {
    const pool = await createPool(await loadDist(built.outDir), { size: 1 });
    try {
      const inputs: Array<{ args: string[]; env: Record<string, string>; stdin: Uint8Array<ArrayBuffer> }> = [
        { args: ['one'], env: { GREETING: 'first' }, stdin: new TextEncoder().encode('first stdin') },
        { args: ['two', '2'], env: {}, stdin: new TextEncoder().encode('second') },
        { args: [], env: { GREETING: 'third' }, stdin: new Uint8Array(0) },
      ];
      for (const input of inputs) {
        const r = await pool.run({ ...input, stdout: 'buffer', stderr: 'buffer' });
        expect(new TextDecoder().decode(r.stdout)).toBe(expected(input));
      }
      expect(pool.stats.reused).toBe(2);
    } finally {
      pool.close();
    }
  });

  it('gets 1 MB of stdin whole, given as bytes and piped into wasm-runtime run', async () => {
    const stdin = new Uint8Array(1 << 20).map((_, i) => (i * 7 + (i >> 11)) & 255);
    const want = { code: 1, stdout: expected({ args: ['big'], stdin }), stderr: '' };
    expect(await runSplit(built.outDir, { args: ['big'], stdin })).toEqual(want);
    const piped = await execa(process.execPath, [bin, 'run', built.outDir, 'big'], {
      input: stdin,
      reject: false,
    });
    expect({ code: piped.exitCode, stdout: `${piped.stdout}\n`, stderr: piped.stderr }).toEqual(want);
  });

  it('never waits for the stdin of a main that does not take it (an open pipe nobody writes)', async () => {
    // execFile leaves the child's stdin an open pipe: a host that read it would wait forever.
    const r = await promisify(execFile)(
      process.execPath,
      [bin, 'run', argsOnly.outDir, '--env', 'GREETING=hi', 'x', 'y'],
      { timeout: 120_000 },
    );
    expect(r).toEqual({ stdout: 'x y hi\n', stderr: '' });
    const stream = new PassThrough();
    const result = await runDist(argsOnly.outDir, { args: ['z'], stdin: stream, stdout: 'buffer' });
    expect(new TextDecoder().decode(result.stdout)).toBe('z -\n');
    stream.destroy();
    // Cold, the same probe: this main gets no stdin even when the run has some.
    const cold = await runCold('args-only', appDir('args-only'), { args: ['c'], stdin: Uint8Array.of(1) });
    expect(cold).toEqual({ code: 0, stdout: 'c -\n', stderr: '' });
  });

  it('wasm-runtime run dist -- a b: the arguments, --env and piped stdin', async () => {
    const r = await execa(
      process.execPath,
      [bin, 'run', built.outDir, '--env', 'GREETING=hi', '--', 'a', 'b', '--not-a-flag'],
      { input: 'piped\ntext', reject: false, env: { NO_COLOR: '' } },
    );
    const stdin = new TextEncoder().encode('piped\ntext');
    expect({ code: r.exitCode, stdout: `${r.stdout}\n`, stderr: r.stderr }).toEqual({
      code: 3,
      stdout: expected({ args: ['a', 'b', '--not-a-flag'], env: { GREETING: 'hi' }, stdin }),
      stderr: '',
    });
    // A bounded run (a worker thread, stdin read by the main thread) gives the app the same.
    const timed = await execa(process.execPath, [bin, 'run', '--timeout', '120s', built.outDir, 'x'], {
      input: 'piped\ntext',
      reject: false,
    });
    expect({ code: timed.exitCode, stdout: `${timed.stdout}\n`, stderr: timed.stderr }).toEqual({
      code: 1,
      stdout: expected({ args: ['x'], stdin }),
      stderr: '',
    });
  });
});
