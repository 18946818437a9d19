import { describe, expect, it } from 'vitest';
import { main, parseCLI, parseDuration, parseSize } from './cli.js';

describe('parseCLI', () => {
  it('takes --writable-mounts and --trust-dist-recipe for a dist, before or after it', () => {
    const parsed = parseCLI(['run', '--trust-dist-recipe', 'dist', '--writable-mounts', 'x']);
    expect(parsed).toMatchObject({
      command: 'run',
      options: { module: 'dist', trustDistRecipe: true, writableMounts: true, args: ['x'] },
    });
  });

  it('parses run with a module, repeated --dir and --env, and guest args after --', () => {
    expect(
      parseCLI([
        'run',
        '--dir',
        '/tmp/data::/data',
        '--dir=./src',
        '--env',
        'A=1',
        '--env=B=x=y',
        'm.wasm',
        '--',
        '-v',
        'x',
      ]),
    ).toEqual({
      command: 'run',
      options: {
        module: 'm.wasm',
        args: ['-v', 'x'],
        env: { A: '1', B: 'x=y' },
        dirs: [
          { host: '/tmp/data', guest: '/data' },
          { host: './src', guest: './src' },
        ],
      },
    });
  });

  it('takes --dir and --env right after the module too; --, or any other argument, starts the guest args', () => {
    expect(parseCLI(['run', 'dist', '--dir', 'a::/a', '--env=K=V', '--', '--dir', 'x'])).toMatchObject({
      options: {
        module: 'dist',
        dirs: [{ host: 'a', guest: '/a' }],
        env: { K: 'V' },
        args: ['--dir', 'x'],
      },
    });
    expect(parseCLI(['run', 'm.wasm', '--dir', 'x', '--help'])).toMatchObject({
      options: { module: 'm.wasm', args: ['--help'], dirs: [{ host: 'x', guest: 'x' }] },
    });
    // Wasmtime-style guest arguments right after the module stay the guest's, options and all.
    expect(parseCLI(['run', 'm.wasm', 'Ada', '--dir', 'x'])).toMatchObject({
      options: { module: 'm.wasm', args: ['Ada', '--dir', 'x'], dirs: [] },
    });
    expect(parseCLI(['run', 'm.wasm', '-v', '--env', 'A=1'])).toMatchObject({
      options: { args: ['-v', '--env', 'A=1'], env: {} },
    });
    expect(() => parseCLI(['run', 'm.wasm', '--dir'])).toThrow(/--dir needs a value/);
  });

  it('accepts -- before the module, and a module that starts with a dash after it', () => {
    expect(parseCLI(['run', '--', '-odd.wasm', 'a'])).toMatchObject({
      options: { module: '-odd.wasm', args: ['a'] },
    });
  });

  it('takes --env KEY without a value from the host environment, and skips it when unset', () => {
    expect(parseCLI(['run', '--env', 'HOME', '--env', 'NOPE', 'm.wasm'], { HOME: '/home/me' })).toMatchObject(
      {
        options: { env: { HOME: '/home/me' } },
      },
    );
  });

  it('keeps an empty value and an = inside the value', () => {
    expect(parseCLI(['run', '--env', 'E=', '--env', 'Q=a=b', 'm.wasm'])).toMatchObject({
      options: { env: { E: '', Q: 'a=b' } },
    });
  });

  it('recognises help and version', () => {
    expect(parseCLI([])).toEqual({ command: 'help' });
    expect(parseCLI(['--help'])).toEqual({ command: 'help' });
    expect(parseCLI(['help', 'run'])).toEqual({ command: 'help', topic: 'run' });
    expect(parseCLI(['run', '--help'])).toEqual({ command: 'help', topic: 'run' });
    expect(parseCLI(['-V'])).toEqual({ command: 'version' });
  });

  it.each([
    [['frobnicate'], 'ERR_CLI_USAGE', /unknown command "frobnicate"/],
    [['--frob'], 'ERR_CLI_USAGE', /unknown option --frob/],
    [
      ['run'],
      'ERR_CLI_USAGE',
      /run needs a dist directory, a split directory or a module: wasm-runtime run <dist \| split dir \| module.wasm> \(see `wasm-runtime run --help`\)/,
    ],
    [['run', '--dir'], 'ERR_CLI_USAGE', /--dir needs a value/],
    [['run', '--mapdir', 'a::b', 'm.wasm'], 'ERR_CLI_USAGE', /unknown option --mapdir for run/],
    [['run', '--env', '=v', 'm.wasm'], 'ERR_CLI_USAGE', /variable name is empty/],
    [['run', '--dir', '::/g', 'm.wasm'], 'ERR_CLI_BAD_DIR', /host directory before :: is empty/],
    [['run', '--dir', '/h::', 'm.wasm'], 'ERR_CLI_BAD_DIR', /guest path after :: is empty/],
    [['run', '--dir', '', 'm.wasm'], 'ERR_CLI_BAD_DIR', /directory is empty/],
  ])('rejects %j with %s', (argv, code, message) => {
    expect(() => parseCLI(argv)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
  });
});

describe('run limits on the command line', () => {
  it('reads --timeout and --max-memory, and their Wasmtime spellings', () => {
    expect(parseCLI(['run', '--timeout', '500ms', '--max-memory=64MiB', 'm.wasm'])).toMatchObject({
      options: { module: 'm.wasm', timeout: 500, maxMemory: 64 * 2 ** 20 },
    });
    expect(parseCLI(['run', '-W', 'timeout=2,max-memory-size=65536', 'm.wasm', 'x'])).toMatchObject({
      options: { module: 'm.wasm', timeout: 2000, maxMemory: 65536, args: ['x'] },
    });
    expect(parseCLI(['run', 'm.wasm', '-Wtimeout=1.5m', '--', '--timeout'])).toMatchObject({
      options: { timeout: 90_000, args: ['--timeout'] },
    });
  });

  it.each([
    ['1', 1000],
    ['250ms', 250],
    ['2s', 2000],
    ['1h', 3_600_000],
  ])('duration %s is %i ms', (text, ms) => {
    expect(parseDuration('--timeout', text)).toBe(ms);
  });

  it.each([
    ['65536', 65536],
    ['64K', 65536],
    ['64KiB', 65536],
    ['1g', 2 ** 30],
    ['1.5MB', 1.5 * 2 ** 20],
  ])('size %s is %i bytes', (text, bytes) => {
    expect(parseSize('--max-memory', text)).toBe(bytes);
  });

  it.each(['0', '-1s', '2 days', ''])('duration %j is refused', (text) => {
    expect(() => parseDuration('--timeout', text)).toThrow(/positive duration/);
  });

  it.each(['0', '1X', '-5', 'lots'])('size %j is refused', (text) => {
    expect(() => parseSize('--max-memory', text)).toThrow(/size in bytes/);
  });
});

describe('parseCLI for the lazily loaded commands', () => {
  it('hands the arguments of build, inspect, preinit and split to their own parsers', () => {
    expect(parseCLI(['build', 'app', '--json'])).toEqual({ command: 'build', argv: ['app', '--json'] });
    expect(parseCLI(['inspect', 'm.wasm'])).toEqual({ command: 'inspect', argv: ['m.wasm'] });
    expect(parseCLI(['preinit', 'in.wasm', '-o', 'out.wasm'])).toEqual({
      command: 'preinit',
      argv: ['in.wasm', '-o', 'out.wasm'],
    });
    expect(parseCLI(['split', 's.wasm', '--out-dir', 'd'])).toEqual({
      command: 'split',
      argv: ['s.wasm', '--out-dir', 'd'],
    });
  });

  it('answers -h/--help of those commands with their help, but not after --', () => {
    expect(parseCLI(['build', '--help'])).toEqual({ command: 'help', topic: 'build' });
    expect(parseCLI(['split', 'x.wasm', '-h'])).toEqual({ command: 'help', topic: 'split' });
    expect(parseCLI(['preinit', 'x.wasm', '--', '--help'])).toEqual({
      command: 'preinit',
      argv: ['x.wasm', '--', '--help'],
    });
  });
});

describe('main', () => {
  const capture = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      streams: {
        stdout: (t: string) => {
          out.stdout += t;
        },
        stderr: (t: string) => {
          out.stderr += t;
        },
      },
    };
  };

  it('prints error[CODE]: message and exits 2 on a usage error', async () => {
    const { out, streams } = capture();
    expect(await main(['run'], streams)).toBe(2);
    expect(out.stderr).toMatch(
      /^error\[ERR_CLI_USAGE\]: run needs a dist directory, a split directory or a module/,
    );
    expect(out.stdout).toBe('');
  });

  it('exits 1 with ERR_CLI_MODULE_NOT_FOUND for a missing module', async () => {
    const { out, streams } = capture();
    expect(await main(['run', '/nonexistent/x.wasm'], streams)).toBe(1);
    expect(out.stderr).toMatch(
      /^error\[ERR_CLI_MODULE_NOT_FOUND\]: cannot read the module \/nonexistent\/x\.wasm/,
    );
  });

  it('prints help to stdout with --help, and to stderr with status 2 when given nothing', async () => {
    const a = capture();
    expect(await main(['--help'], a.streams)).toBe(0);
    expect(a.out.stdout).toContain('Usage: wasm-runtime <command>');
    const b = capture();
    expect(await main([], b.streams)).toBe(2);
    expect(b.out.stderr).toContain('Usage: wasm-runtime <command>');
  });
});
