// `inspect` and `split` of a module V8 rejects, through the real binary: V8's reason, a non-zero
// exit status, and (for inspect) what could be read of the module anyway.

import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

// (module (memory (export "memory") 1) (func i32.add)): well-formed, but the function adds two
// values from an empty stack.
const INVALID = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
  0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x0a, 0x01, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x0a,
  0x05, 0x01, 0x03, 0x00, 0x6a, 0x0b,
]);

let tmp: string;
let module: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-invalid-'));
  module = join(tmp, 'invalid.wasm');
  await writeFile(module, INVALID);
  expect(WebAssembly.validate(INVALID)).toBe(false);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('a module V8 rejects', () => {
  it('inspect shows what it could read, then V8 reason, and exits 1', async () => {
    const r = await cli(['inspect', module]);
    expect(r.stdout).toMatch(/^ {2}memory +memory +0 +1\.\. pages$/m);
    expect(r.stdout).toMatch(/^ {2}invalid: WebAssembly\.Module\(\): Compiling function #0 failed/m);
    expect(r.stderr).toMatch(
      /^error\[ERR_CLI_INVALID_MODULE\]: .*invalid\.wasm is not a valid WebAssembly module: V8 rejects it: WebAssembly\.Module\(\): Compiling function #0 failed/,
    );
    expect(r.exitCode).toBe(1);
    const json = await cli(['inspect', module, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      format: 'wasm-runtime-inspect@1',
      ok: false,
      errors: [
        {
          code: 'ERR_CLI_INVALID_MODULE',
          message: expect.stringMatching(/V8 rejects it: .*Compiling function #0 failed/),
        },
      ],
      exports: [{ name: 'memory', kind: 'memory', index: 0 }],
      validation: { valid: false, error: expect.stringMatching(/Compiling function #0 failed/) },
    });
    expect(json.stderr).toBe('');
    expect(json.exitCode).toBe(1);
  });

  it('split gives V8 reason and writes nothing', async () => {
    const out = join(tmp, 'out');
    const r = await cli(['split', module, '--out-dir', out]);
    expect(r.stderr).toMatch(
      /^error\[ERR_CLI_INVALID_MODULE\]: .*invalid\.wasm is not a valid WebAssembly module: V8 rejects it: WebAssembly\.Module\(\): Compiling function #0 failed/,
    );
    expect(r.exitCode).toBe(1);
    expect(existsSync(out)).toBe(false);
  });
});
