import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDist } from '@wasm-runtime/pipeline';
import { WASI } from '@wasm-runtime/wasi';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PYTHON_CALL_STATUS, PYTHON_EXPORTS } from '../src/index.js';
import { appDir, buildApp, tempDir } from './helpers.js';

let scratch: { path: string; remove: () => Promise<void> };
let dist: string;
beforeAll(async () => {
  scratch = await tempDir('python-reactor-');
  dist = (await buildApp(appDir('reactor'), join(scratch.path, 'reactor'), 'reactor', { reactor: true }))
    .outDir;
}, 600_000);
afterAll(() => scratch?.remove());

/** The README's example: a snapshot instance whose functions JS calls with bytes. */
async function instantiate(): Promise<(name: string, arg: Uint8Array) => { status: number; text: string }> {
  const { manifest } = await loadDist(dist);
  const preopens: Record<string, { dir: string; readOnly: boolean }> = {};
  for (const m of manifest.mounts)
    if (m.dir !== null) preopens[m.guest] = { dir: join(dist, m.dir), readOnly: true };
  const wasi = new WASI({
    args: ['reactor'],
    env: {},
    preopens,
    ...(manifest.hostState ? { state: manifest.hostState } : {}),
  });
  const bytes = await readFile(join(dist, manifest.files.snapshot.path));
  const { instance } = await WebAssembly.instantiate(bytes, wasi.imports as WebAssembly.Imports);
  const ex = instance.exports as Record<string, (...args: number[]) => number> & {
    memory: WebAssembly.Memory;
  };
  wasi.bindMemory(ex.memory);
  const fn = (name: string) => ex[name]!;
  return (name, arg) => {
    const nameBytes = new TextEncoder().encode(name);
    const ptr = fn(PYTHON_EXPORTS.alloc)(nameBytes.length + arg.length);
    new Uint8Array(ex.memory.buffer, ptr, nameBytes.length).set(nameBytes);
    new Uint8Array(ex.memory.buffer, ptr + nameBytes.length, arg.length).set(arg);
    const status = fn(PYTHON_EXPORTS.call)(ptr, nameBytes.length, ptr + nameBytes.length, arg.length);
    const out = new Uint8Array(
      ex.memory.buffer,
      fn(PYTHON_EXPORTS.resultPtr)(),
      fn(PYTHON_EXPORTS.resultLen)(),
    );
    return { status, text: new TextDecoder().decode(out) };
  };
}

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('the reactor entry (bytes in, bytes out)', () => {
  it('is the reactor ABI: the runtime exports the shared table and nothing else of its own', async () => {
    const module = await WebAssembly.compile(await readFile(inject('pythonWasm')));
    const exports = WebAssembly.Module.exports(module)
      .map((e) => e.name)
      .sort();
    // the names themselves are locked once, in wasi-cc's test of the table
    expect(exports).toEqual(['_initialize', 'memory', ...Object.values(PYTHON_EXPORTS)].sort());
  });

  it("calls the entry module's functions of a restored snapshot, many times", async () => {
    const call = await instantiate();
    expect(call('shout', utf8('hello'))).toEqual({ status: PYTHON_CALL_STATUS.ok, text: 'HELLO' });
    expect(call('stats', utf8('[1, 2, 3.5]'))).toEqual({
      status: PYTHON_CALL_STATUS.ok,
      text: '{"n": 3, "sum": 6.5}',
    });
    for (let i = 0; i < 50; i++) expect(call('shout', utf8(`x${i}`)).text).toBe(`X${i}`);
  });

  it('reports a raised exception with its traceback, and a missing function', async () => {
    const call = await instantiate();
    const failed = call('fail', utf8('missing-key'));
    expect(failed.status).toBe(PYTHON_CALL_STATUS.error);
    expect(failed.text).toMatch(/File "main\.py", line \d+, in fail\n[\s\S]*KeyError: 'missing-key'\n$/);
    expect(call('nothing', utf8(''))).toEqual({
      status: PYTHON_CALL_STATUS.noFunction,
      text: "the app has no function named 'nothing'",
    });
    expect(call('shout', utf8('still fine')).text).toBe('STILL FINE');
  });

  it('reseeds random in every instance', async () => {
    const a = (await instantiate())('roll', utf8(''));
    const b = (await instantiate())('roll', utf8(''));
    expect(a.status).toBe(0);
    expect(a.text).not.toBe(b.text);
  });
});
