// `wasm-runtime inspect`, through the real binary: the types of imports and exports as text and
// as structured data in the versioned JSON report, and failures in the same JSON shape.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

/** fixtures/run/inspect-types.wat, assembled by the global setup. */
const module = fileURLToPath(new URL('./.build/inspect-types.wasm', import.meta.url));

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-cli-inspect-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('wasm-runtime inspect', () => {
  it('shows the type of every import and export', async () => {
    const r = await cli(['inspect', module]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^ {2}wasi_snapshot_preview1\.fd_write +func +\(i32, i32, i32, i32\) -> i32$/m);
    expect(r.stdout).toMatch(/^ {2}env\.memory +memory +1\.\.16 pages$/m);
    expect(r.stdout).toMatch(/^ {2}env\.counter +global +mut i64$/m);
    expect(r.stdout).toMatch(/^ {2}env\.table +table +funcref 2\.\.$/m);
    expect(r.stdout).toMatch(/^ {2}add +func +1 +\(i32, i32\) -> i32$/m);
    expect(r.stdout).toMatch(/^ {2}nothing +func +2 +\(\) -> \(\)$/m);
    expect(r.stdout).toMatch(/^ {2}limit +global +1 +f64$/m);
    expect(r.stdout).toMatch(/^ {2}own +table +1 +externref 1\.\.10$/m);
  });

  it('--json: one wasm-runtime-inspect@1 object with the types as data', async () => {
    const r = await cli(['inspect', module, '--json']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      format: 'wasm-runtime-inspect@1',
      ok: true,
      warnings: [],
      errors: [],
      file: module,
      validation: { valid: true, error: null },
      split: { role: 'engine', importModule: 'env' },
    });
    expect(Object.keys(report).slice(0, 5)).toEqual(['format', 'ok', 'warnings', 'errors', 'file']);
    expect(report.imports).toEqual([
      {
        module: 'wasi_snapshot_preview1',
        name: 'fd_write',
        kind: 'func',
        type: { typeIndex: 0, params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] },
      },
      {
        module: 'env',
        name: 'memory',
        kind: 'memory',
        type: { min: 1, max: 16, shared: false, memory64: false, pageSize: 65536 },
      },
      { module: 'env', name: 'counter', kind: 'global', type: { valType: 'i64', mutable: true } },
      {
        module: 'env',
        name: 'table',
        kind: 'table',
        type: { elemType: 'funcref', min: 2, max: null, table64: false },
      },
    ]);
    expect(report.exports).toEqual([
      { name: 'write', index: 0, kind: 'func', type: report.imports[0].type },
      {
        name: 'add',
        index: 1,
        kind: 'func',
        type: { typeIndex: 1, params: ['i32', 'i32'], results: ['i32'] },
      },
      { name: 'nothing', index: 2, kind: 'func', type: { typeIndex: 2, params: [], results: [] } },
      { name: 'memory', index: 0, kind: 'memory', type: report.imports[1].type },
      { name: 'counter', index: 0, kind: 'global', type: { valType: 'i64', mutable: true } },
      { name: 'limit', index: 1, kind: 'global', type: { valType: 'f64', mutable: false } },
      {
        name: 'own',
        index: 1,
        kind: 'table',
        type: { elemType: 'externref', min: 1, max: 10, table64: false },
      },
    ]);
  });

  it('--json: a file it cannot read or parse is the same shape, ok false with the error code, exit 1', async () => {
    const missing = await cli(['inspect', join(tmp, 'none.wasm'), '--json']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe('');
    expect(JSON.parse(missing.stdout)).toEqual({
      format: 'wasm-runtime-inspect@1',
      ok: false,
      warnings: [],
      errors: [
        {
          code: 'ERR_CLI_MODULE_NOT_FOUND',
          message: expect.stringMatching(/none\.wasm: no such file \(check the path\)$/),
        },
      ],
      file: join(tmp, 'none.wasm'),
    });
    await writeFile(join(tmp, 'text.wasm'), 'not wasm at all');
    const garbage = await cli(['inspect', '--json', join(tmp, 'text.wasm')]);
    expect(garbage.exitCode).toBe(1);
    expect(garbage.stderr).toBe('');
    expect(JSON.parse(garbage.stdout)).toMatchObject({
      format: 'wasm-runtime-inspect@1',
      ok: false,
      errors: [{ code: 'ERR_CLI_INVALID_MODULE', message: expect.stringContaining('text.wasm') }],
    });
  });
});
