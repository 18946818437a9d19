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

describe('run limits', () => {
  it.each([
    ['--timeout', '1s'],
    ['-W', 'timeout=1'],
  ])('%s %s stops `loop br 0` with ERR_RUN_TIMEOUT and exit status 142', async (flag, value) => {
    const t0 = performance.now();
    const r = await cli(['run', flag, value, built('loop')]);
    expect(r.exitCode).toBe(142);
    expectTypedError(r.stderr, 'ERR_RUN_TIMEOUT');
    expect(r.stderr).toContain('ran past its timeout of 1 s');
    // It ran until the deadline, not less (the CLI's own exit comes right after; see bench/).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1000);
  });

  it('stops a guest waiting for stdin that never comes, and the CLI exits', async () => {
    // stdin stays open: the guest blocks reading it until the deadline.
    const r = await cli(['run', '--timeout', '1s', built('probe'), 'stdin'], { stdin: 'pipe' });
    expect(r.exitCode).toBe(142);
    expectTypedError(r.stderr, 'ERR_RUN_TIMEOUT');
  });

  it('a timed run that finishes in time behaves as an untimed one (stdin, stdout, exit status)', async () => {
    const r = await cli(['run', '--timeout', '30s', built('probe'), 'stdin'], { input: 'from stdin\n' });
    expect(r.stdout).toBe('from stdin\n');
    expect(r.exitCode).toBe(0);
    const exit = await cli(['run', '--timeout=30s', built('probe'), 'exit', '9']);
    expect(exit.exitCode).toBe(9);
    const trap = await cli(['run', '--timeout', '30s', built('probe'), 'trap']);
    expect(trap.exitCode).toBe(134);
    expectTypedError(trap.stderr, 'ERR_CLI_GUEST_TRAP');
  });

  it.each([
    ['--max-memory', '4MiB'],
    ['-W', 'max-memory-size=4194304'],
    ['-Wmax-memory-size=4194304,timeout=30s', undefined],
  ])(
    '%s %s: memory.grow fails at the cap and the run ends with ERR_RUN_MEMORY_LIMIT, exit 137',
    async (flag, value) => {
      const r = await cli(['run', flag, ...(value === undefined ? [] : [value]), built('grow')]);
      expect(r.exitCode).toBe(137);
      expectTypedError(r.stderr, 'ERR_RUN_MEMORY_LIMIT');
      expect(r.stderr).toContain('exited with 1 after its memory reached 4 MiB of its 4 MiB limit');
    },
  );

  it('refuses a cap below the memory the module starts with', async () => {
    const r = await cli(['run', '--max-memory', '1000', built('write-errno')]);
    expect(r.exitCode).toBe(1);
    expectTypedError(r.stderr, 'ERR_RUN_LIMIT');
    expect(r.stderr).toContain('starts with 64 KiB of memory, more than the 1000 bytes limit');
  });

  it.each([
    ['--timeout', '0'],
    ['--timeout', 'soon'],
    ['--max-memory', '12X'],
    ['-W', 'fuel=1'],
  ])('%s %s is a usage error', async (flag, value) => {
    const r = await cli(['run', flag, value, built('loop')]);
    expect(r.exitCode).toBe(2);
    expectTypedError(r.stderr, 'ERR_CLI_USAGE');
  });
});
