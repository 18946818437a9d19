// `wasm-runtime run <dir>` of what `wasm-runtime split --out-dir` wrote (an engine, a data module
// and <name>.split.json, no manifest.json): the pair runs as a WASI command, like run of a module.
// The real binary, run with execa, on the probe command split into a pair.

import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/wasm-runtime.js', import.meta.url));
const probe = fileURLToPath(new URL('./.build/probe.wasm', import.meta.url));

/** Runs the CLI; never rejects, so a test can assert the exit status. */
function cli(args: string[], options: { input?: string } = {}) {
  return execa(process.execPath, [bin, ...args], {
    reject: false,
    stripFinalNewline: false,
    env: { NO_COLOR: '' },
    ...options,
  });
}

let tmp: string;
let pair: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-split-run-'));
  pair = join(tmp, 'pair');
  const s = await cli(['split', probe, '--out-dir', pair]);
  expect(s.exitCode).toBe(0);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A copy of the pair to damage. */
async function copyOfPair(name: string): Promise<string> {
  const dir = join(tmp, name);
  await cp(pair, dir, { recursive: true });
  return dir;
}

describe('wasm-runtime run <split --out-dir directory>', () => {
  it('runs the pair as the command: args, --env, exit status, stdout and stderr', async () => {
    const r = await cli(['run', '--env', 'GREETING=hi', pair, 'args', 'one', '-x']);
    expect(r.stdout).toBe(`argv[0]=${pair}\nargv[1]=args\nargv[2]=one\nargv[3]=-x\nenv GREETING=hi\n`);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const hello = await cli(['run', pair]);
    expect(hello.stdout).toBe('hello from wasm\n');
    expect(hello.stderr).toBe('to stderr\n');
    expect((await cli(['run', pair, 'exit', '42'])).exitCode).toBe(42);
  });

  it('gives the guest stdin and --dir HOST::GUEST', async () => {
    const stdin = await cli(['run', pair, 'stdin'], { input: 'line one\nline two\n' });
    expect(stdin.stdout).toBe('line one\nline two\n');
    expect(stdin.exitCode).toBe(0);
    await mkdir(join(tmp, 'data'));
    await writeFile(join(tmp, 'data', 'in.txt'), 'from the host\n');
    const read = await cli(['run', '--dir', `${join(tmp, 'data')}::/data`, pair, 'cat', '/data/in.txt']);
    expect(read.stdout).toBe('from the host\n');
    expect(read.exitCode).toBe(0);
    const write = await cli([
      'run',
      '--dir',
      `${join(tmp, 'data')}::/data`,
      pair,
      'write',
      '/data/out.txt',
      'w',
    ]);
    expect(write.exitCode).toBe(0);
    expect(await readFile(join(tmp, 'data', 'out.txt'), 'utf8')).toBe('w');
    // Nothing is preopened that was not asked for.
    const none = await cli(['run', pair, 'cat', '/data/in.txt']);
    expect(none.exitCode).toBe(1);
  });

  it('runs the pair named by its .split.json, under --timeout too; a trap is 134', async () => {
    const manifest = join(pair, 'probe.split.json');
    const r = await cli(['run', manifest, 'args']);
    expect(r.stdout).toBe(`argv[0]=${manifest}\nargv[1]=args\n`);
    expect(r.exitCode).toBe(0);
    const timed = await cli(['run', '--timeout', '60s', pair, 'stdin'], { input: 'through the worker\n' });
    expect(timed.stdout).toBe('through the worker\n');
    expect(timed.exitCode).toBe(0);
    const trap = await cli(['run', pair, 'trap']);
    expect(trap.exitCode).toBe(134);
    expect(trap.stderr).toMatch(/^error\[ERR_CLI_GUEST_TRAP\]: .*pair trapped: unreachable/);
  });

  it('refuses a pair whose files do not match its manifest, and says which', async () => {
    const dir = await copyOfPair('tampered');
    const data = await readFile(join(dir, 'probe.data.wasm'));
    data[data.length - 1]! ^= 1;
    await writeFile(join(dir, 'probe.data.wasm'), data);
    const r = await cli(['run', dir, 'hello']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error\[ERR_CLI_BAD_SPLIT_DIR\]: .*probe\.split\.json: the app module has sha256 [0-9a-f]{64}, the manifest records [0-9a-f]{64}: the files do not belong together/,
    );
  });

  it('refuses a manifest naming an engine outside its directory, and a missing data module', async () => {
    const dir = await copyOfPair('escape');
    const manifest = JSON.parse(await readFile(join(dir, 'probe.split.json'), 'utf8'));
    await writeFile(
      join(dir, 'probe.split.json'),
      JSON.stringify({ ...manifest, engine: { ...manifest.engine, file: '../pair/x.wasm' } }),
    );
    const r = await cli(['run', dir]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /^error\[ERR_CLI_BAD_SPLIT_DIR\]: .*engine\.file "\.\.\/pair\/x\.wasm" is not a file name beside it/,
    );
    const missing = await copyOfPair('missing');
    await rm(join(missing, 'probe.data.wasm'));
    const m = await cli(['run', missing]);
    expect(m.exitCode).toBe(1);
    expect(m.stderr).toMatch(
      /^error\[ERR_CLI_BAD_SPLIT_DIR\]: .*the app module probe\.data\.wasm is missing beside it/,
    );
  });

  it('a directory of two pairs asks which one', async () => {
    const dir = await copyOfPair('two');
    const second = await cli(['split', probe, '--out-dir', dir, '--name', 'other']);
    expect(second.exitCode).toBe(0);
    const r = await cli(['run', dir]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /^error\[ERR_CLI_BAD_SPLIT_DIR\]: .*two: it holds 2 split pairs \(other\.split\.json, probe\.split\.json\): name one, as in wasm-runtime run .*other\.split\.json/,
    );
    const named = await cli(['run', join(dir, 'other.split.json')]);
    expect(named.stdout).toBe('hello from wasm\n');
    expect(named.exitCode).toBe(0);
  });
});
