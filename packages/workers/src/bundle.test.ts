// The Worker's runtime is one self-contained ES module: no import left (workerd resolves only the
// modules the config lists) and no Node built-in (Workers have none without nodejs_compat).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

describe('dist/worker-runtime.js', () => {
  it('imports nothing and names no Node built-in', async () => {
    const source = await readFile(new URL('../dist/worker-runtime.js', import.meta.url), 'utf8');
    expect(source).not.toMatch(/^\s*import[\s{*]/m);
    expect(source).not.toMatch(/\bimport\s*\(/);
    expect(source).not.toMatch(/\brequire\s*\(/);
    // Only a guarded lookup may name one (split's sha256 asks `process.getBuiltinModule` when a
    // `process` exists, and hashes in JS otherwise).
    const named = source.match(/["']node:[a-z_/]+["']/g) ?? [];
    expect(named).toEqual(['"node:crypto"']);
    expect(source).toContain('proc?.getBuiltinModule?.("node:crypto")');
    expect(source).toMatch(/export\s*\{[^}]*\bcreateWorker\b/);
  });
});
