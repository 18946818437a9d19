// `wasm-runtime preinit --json` and `split --json` through the real binary: one versioned object
// on stdout on success and on failure alike (as build, fetch and inspect print), init's own
// stdout kept out of it, and outputs that cannot be written as typed errors, never a stack.

import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

/** fixtures/run/preinit-ready.wat, assembled by the global setup. */
const module = fileURLToPath(new URL('./.build/preinit-ready.wasm', import.meta.url));

// Several runs of the binary each, on a busy machine.
const CLI_TIMEOUT = 120_000;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-json-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('wasm-runtime preinit --json', { timeout: CLI_TIMEOUT }, () => {
  it("prints one wasm-runtime-preinit@1 object, the pre-initializer's warnings coded, init's stdout on stderr", async () => {
    const snap = join(tmp, 'snap.wasm');
    const r = await cli([
      'preinit',
      module,
      '-o',
      snap,
      '--allow-wasi',
      '-r',
      '_start=run',
      '-r',
      'x=nope',
      '--json',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('init says hi\n');
    expect(JSON.parse(r.stdout)).toMatchObject({
      format: 'wasm-runtime-preinit@1',
      ok: true,
      warnings: [{ code: 'WARN_PREINIT', message: expect.stringMatching(/^rename x=nope ignored: /) }],
      errors: [],
      input: module,
      output: snap,
      report: { initFunc: 'wizer-initialize', ranInitialize: false, memories: [{ index: 0 }] },
    });
    // the snapshot is the command init left behind
    const run = await cli(['run', snap]);
    expect(run).toMatchObject({ exitCode: 0, stdout: 'ready\n', stderr: '' });
  });

  it('fails in the same shape with the error code, exit 1, nothing on stderr and no file written', async () => {
    const denied = await cli(['preinit', module, '-o', join(tmp, 'never.wasm'), '--json']);
    expect(denied.exitCode).toBe(1);
    expect(denied.stderr).toBe('');
    expect(JSON.parse(denied.stdout)).toEqual({
      format: 'wasm-runtime-preinit@1',
      ok: false,
      warnings: [],
      errors: [
        {
          code: 'ERR_PREINIT_IMPORT_NOT_PROVIDED',
          message: expect.stringContaining('wasi_snapshot_preview1::fd_write'),
        },
      ],
      input: module,
      output: join(tmp, 'never.wasm'),
    });

    const missing = await cli(['preinit', join(tmp, 'none.wasm'), '-o', join(tmp, 'never.wasm'), '--json']);
    expect(missing.exitCode).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      ok: false,
      errors: [{ code: 'ERR_CLI_MODULE_NOT_FOUND' }],
    });
    expect((await readdir(tmp)).filter((f) => f.startsWith('never'))).toEqual([]);
  });

  it('an output it cannot write is ERR_CLI_WRITE_FAILED, as JSON and as text, leaving no file', async () => {
    const out = join(tmp, 'no-such-dir', 'snap.wasm');
    const json = await cli(['preinit', module, '-o', out, '--allow-wasi', '--json']);
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      format: 'wasm-runtime-preinit@1',
      ok: false,
      errors: [
        {
          code: 'ERR_CLI_WRITE_FAILED',
          message: `cannot write ${out}: its directory does not exist (create it, or give another path)`,
        },
      ],
    });
    const text = await cli(['preinit', module, '-o', out, '--allow-wasi']);
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toBe('init says hi\n');
    expect(text.stderr).toBe(
      `error[ERR_CLI_WRITE_FAILED]: cannot write ${out}: its directory does not exist (create it, or give another path)\n`,
    );
    expect(existsSync(join(tmp, 'no-such-dir'))).toBe(false);
  });
});

describe('wasm-runtime split --json', { timeout: CLI_TIMEOUT }, () => {
  it('prints one wasm-runtime-split@1 object naming the files; the directory runs', async () => {
    const snap = join(tmp, 'app.wasm');
    expect((await cli(['preinit', module, '-o', snap, '--allow-wasi', '-r', '_start=run'])).exitCode).toBe(0);
    const dir = join(tmp, 'pair');
    const r = await cli(['split', snap, '--out-dir', dir, '--json']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      format: 'wasm-runtime-split@1',
      ok: true,
      warnings: [],
      errors: [],
      snapshot: snap,
      outDir: dir,
      files: {
        engine: expect.stringMatching(/^engine-[0-9a-f]{16}\.wasm$/),
        app: 'app.data.wasm',
        manifest: 'app.split.json',
      },
      manifest: { engine: { file: report.files.engine } },
    });
    expect((await readdir(dir)).sort()).toEqual(Object.values(report.files).sort());
    expect(await cli(['run', dir])).toMatchObject({ exitCode: 0, stdout: 'ready\n', stderr: '' });
    // what takes a build's dist says how this directory runs instead
    const deploy = await cli(['deploy', '--target=workers', '-o', join(tmp, 'worker'), dir]);
    expect(deploy.exitCode).toBe(1);
    expect(deploy.stderr).toContain(
      `it has no manifest.json: it holds a pair \`wasm-runtime split --out-dir\` wrote (app.split.json), which \`wasm-runtime run ${dir}\` runs as a command`,
    );
  });

  it('fails in the same shape: a module that is not a snapshot, an out dir it cannot make', async () => {
    const dir = join(tmp, 'not-split');
    const raw = await cli(['split', module, '--out-dir', dir, '--json']);
    expect(raw.exitCode).toBe(1);
    expect(raw.stderr).toBe('');
    expect(JSON.parse(raw.stdout)).toEqual({
      format: 'wasm-runtime-split@1',
      ok: false,
      warnings: [],
      errors: [
        { code: 'ERR_SPLIT_NOT_PREINITIALIZED', message: expect.stringContaining('wizer-initialize') },
      ],
      snapshot: module,
      outDir: dir,
    });

    const file = join(tmp, 'a-file');
    await writeFile(file, '');
    const snap = join(tmp, 'app2.wasm');
    expect((await cli(['preinit', module, '-o', snap, '--allow-wasi'])).exitCode).toBe(0);
    const blocked = await cli(['split', snap, '--out-dir', join(file, 'out'), '--json']);
    expect(blocked.exitCode).toBe(1);
    expect(JSON.parse(blocked.stdout)).toMatchObject({
      ok: false,
      errors: [
        { code: 'ERR_CLI_WRITE_FAILED', message: expect.stringContaining('a file stands where a directory') },
      ],
    });
  });
});
