// C programs built with the Debian wasi toolchain (the WASI host's own fixtures: hello, file I/O,
// directory walking, clocks, randomness) run through the real `wasm-runtime run` binary and under
// node:wasi: what a user observes (stdout, stderr, exit code, files written) is the same, except
// where node:wasi is known to be wrong (it leaves `.` and `..` out of fd_readdir).

import { closeSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { withNodeWasiSleepFixed } from '../../wasi/test/support/node-wasi.mjs';

const bin = fileURLToPath(new URL('../bin/wasm-runtime.js', import.meta.url));
const program = (name: string) => fileURLToPath(new URL(`./.build/${name}.wasm`, import.meta.url));

interface Observed {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const temps: string[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-programs-'));
  temps.push(dir);
  return dir;
}

/** `wasm-runtime run [--dir host::guest] program.wasm args...` */
async function viaCli(name: string, args: string[], dir?: [string, string]): Promise<Observed> {
  const dirs = dir === undefined ? [] : ['--dir', `${dir[0]}::${dir[1]}`];
  const r = await execa(process.execPath, [bin, 'run', ...dirs, program(name), ...args], {
    reject: false,
    stripFinalNewline: false,
    input: '',
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
}

/** The same program under node:wasi, stdio through files (node:wasi needs host descriptors). */
async function viaNodeWasi(name: string, args: string[], dir?: [string, string]): Promise<Observed> {
  const { WASI } = await import('node:wasi');
  const io = await temp();
  writeFileSync(join(io, 'in'), '');
  const fds = [openSync(join(io, 'in'), 'r'), openSync(join(io, 'out'), 'w'), openSync(join(io, 'err'), 'w')];
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: [program(name), ...args],
      env: {},
      preopens: dir === undefined ? {} : { [dir[1]]: dir[0] },
      returnOnExit: true,
      stdin: fds[0],
      stdout: fds[1],
      stderr: fds[2],
    });
    const module = await WebAssembly.compile(await readFile(program(name)));
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
    const exitCode = wasi.start(instance);
    return {
      stdout: readFileSync(join(io, 'out'), 'utf8'),
      stderr: readFileSync(join(io, 'err'), 'utf8'),
      exitCode,
    };
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

/** Every entry under `root`, with file contents and link targets, sorted. */
async function tree(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(root, prefix))).sort()) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const st = await lstat(join(root, rel));
    if (st.isSymbolicLink()) out.push(`link ${rel} -> ${await readlink(join(root, rel))}`);
    else if (st.isDirectory()) out.push(`dir  ${rel}/`, ...(await tree(root, rel)));
    else out.push(`file ${rel} ${JSON.stringify(await readFile(join(root, rel), 'utf8'))}`);
  }
  return out;
}

describe('wasm-runtime run and node:wasi agree on real C programs', () => {
  it('hello: stdout, stderr, exit code', async () => {
    const ours = await viaCli('hello', []);
    expect(ours).toEqual({ stdout: 'hello, world\n', stderr: 'a line on stderr\n', exitCode: 0 });
    expect(ours).toEqual(await viaNodeWasi('hello', []));
  });

  it('file I/O in a --dir: same output, same files left behind', async () => {
    const [a, b] = [await temp(), await temp()];
    const ours = await viaCli('files', ['/sandbox'], [a, '/sandbox']);
    const theirs = await viaNodeWasi('files', ['/sandbox'], [b, '/sandbox']);
    expect(ours.stdout).toMatch(/^0 failures$/m);
    expect(ours).toEqual(theirs);
    expect(await tree(a)).toEqual(await tree(b));
    expect(await tree(a)).toContain('file final.txt "created, written, kept\\n"');
  });

  it('directory walk: the same tree (node:wasi omits . and .. from fd_readdir; ours lists them like Wasmtime)', async () => {
    const [a, b] = [await temp(), await temp()];
    for (const root of [a, b]) {
      mkdirSync(join(root, 'src/lib'), { recursive: true });
      mkdirSync(join(root, 'empty'));
      writeFileSync(join(root, 'README'), 'read me\n');
      writeFileSync(join(root, 'src/lib/data.bin'), Buffer.alloc(3000, 7));
      for (let i = 0; i < 12; i++)
        writeFileSync(join(root, `src/f${String(i).padStart(2, '0')}.txt`), 'x'.repeat(i));
      symlinkSync('README', join(root, 'readme-link'));
    }
    const ours = await viaCli('walk', ['/w'], [a, '/w']);
    const theirs = await viaNodeWasi('walk', ['/w'], [b, '/w']);
    expect(ours.exitCode).toBe(0);
    expect(ours.stdout).toContain('dot entries: 2\n');
    expect(theirs.stdout).toContain('dot entries: 0\n');
    const withoutDots = (s: string) => s.replace(/^dot entries: \d+\n/, '');
    expect(withoutDots(ours.stdout)).toEqual(withoutDots(theirs.stdout));
    expect(ours.stdout).toContain('file data.bin 3000\n');
  });

  it('clocks: monotonic, realtime, resolution, a 10 ms sleep', async () => {
    const ours = await viaCli('clock', []);
    expect(ours.stdout).toMatch(/^0 failures$/m);
    expect(ours).toEqual(withNodeWasiSleepFixed(await viaNodeWasi('clock', [])));
  });

  it('randomness: getentropy and arc4random', async () => {
    const ours = await viaCli('random', []);
    expect(ours.stdout).toMatch(/^0 failures$/m);
    expect(ours).toEqual(await viaNodeWasi('random', []));
  });
});
