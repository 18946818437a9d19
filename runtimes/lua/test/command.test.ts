import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { describe, expect, inject, it } from 'vitest';
import { appDir, luaModule, runCommand } from './helpers.js';

const suite = appDir('suite');
const scenario = (name: string, extra: Partial<Parameters<typeof runCommand>[0]> = {}) =>
  runCommand({ app: suite, args: [name], ...extra });

describe('command entry under node:wasi', () => {
  it('requires several modules from the staged tree at init, with package.path on /app', async () => {
    const r = await scenario('modules');
    expect(r).toEqual({
      code: 0,
      stdout: 'strings\tshapes\t1\ncircle 12.57\tsquare 9.00\n/app/?.lua;/app/?/init.lua\n',
      stderr: '',
    });
  });

  it('catches errors with pcall, including table and __tostring error objects', async () => {
    const r = await scenario('errors');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'false\tplain message',
      'false\ttable\t42\ttable error',
      'false\tE<custom>',
      "false\tattempt to index a nil value (local 't')",
      '4',
      'false\thandled: /app/main.lua:31: inner',
      'true\touter ok\tfalse\tdeep',
      '',
    ]);
  });

  it('runs coroutines: generators, errors inside a coroutine, nested pipelines', async () => {
    const r = await scenario('coroutines');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '10\t20\t30\tdone',
      'true\t3',
      'false\tcoroutine\tx\tdead',
      'ALPHA,BETA,GAMMA',
    ]);
    expect(lines[4]).toMatch(/^false\tthread: 0x[0-9a-f]+\ttrue$/);
  });

  it('does string-heavy work: format, gsub with functions, patterns, utf8, pack', async () => {
    const r = await scenario('strings');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      ' 3.14|ab    |ff|"a\\\nb"|7\n' +
        'Hello Wide World\n' +
        'a b c\t2\n' +
        'key\tvalue\n' +
        '3\t2\t1\n' +
        'Khoor, Zruog!\tHello, World!\n' +
        '8000\t00010002\t2000\n' +
        '5\tH\u00e9\t%s-%s-%s\n' +
        '2\t1\t0\t0\n',
    );
  });

  it('reads files from the staged tree; missing files, io.tmpfile and os.execute fail softly', async () => {
    const r = await scenario('files');
    expect(r).toEqual({
      code: 0,
      stdout: '5\telderberry\nnil\tNo such file or directory\ntrue\tnil\tNot supported\t58\nfalse\n',
      stderr: '',
    });
  });

  it('reads stdin and writes stdout through io', async () => {
    const r = await scenario('stdin', { stdin: 'some input\nline two' });
    expect(r).toEqual({ code: 0, stdout: 'SOME INPUT\nLINE TWO|19\n', stderr: '' });
  });

  it('maps os.exit and main return values to exit codes', async () => {
    expect((await scenario('exit3')).code).toBe(3);
    expect(await scenario('exit_true')).toEqual({ code: 0, stdout: 'bye', stderr: '' });
    expect((await scenario('return7')).code).toBe(7);
    expect((await scenario('return_false')).code).toBe(1);
    expect((await scenario('no-such-scenario')).code).toBe(2);
  });

  it('reports an uncaught error on stderr with a traceback and exits 1', async () => {
    const r = await scenario('fail');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^lua: \/app\/main\.lua:\d+: scenario failed on purpose\nstack traceback:\n/);
    const t = await scenario('fail_table');
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/^lua: custom error object\n/);
  });

  it('turns runaway recursion into "stack overflow" Lua errors, caught or not', async () => {
    const r = await scenario('overflow');
    expect(r.stdout).toBe('false\ttrue\nfalse\ttrue\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^lua: \/app\/main\.lua:\d+: C stack overflow\n/);
  });

  it('passes the WASI args as args[1..n] with the program name at [0], also as global arg', async () => {
    const r = await runCommand({ app: appDir('global-main'), args: ['x', 'y z'] });
    expect(r).toEqual({ code: 0, stdout: 'global main with 2 args: x y z\narg[0] = app\n', stderr: '' });
  });

  it('runs init and main in one call through wasm-runtime.main', async () => {
    const r = await runCommand({ app: suite, args: ['modules'], entry: 'main' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('circle 12.57\tsquare 9.00\n');
  });

  it('takes the entry module and search path from LUA_APP_ENTRY / LUA_APP_PATH', async () => {
    const r = await runCommand({
      app: suite,
      args: ['modules'],
      env: { LUA_APP_ENTRY: '/app/main.lua', LUA_APP_PATH: '/app/?.lua;/app/lib/?.lua;/app/?/init.lua' },
    });
    expect(r.stdout).toContain('/app/?.lua;/app/lib/?.lua;/app/?/init.lua\n');
    const missing = runCommand({ app: suite, env: { LUA_APP_ENTRY: '/app/nope.lua' } });
    await expect(missing).rejects.toThrow(/unreachable/);
  });

  it('fails init with a trap and the Lua message on stderr when the entry module raises', async () => {
    const dir = appDir('init-error');
    const tmp = mkdtempSync(join(tmpdir(), 'lua-init-'));
    const errFd = openSync(join(tmp, 'stderr'), 'w');
    const wasi = new WASI({
      version: 'preview1',
      args: [],
      env: {},
      preopens: { '/app': dir },
      stderr: errFd,
    });
    const instance = await WebAssembly.instantiate(await luaModule(), {
      wasi_snapshot_preview1: wasi.wasiImport,
    });
    wasi.initialize(instance);
    const init = instance.exports['wizer-initialize'] as () => void;
    expect(init).toThrow(WebAssembly.RuntimeError);
    closeSync(errFd);
    const stderr = readFileSync(join(tmp, 'stderr'), 'utf8');
    rmSync(tmp, { recursive: true, force: true });
    expect(stderr).toMatch(
      /^wasm-runtime\/lua: init failed: the entry module raised an error: \/app\/main\.lua:3: refusing to start: port 80 is privileged\nstack traceback:/,
    );
  });

  it('fails init when the entry module has no main, saying what to write', async () => {
    await expect(runCommand({ app: appDir('no-main') })).rejects.toThrow(/unreachable/);
    const r = await runCommand({ app: appDir('no-main'), env: { LUA_APP_REACTOR: '1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the app has no main function');
  });

  it('os.setlocale refuses locales wasi-libc cannot provide (nil, as C Lua where one is missing)', async () => {
    const r = await scenario('locale');
    expect(r).toEqual({ code: 0, stdout: 'nil\tnil\t3.5\nC\tC.UTF-8\tC.UTF-8;C;C;C;C;C\n', stderr: '' });
  });

  it('os.tmpname makes a new empty file under a preopened /tmp, and fails as before without one', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'lua-tmpname-'));
    try {
      const r = await scenario('tmpname', { dirs: { '/tmp': tmp } });
      expect(r).toEqual({ code: 0, stdout: 'true\ttrue\ttrue\ntrue\ttrue\n', stderr: '' });
      expect(readdirSync(tmp)).toEqual([]);
      const none = await scenario('tmpname');
      expect(none.stdout).toBe('error\tunable to generate a unique filename\n');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a failed require lists the files it looked for, and no empty C search path', async () => {
    const r = await scenario('require_missing');
    expect(r.stdout).toBe(
      "false\nmodule 'no.such.module' not found:\n\tno field package.preload['no.such.module']\n" +
        "\tno file '/app/no/such/module.lua'\n\tno file '/app/no/such/module/init.lua'\n",
    );
  });
});

describe('Lua stack limit (in a child process)', () => {
  it('reports unbounded Lua recursion as "stack overflow", caught or not', async () => {
    const script = fileURLToPath(new URL('./fixtures/run-once.mjs', import.meta.url));
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--no-warnings', script, inject('luaWasm'), appDir('deep-recursion')],
        (error, stdout, stderr) =>
          resolve({ code: error ? (error.code as number | null) : 0, stdout, stderr }),
      );
    });
    expect(result.stdout).toBe('false\tstack overflow\n50005000\n');
    expect(result.stderr).toMatch(/^lua: \/app\/main\.lua:2: stack overflow\nstack traceback:/);
    expect(result.code).toBe(1);
  });
});
