import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../../test/helpers/streams.js';
import { inspectCommand, parseInspectArgs } from './inspect.js';

// (module (memory (export "memory") 1) (global (mut i32) (i32.const 7)) (data (i32.const 16) "\01\02\00\03"))
const MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x06, 0x06, 0x01, 0x7f, 0x01,
  0x41, 0x07, 0x0b, 0x07, 0x0a, 0x01, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x0b, 0x0a, 0x01,
  0x00, 0x41, 0x10, 0x0b, 0x04, 0x01, 0x02, 0x00, 0x03,
]);

// One function of each exception-handling form: `try catch_all end` and `try_table end`.
const LEGACY = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 8, 1, 6, 0, 6, 64, 25, 11, 11,
];
const EXNREF = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 8, 1, 6, 0, 31, 64, 0, 11, 11,
];

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-inspect-'));
  await writeFile(join(tmp, 'm.wasm'), MODULE);
  await writeFile(join(tmp, 'bad.wasm'), 'not wasm');
  await writeFile(join(tmp, 'legacy.wasm'), Uint8Array.from(LEGACY));
  await writeFile(join(tmp, 'exnref.wasm'), Uint8Array.from(EXNREF));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('inspect', () => {
  it('parses one module and --json', () => {
    expect(parseInspectArgs(['m.wasm', '--json'])).toEqual({ module: 'm.wasm', json: true });
    expect(() => parseInspectArgs([])).toThrow(/inspect needs a module/);
    expect(() => parseInspectArgs(['a', 'b'])).toThrow(/one module/);
  });

  it('says which exception-handling form a module uses; an exnref module V8 cannot check is no error', async () => {
    const legacy = capture();
    expect(await inspectCommand({ module: join(tmp, 'legacy.wasm') }, legacy.streams)).toBe(0);
    expect(legacy.stdout()).toMatch(/^exceptions\n {2}legacy \(try\/catch\)/m);
    const exnref = capture();
    expect(await inspectCommand({ module: join(tmp, 'exnref.wasm') }, exnref.streams)).toBe(0);
    expect(exnref.stdout()).toMatch(/^exceptions\n {2}exnref \(try_table\/throw_ref\)/m);
    const exnrefJson = capture();
    expect(await inspectCommand({ module: join(tmp, 'exnref.wasm'), json: true }, exnrefJson.streams)).toBe(
      0,
    );
    const report = JSON.parse(exnrefJson.stdout());
    expect(report).toMatchObject({ ok: true, errors: [], exceptions: 'exnref' });
    if (!WebAssembly.validate(Uint8Array.from(EXNREF))) {
      expect(exnref.stdout()).toMatch(/not checked: this V8 does not run the exnref form/);
      expect(report.warnings).toEqual([
        { code: 'WARN_INSPECT_NOT_VALIDATED', message: expect.stringMatching(/^not checked: this V8/) },
      ]);
    } else expect(report.warnings).toEqual([]);
    const plain = capture();
    expect(await inspectCommand({ module: join(tmp, 'm.wasm'), json: true }, plain.streams)).toBe(0);
    expect(JSON.parse(plain.stdout()).exceptions).toBe('none');
  });

  it('prints sections, exports, memories, globals and data', async () => {
    const c = capture();
    expect(await inspectCommand({ module: join(tmp, 'm.wasm') }, c.streams)).toBe(0);
    const text = c.stdout();
    expect(text).toMatch(/^memory +1 +5 B$/m);
    expect(text).toMatch(/^data +1 +12 B$/m);
    expect(text).toMatch(/^ {2}memory +memory +0 +1\.\. pages$/m);
    expect(text).toContain('  0: 1 pages (64.0 KiB)');
    expect(text).toMatch(/^ {2}0 +mut i32 +7$/m);
    expect(text).toContain('  1 segments (1 active, 0 passive), 4 B, 3 B non-zero');
    expect(text).toContain('app module: data only');
  });

  it('--json gives the report; a bad module is a typed error', async () => {
    const c = capture();
    await inspectCommand({ module: join(tmp, 'm.wasm'), json: true }, c.streams);
    expect(JSON.parse(c.stdout())).toMatchObject({
      size: MODULE.length,
      data: { segments: 1, bytes: 4, nonZeroBytes: 3 },
    });
    await expect(inspectCommand({ module: join(tmp, 'bad.wasm') }, capture().streams)).rejects.toMatchObject({
      code: 'ERR_CLI_INVALID_MODULE',
    });
    await expect(inspectCommand({ module: join(tmp, 'none.wasm') }, capture().streams)).rejects.toMatchObject(
      {
        code: 'ERR_CLI_MODULE_NOT_FOUND',
        message: expect.stringMatching(/none\.wasm: no such file \(check the path\)$/),
      },
    );
    // A build's output directory given where a module is expected: say it is a directory.
    await expect(inspectCommand({ module: tmp }, capture().streams)).rejects.toMatchObject({
      code: 'ERR_CLI_MODULE_NOT_FOUND',
      message: expect.stringMatching(/: it is a directory; give a \.wasm file/),
    });
  });
});
