import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CreateIO, main, parseArgs } from './cli.js';
import { listTemplates } from './templates.js';

function io(interactive = false) {
  const out = { stdout: '', stderr: '' };
  const streams: CreateIO = {
    stdout: (t) => {
      out.stdout += t;
    },
    stderr: (t) => {
      out.stderr += t;
    },
    interactive,
  };
  return { out, streams };
}

describe('parseArgs', () => {
  it('takes the directory, the template and the flags, in any order and with =', () => {
    expect(parseArgs(['my-app', '--template', 'lua'])).toEqual({
      command: 'create',
      options: { dir: 'my-app', template: 'lua' },
    });
    expect(parseArgs(['-t', 'lua', '--name=@me/app', '--overwrite', 'x'])).toEqual({
      command: 'create',
      options: { dir: 'x', template: 'lua', name: '@me/app', overwrite: true },
    });
    expect(parseArgs(['--template=lua'])).toEqual({ command: 'create', options: { template: 'lua' } });
    expect(parseArgs(['x', '--help'])).toEqual({ command: 'help' });
    expect(parseArgs(['-V'])).toEqual({ command: 'version' });
  });

  it('refuses unknown options, a second directory and a flag without its value', () => {
    expect(() => parseArgs(['--temp', 'lua'])).toThrow(/unknown option --temp/);
    expect(() => parseArgs(['a', 'b'])).toThrow(/one directory/);
    expect(() => parseArgs(['--template'])).toThrow(/--template needs a value/);
    expect(() => parseArgs(['--template', '--overwrite'])).toThrow(/--template needs a value/);
  });
});

describe('main', () => {
  let cwd: string;
  const start = process.cwd();
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'create-cli-'));
    process.chdir(cwd);
  });
  afterEach(async () => {
    process.chdir(start);
    await rm(cwd, { recursive: true, force: true });
  });

  it('off a terminal, asks nothing: a missing template is a usage error (exit 2) naming the templates', async () => {
    const { out, streams } = io(false);
    expect(await main(['my-app'], streams)).toBe(2);
    expect(out.stderr).toMatch(
      /^error\[ERR_CREATE_USAGE\]: --template needed when not asking on a terminal \(templates: .*lua/,
    );
    expect(await readdir(cwd)).toEqual([]);
  });

  it('creates the app and prints the next commands', async () => {
    const { out, streams } = io(false);
    expect(await main(['my-app', '-t', 'lua'], streams)).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain('cd my-app\n  npm install\n  npm run build');
    expect(out.stdout).toContain('npm start -- world');
    expect(out.stdout).toContain('npm test');
  });

  it('an unknown template and an invalid name are usage errors; nothing is written', async () => {
    const { out, streams } = io(false);
    expect(await main(['my-app', '-t', 'cobol'], streams)).toBe(2);
    expect(out.stderr).toMatch(/ERR_CREATE_UNKNOWN_TEMPLATE.*"cobol".*lua/);
    expect(await main(['My App', '-t', 'lua'], streams)).toBe(2);
    expect(out.stderr).toMatch(/ERR_CREATE_INVALID_NAME.*"My App".*--name/);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('lists every template in --help', async () => {
    const { out, streams } = io(false);
    expect(await main(['--help'], streams)).toBe(0);
    expect(out.stdout).toMatch(/\nTemplates:\n( {2}\w+ +\S.*\n)+$/);
    for (const t of await listTemplates())
      expect(out.stdout).toContain(`\n  ${t.name.padEnd(10)}${t.description}\n`);
    expect(out.stdout).toMatch(/\n {2}lua {7}A Lua 5\.4 app/);
  });
});
