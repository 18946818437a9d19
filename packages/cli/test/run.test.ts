// `wasm-runtime run`, end to end: the real binary (bin/wasm-runtime.js → dist/) run with execa.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/wasm-runtime.js', import.meta.url));
const probe = fileURLToPath(new URL('./.build/probe.wasm', import.meta.url));

/** Runs the CLI; never rejects, so a test can assert the exit status. */
function cli(args: string[], options: { input?: string; cwd?: string; env?: Record<string, string> } = {}) {
  return execa(process.execPath, [bin, ...args], { reject: false, stripFinalNewline: false, ...options });
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('wasm-runtime run', () => {
  it('passes stdout and stderr through and exits 0', async () => {
    const r = await cli(['run', probe]);
    expect(r.stdout).toBe('hello from wasm\n');
    expect(r.stderr).toBe('to stderr\n');
    expect(r.exitCode).toBe(0);
  });

  it.each([0, 1, 3, 42, 125])('exits with the guest exit code %i', async (code) => {
    const r = await cli(['run', probe, 'exit', String(code)]);
    expect(r.exitCode).toBe(code);
    expect(r.stderr).toBe('');
  });

  it('passes args after the module (and after --) and only the --env variables', async () => {
    const r = await cli(
      [
        'run',
        '--env',
        'GREETING=hi there',
        '--env=EMPTY=',
        '--env',
        'FROM_HOST',
        probe,
        '--',
        'args',
        '-x',
        'ü',
      ],
      {
        env: { FROM_HOST: 'inherited', SHOULD_NOT_LEAK: 'secret' },
      },
    );
    expect(r.stdout).toBe(
      `argv[0]=${probe}\nargv[1]=args\nargv[2]=-x\nargv[3]=ü\nenv EMPTY=\nenv FROM_HOST=inherited\nenv GREETING=hi there\n`,
    );
    expect(r.exitCode).toBe(0);
  });

  it('takes --env right after the module; once the guest arguments start, options are theirs', async () => {
    const r = await cli(['run', probe, 'args', '--dir', '/etc', '--help']);
    expect(r.stdout).toContain('argv[2]=--dir\nargv[3]=/etc\nargv[4]=--help\n');
    expect(r.exitCode).toBe(0);
    const after = await cli(['run', probe, '--env', 'GREETING=after', '--', 'args', '--env']);
    expect(after.stdout).toBe(`argv[0]=${probe}\nargv[1]=args\nargv[2]=--env\nenv GREETING=after\n`);
    expect(after.exitCode).toBe(0);
  });

  it('maps --dir HOST::GUEST: reads and writes there', async () => {
    await writeFile(join(tmp, 'in.txt'), 'from the host\n');
    const read = await cli(['run', '--dir', `${tmp}::/data`, probe, 'cat', '/data/in.txt']);
    expect(read.stdout).toBe('from the host\n');
    expect(read.exitCode).toBe(0);
    const write = await cli([
      'run',
      '--dir',
      `${tmp}::/data`,
      probe,
      'write',
      '/data/out.txt',
      'written by wasm',
    ]);
    expect(write.exitCode).toBe(0);
    expect(await readFile(join(tmp, 'out.txt'), 'utf8')).toBe('written by wasm');
  });

  it('maps --dir DIR to the same path, relative paths included', async () => {
    const r = await cli(['run', '--dir', '.', probe, 'ls', '.'], { cwd: tmp });
    expect(r.stdout).toContain('in.txt\n');
    expect(r.exitCode).toBe(0);
  });

  it('gives the guest nothing it was not given: no --dir, no files', async () => {
    const r = await cli(['run', probe, 'cat', join(tmp, 'in.txt')]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cat .*in\.txt: /);
    expect(r.exitCode).toBe(1);
  });

  it('pipes stdin to the guest', async () => {
    const r = await cli(['run', probe, 'stdin'], { input: 'line one\nline two\n' });
    expect(r.stdout).toBe('line one\nline two\n');
    expect(r.exitCode).toBe(0);
  });

  it('reports a trap with ERR_CLI_GUEST_TRAP and exit status 134', async () => {
    const r = await cli(['run', probe, 'trap']);
    expect(r.stderr).toMatch(/^error\[ERR_CLI_GUEST_TRAP\]: .*probe\.wasm trapped: unreachable/);
    expect(r.exitCode).toBe(134);
  });
});

describe('wasm-runtime run errors', () => {
  it('a missing module file: ERR_CLI_MODULE_NOT_FOUND, status 1', async () => {
    const r = await cli(['run', join(tmp, 'nope.wasm')]);
    expect(r.stderr).toBe(
      `error[ERR_CLI_MODULE_NOT_FOUND]: cannot read the module ${join(tmp, 'nope.wasm')}: no such file (check the path)\n`,
    );
    expect(r.stdout).toBe('');
    expect(r.exitCode).toBe(1);
  });

  it('a --dir whose host directory does not exist: ERR_CLI_BAD_DIR, a usage error (exit 2)', async () => {
    const r = await cli(['run', '--dir', `${tmp}/missing::/m`, probe]);
    expect(r.stderr).toBe(
      `error[ERR_CLI_BAD_DIR]: --dir ${tmp}/missing::/m: the host directory ${tmp}/missing does not exist\n`,
    );
    expect(r.exitCode).toBe(2);
  });

  it("Docker's --dir HOST:GUEST is echoed as given, with the HOST::GUEST spelling to use", async () => {
    const r = await cli(['run', '--dir', 'rt:/rt', probe]);
    expect(r.stderr).toBe(
      'error[ERR_CLI_BAD_DIR]: --dir rt:/rt: the host directory rt:/rt does not exist; to show a host directory under another guest path write HOST::GUEST with two colons: --dir rt::/rt\n',
    );
    expect(r.exitCode).toBe(2);
  });

  it('a --dir that is a file, and one with an empty guest path: ERR_CLI_BAD_DIR', async () => {
    const file = await cli(['run', '--dir', `${join(tmp, 'in.txt')}::/m`, probe]);
    expect(file.stderr).toMatch(/^error\[ERR_CLI_BAD_DIR\]: .* is not a directory\n$/);
    expect(file.exitCode).toBe(2);
    const empty = await cli(['run', '--dir', `${tmp}::`, probe]);
    expect(empty.stderr).toMatch(/^error\[ERR_CLI_BAD_DIR\]: .*the guest path after :: is empty/);
    expect(empty.exitCode).toBe(2);
  });

  it('an unknown option points at the help of its command', async () => {
    const r = await cli(['run', '--mapdir', 'a::b', probe]);
    expect(r.stderr).toBe(
      'error[ERR_CLI_USAGE]: unknown option --mapdir for run (see `wasm-runtime run --help`)\n',
    );
    expect(r.exitCode).toBe(2);
  });

  it('a file that is not WebAssembly: ERR_CLI_INVALID_MODULE', async () => {
    const path = join(tmp, 'text.wasm');
    await writeFile(path, 'not wasm at all');
    const r = await cli(['run', path]);
    expect(r.stderr).toMatch(
      /^error\[ERR_CLI_INVALID_MODULE\]: .*text\.wasm is not a valid WebAssembly module: /,
    );
    expect(r.exitCode).toBe(1);
  });

  it('a valid module that is not a WASI command (no _start): ERR_CLI_NOT_A_COMMAND', async () => {
    const path = join(tmp, 'empty.wasm');
    await writeFile(path, new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    const r = await cli(['run', path]);
    expect(r.stderr).toBe(
      `error[ERR_CLI_NOT_A_COMMAND]: ${path} is not a WASI command: it exports no \`_start\` function\n`,
    );
    expect(r.exitCode).toBe(1);
  });

  it('a usage error: error[ERR_CLI_USAGE] and status 2', async () => {
    const r = await cli(['run', '--bogus', probe]);
    expect(r.stderr).toBe(
      'error[ERR_CLI_USAGE]: unknown option --bogus for run (see `wasm-runtime run --help`)\n',
    );
    expect(r.exitCode).toBe(2);
  });
});

describe('the installed command', () => {
  it('runs through the node_modules/.bin link that npx uses', async () => {
    const link = fileURLToPath(new URL('../../../node_modules/.bin/wasm-runtime', import.meta.url));
    const r = await execa(link, ['run', probe, 'exit', '7'], { reject: false });
    expect(r.stdout).toBe('');
    expect(r.exitCode).toBe(7);
  });
});

describe('wasm-runtime help', () => {
  it('--help prints the commands and exits 0', async () => {
    const r = await cli(['--help']);
    for (const command of [
      'build [dir]',
      'run <dist | module.wasm>',
      'inspect <module.wasm>',
      'preinit',
      'split',
    ]) {
      expect(r.stdout).toContain(command);
    }
    expect(r.exitCode).toBe(0);
  });

  it("<command> --help prints that command's options for every command", async () => {
    const expected: Record<string, string> = {
      build: '--lang LANG',
      inspect: 'Usage: wasm-runtime inspect',
      preinit: 'Usage: wasm-runtime preinit',
      split: '--out-dir',
    };
    for (const [command, text] of Object.entries(expected)) {
      const r = await cli([command, '--help']);
      expect(r.stdout, command).toContain(text);
      expect(r.exitCode, command).toBe(0);
    }
  });

  it('run --help prints the run options', async () => {
    const r = await cli(['run', '--help']);
    expect(r.stdout).toContain('--dir HOST::GUEST');
    expect(r.stdout).toContain('--env KEY=VALUE');
    expect(r.exitCode).toBe(0);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(
      await readFile(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'),
    );
    const r = await cli(['--version']);
    expect(r.stdout).toBe(`wasm-runtime ${pkg.version}\n`);
  });
});
