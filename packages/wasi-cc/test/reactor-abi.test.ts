// c/reactor-abi.c against REACTOR_EXPORTS: a module built from it with a driver of no language
// (test/fixtures/reactor-abi/driver.c) exports exactly the table's names, and each export does
// what the table says, run under node:wasi.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeSysroot,
  REACTOR_CALL_STATUS,
  REACTOR_EXPORTS,
  SHARED_C_DIR,
  sharedCFiles,
} from '../src/index.js';
import { toolchain } from './toolchain.js';

const DRIVER = new URL('./fixtures/reactor-abi/driver.c', import.meta.url).pathname;

let work: string;
let module: WebAssembly.Module;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'wasi-cc-reactor-'));
  const sysroot = await makeSysroot(work);
  const sources = (await sharedCFiles()).map((f) => f.path).filter((p) => p.endsWith('.c'));
  const out = join(work, 'reactor.wasm');
  await toolchain.run(
    'clang',
    [
      '--target=wasm32-wasi',
      `--sysroot=${sysroot}`,
      '-O2',
      `-I${SHARED_C_DIR}`,
      '-mexec-model=reactor',
      DRIVER,
      ...sources,
      '-o',
      out,
    ],
    'build the reactor ABI fixture',
  );
  module = await WebAssembly.compile(readFileSync(out));
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Exports {
  memory: WebAssembly.Memory;
  [name: string]: unknown;
}

/** A fresh instance whose stdout goes to a file, read back with `stdout()`. */
async function instantiate(name: string, env: Record<string, string> = {}) {
  const stdoutPath = join(work, `${name}.stdout`);
  const fd = openSync(stdoutPath, 'w');
  const wasi = new WASI({ version: 'preview1', args: [], env, returnOnExit: true, stdout: fd });
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
  const ex = instance.exports as Exports;
  const fn = (role: keyof typeof REACTOR_EXPORTS) =>
    ex[REACTOR_EXPORTS[role]] as (...args: number[]) => number;
  return {
    wasi,
    ex,
    fn,
    stdout: () => readFileSync(stdoutPath, 'utf8'),
    close: () => closeSync(fd),
  };
}

describe('c/reactor-abi.c and REACTOR_EXPORTS', () => {
  it('keeps the names and statuses users call (a change here breaks every built app and host)', () => {
    expect(REACTOR_EXPORTS).toEqual({
      init: 'wizer-initialize',
      run: 'wasm-runtime.run',
      main: 'wasm-runtime.main',
      reseed: 'wasm_runtime_reseed',
      alloc: 'wasm_runtime_alloc',
      call: 'wasm_runtime_call',
      resultPtr: 'wasm_runtime_result_ptr',
      resultLen: 'wasm_runtime_result_len',
    });
    expect(REACTOR_CALL_STATUS).toEqual({ ok: 0, error: 1, noFunction: 2, notInitialized: 3 });
  });

  it("exports every name of the table and nothing else of its own (besides a reactor's _initialize and memory)", () => {
    expect(
      WebAssembly.Module.exports(module)
        .map((e) => e.name)
        .sort(),
    ).toEqual(['_initialize', 'memory', ...Object.values(REACTOR_EXPORTS)].sort());
  });

  it('calls the driver with bytes through the scratch buffer; statuses, results and output come back after each call', async () => {
    const { wasi, ex, fn, stdout, close } = await instantiate('call');
    try {
      wasi.initialize({ exports: ex } as unknown as WebAssembly.Instance);
      const encoder = new TextEncoder();
      const call = (name: string, arg: string) => {
        const bytes = encoder.encode(name + arg);
        const nameLen = encoder.encode(name).length;
        const ptr = fn('alloc')(bytes.length);
        expect(ptr).not.toBe(0);
        new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
        const status = fn('call')(ptr, nameLen, ptr + nameLen, bytes.length - nameLen);
        const result = new Uint8Array(ex.memory.buffer, fn('resultPtr')(), fn('resultLen')());
        return { status, result: new TextDecoder().decode(result) };
      };

      expect(call('echo', 'x')).toEqual({
        status: REACTOR_CALL_STATUS.notInitialized,
        result: 'not initialized',
      });
      expect(fn('reseed')()).toBe(2);
      fn('init')();
      expect(fn('reseed')()).toBe(0);

      expect(call('echo', 'héllo')).toEqual({ status: REACTOR_CALL_STATUS.ok, result: 'echo(héllo)' });
      // the driver printed without a newline: the export flushed it
      expect(stdout()).toBe('init 1;call echo;');
      expect(call('fail', '')).toEqual({ status: REACTOR_CALL_STATUS.error, result: 'fail()' });
      expect(call('missing', 'a')).toEqual({
        status: REACTOR_CALL_STATUS.noFunction,
        result: 'no function named missing',
      });
      // a buffer larger than the first grows (and may move), and still holds what is written
      const big = 'b'.repeat(100_000);
      expect(call('echo', big)).toEqual({ status: REACTOR_CALL_STATUS.ok, result: `echo(${big})` });
      expect(call('echo', '')).toEqual({ status: REACTOR_CALL_STATUS.ok, result: 'echo()' });
      expect(stdout()).toBe('init 1;call echo;call fail;call missing;call echo;call echo;');
    } finally {
      close();
    }
  });

  it.each([
    ['init then run (a snapshot)', [REACTOR_EXPORTS.init, REACTOR_EXPORTS.run], '7'],
    ['main alone (cold)', [REACTOR_EXPORTS.main], '7'],
    ['main after init', [REACTOR_EXPORTS.init, REACTOR_EXPORTS.main], '7'],
    ['a run that exits 0', [REACTOR_EXPORTS.init, REACTOR_EXPORTS.run], '0'],
  ])('%s: exits with the code the driver returned, its output flushed first', async (_, exports, code) => {
    const { wasi, ex, stdout, close } = await instantiate(`${exports.join('-')}-${code}`, {
      EXIT_CODE: code,
    });
    try {
      const start = () => {
        for (const name of ['_initialize', ...exports]) (ex[name] as () => void)();
      };
      // node:wasi's start() wants a command module; the command path lives in a reactor.
      expect(
        wasi.start({ exports: { memory: ex.memory, _start: start } } as unknown as WebAssembly.Instance),
      ).toBe(Number(code));
      // init ran once, even where main came after it
      expect(stdout()).toBe('init 1;run after 1 init(s);');
    } finally {
      close();
    }
  });
});
