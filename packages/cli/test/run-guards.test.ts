// `wasm-runtime run` against hostile or broken guests (issue 10): WASI imports checked before the
// module is instantiated, exit statuses that cannot turn a failure into success, and errno values
// from the host's errors. The real binary, run with execa; guests are the .wat files in fixtures/run.

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/wasm-runtime.js', import.meta.url));
const built = (name: string) => fileURLToPath(new URL(`./.build/${name}.wasm`, import.meta.url));

function cli(args: string[], options: Parameters<typeof execa>[1] = {}) {
  return execa(process.execPath, [bin, ...args], { reject: false, stripFinalNewline: false, ...options });
}

/** A typed error on stderr: one `error[CODE]: ...` line, no JavaScript stack, no internal error. */
function expectTypedError(stderr: unknown, code: string): void {
  const text = String(stderr);
  expect(text).toMatch(new RegExp(`^error\\[${code}\\]: `));
  expect(text).not.toContain('ERR_INTERNAL');
  expect(text).not.toMatch(/\n\s+at /);
}

describe('run checks WASI imports before instantiating', () => {
  it('refuses an import preview1 does not define, naming it', async () => {
    const module = built('unknown-import');
    const r = await cli(['run', module]);
    expect(r.exitCode).toBe(1);
    expectTypedError(r.stderr, 'ERR_WASI_UNKNOWN_IMPORT');
    expect(r.stderr).toContain(`${module} imports wasi_snapshot_preview1.no_such_fn`);
  });

  it('refuses proc_exit with an i64 parameter, with the expected and actual type', async () => {
    const r = await cli(['run', built('exit-i64')]);
    expect(r.exitCode).toBe(1);
    expectTypedError(r.stderr, 'ERR_WASI_IMPORT_TYPE');
    expect(r.stderr).toContain('wasi_snapshot_preview1.proc_exit with the type (func (param i64))');
    expect(r.stderr).toContain('preview1 defines (func (param i32))');
  });

  it('refuses a wrongly typed fd_write instead of running it silently', async () => {
    const r = await cli(['run', built('fd-write-mistyped')]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expectTypedError(r.stderr, 'ERR_WASI_IMPORT_TYPE');
    expect(r.stderr).toContain('(func (param i32 i32 i32 i32) (result i32))');
  });
});

describe('run exit statuses', () => {
  const probe = built('probe');

  it.each([126, 255, 256, -(2 ** 31)])(
    'proc_exit(%i) fails the run (exit 1), never exits 0',
    async (code) => {
      const r = await cli(['run', probe, 'exit', String(code)]);
      expect(r.exitCode).toBe(1);
      expectTypedError(r.stderr, 'ERR_WASI_EXIT_STATUS');
      expect(r.stderr).toContain(`proc_exit(${code >>> 0})`);
    },
  );

  it('passes 125, the largest valid status, through', async () => {
    const r = await cli(['run', probe, 'exit', '125']);
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toBe('');
  });

  it.runIf(existsSync('/dev/full'))('a write to a full stdout is ENOSPC (51), not EIO', async () => {
    // The descriptor itself, so the guest's writes reach /dev/full (execa would pipe a `file`).
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [bin, 'run', built('write-errno')], {
        stdio: ['ignore', full, 'pipe'],
      });
      expect(r.status).toBe(51);
    } finally {
      closeSync(full);
    }
  });
});
