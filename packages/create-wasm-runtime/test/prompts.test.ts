import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// On a terminal (a pseudo-terminal made by util-linux `script`), with nothing given, the
// scaffolder asks for the directory and the language and answers to keys as a user types them.

const BIN = fileURLToPath(new URL('../bin/create-wasm-runtime.js', import.meta.url));

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'create-tty-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

function onTerminal(): {
  child: ChildProcess;
  screen: () => string;
  waitFor: (text: string) => Promise<void>;
  exit: Promise<number | null>;
} {
  const env = { ...process.env };
  delete env['CI'];
  const child = spawn(
    'script',
    [
      '-qec',
      `stty cols 100 rows 40; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`,
      '/dev/null',
    ],
    {
      cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let out = '';
  // What a user would read: the screen's text without cursor movements and colours.
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  });
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (out.includes(text)) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
      child.on('exit', () => {
        clearInterval(timer);
        if (out.includes(text)) resolve();
        else reject(new Error(`exited before showing ${JSON.stringify(text)}; the screen was:\n${out}`));
      });
    });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, screen: () => out, waitFor, exit };
}

describe('on a terminal', () => {
  it('asks for the directory and the language, then writes the app', async () => {
    const t = onTerminal();
    await t.waitFor('Where should the app go?');
    t.child.stdin!.write('tty-app\r');
    await t.waitFor('Which language?');
    expect(t.screen()).toContain('lua');
    t.child.stdin!.write('\r');
    expect(await t.exit).toBe(0);
    expect(t.screen()).toContain('cd tty-app');
    const pkg = JSON.parse(await readFile(join(cwd, 'tty-app', 'package.json'), 'utf8')) as { name: string };
    expect(pkg.name).toBe('tty-app');
    expect(existsSync(join(cwd, 'tty-app', 'wasm-runtime.config.json'))).toBe(true);
  }, 60_000);

  it('Ctrl-C at a prompt cancels with status 130 and writes nothing', async () => {
    const t = onTerminal();
    await t.waitFor('Where should the app go?');
    t.child.stdin!.write('\x03');
    expect(await t.exit).toBe(130);
    expect(t.screen()).toContain('ERR_CREATE_CANCELLED');
    expect(await readdir(cwd)).toEqual([]);
  }, 60_000);
});
