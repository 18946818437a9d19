import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preinitialize } from '../src/index.js';
import { sameBytes, wat } from './helpers.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'wizer.js');
let dir = '';

function wizer(args: string[], options: { input?: Uint8Array | string; env?: Record<string, string> } = {}) {
  return execa(process.execPath, [bin, ...args], {
    cwd: dir,
    reject: false,
    encoding: 'buffer',
    stripFinalNewline: false,
    timeout: 30_000,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    env: options.env,
  });
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'preinit-cli-'));
  await writeFile(join(dir, 'in.wasm'), await wat('basic/globals-memory.wat'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('wasm-runtime-wizer', () => {
  it('pre-initializes a file into -o, with the same bytes as the API', async () => {
    const r = await wizer(['in.wasm', '-o', 'out.wasm']);
    expect(r.exitCode).toBe(0);
    const out = new Uint8Array(await readFile(join(dir, 'out.wasm')));
    const { module } = await preinitialize(await wat('basic/globals-memory.wat'));
    expect(sameBytes(out, module)).toBe(true);
  });

  it('reads the module from stdin and writes it to stdout when no paths are given', async () => {
    const input = await wat('basic/renames.wat');
    const r = await wizer(['-r', '_start=wizer.resume'], { input });
    expect(r.exitCode).toBe(0);
    const { module } = await preinitialize(input, { renameFuncs: [['_start', 'wizer.resume']] });
    expect(sameBytes(r.stdout, module)).toBe(true);
  });

  it("keeps the module on stdout intact: the guest's stdout goes to stderr then", async () => {
    const data = join(dir, 'data');
    await mkdir(data, { recursive: true });
    await writeFile(join(data, 'input.txt'), 'printed by init\n');
    const input = await wat('wasi/read-file.wat');
    const r = await wizer(['--allow-wasi', `--mapdir=/data::${data}`], { input });
    expect(r.exitCode).toBe(0);
    expect(text(r.stderr)).toBe('printed by init\n');
    const { module } = await preinitialize(input, { allowWasi: true, wasi: { preopens: { '/data': data } } });
    expect(sameBytes(r.stdout, module)).toBe(true);
  });

  it("runs componentize-js's invocation: arguments on stdin, env inherited, --dir and --mapdir", async () => {
    const sources = join(dir, 'sources');
    const app = join(dir, 'app');
    await mkdir(sources, { recursive: true });
    await mkdir(app, { recursive: true });
    await writeFile(join(app, 'main.js'), 'export const answer = 42;\n');
    await writeFile(join(dir, 'engine.wasm'), await wat('wasi/componentize.wat'));
    const args = '--initializer-script-path /sources/init.js --strip-path-prefix / main.js';
    const r = await wizer(
      [
        '--allow-wasi',
        '--init-func',
        'componentize.wizer',
        `--dir=${sources}`,
        `--mapdir=/::${app}`,
        '--wasm-bulk-memory=true',
        '--inherit-env=true',
        `-o=${join(dir, 'component.wasm')}`,
        join(dir, 'engine.wasm'),
      ],
      { input: args, env: { EXPORT_CNT: '1', SOURCE_NAME: 'main.js' } },
    );
    expect(text(r.stderr)).toBe('');
    expect(r.exitCode).toBe(0);
    const out = new Uint8Array(await readFile(join(dir, 'component.wasm')));
    const inst = new WebAssembly.Instance(new WebAssembly.Module(out as Uint8Array<ArrayBuffer>), {
      wasi_snapshot_preview1: new Proxy({}, { get: () => () => 52 }),
    });
    const mem = new Uint8Array((inst.exports['memory'] as WebAssembly.Memory).buffer);
    const global = (name: string) => (inst.exports[name] as WebAssembly.Global).value as number;
    expect(text(mem.subarray(1024, 1024 + global('stdin_len')))).toBe(args);
    expect(text(mem.subarray(8192, 8192 + global('file_len')))).toBe('export const answer = 42;\n');
    expect(global('env_count')).toBeGreaterThanOrEqual(2);
    const env = text(mem.subarray(131072, 262144));
    expect(env).toContain('EXPORT_CNT=1');
    expect(env).toContain('SOURCE_NAME=main.js');
    expect(inst.exports['componentize.wizer']).toBeUndefined();
  });

  it('prints typed errors as error[CODE] and exits non-zero, leaving no output file', async () => {
    const r = await wizer(['in.wasm', '-f', 'nope', '-o', 'never.wasm']);
    expect(r.exitCode).toBe(1);
    expect(text(r.stderr)).toMatch(/^error\[ERR_PREINIT_NO_INIT_EXPORT\]: the module has no `nope` export/);
    expect(existsSync(join(dir, 'never.wasm'))).toBe(false);

    const missing = await wizer(['absent.wasm', '-o', 'never.wasm']);
    expect(missing.exitCode).toBe(1);
    expect(text(missing.stderr)).toMatch(/^error\[ERR_PREINIT_IO\]: cannot read .*absent\.wasm/);

    const wasi = await wizer(['-o', 'never.wasm'], { input: await wat('wasi/random.wat') });
    expect(wasi.exitCode).toBe(1);
    expect(text(wasi.stderr)).toMatch(/error\[ERR_PREINIT_IMPORT_NOT_PROVIDED\].*random_get.*--allow-wasi/);
  });

  it('exits 2 on bad arguments and 0 with --help', async () => {
    const bad = await wizer(['--inherit-env', 'in.wasm']);
    expect(bad.exitCode).toBe(2);
    expect(text(bad.stderr)).toMatch(
      /error\[ERR_PREINIT_USAGE\]: invalid value 'in.wasm' for '--inherit-env'/,
    );
    const help = await wizer(['--help']);
    expect(help.exitCode).toBe(0);
    expect(text(help.stdout)).toMatch(/--init-func <INIT_FUNC>[\s\S]*--mapdir <GUEST_DIR::HOST_DIR>/);
  });

  it('loads --preload modules from files', async () => {
    await writeFile(join(dir, 'helpers.wasm'), await wat('errors/helpers.wat'));
    await writeFile(join(dir, 'user.wasm'), await wat('errors/preload-user.wat'));
    const r = await wizer(['--preload', 'helpers=helpers.wasm', 'user.wasm', '-o', 'user.out.wasm']);
    expect(text(r.stderr)).toBe('');
    expect(r.exitCode).toBe(0);
  });
});
