import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { wat } from './helpers.js';

// The bin npm links: a POSIX sh launcher that needs no PATH to find node.
const launcher = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'wasm-runtime-wizer');
const dir = mkdtempSync(join(tmpdir(), 'preinit-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string, env: Record<string, string>, args: string[] = ['--help']) {
  return spawnSync(command, args, { env, cwd: dir, encoding: 'utf8', timeout: 60_000 });
}

describe('the wasm-runtime-wizer launcher', () => {
  it('is the bin npm links', () => {
    const pkg = JSON.parse(readFileSync(join(dirname(launcher), '..', 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin['wasm-runtime-wizer']).toBe('bin/wasm-runtime-wizer');
  });

  it('runs with an empty environment, and with a PATH that holds no node, as componentize-js runs it', () => {
    for (const env of [{}, { PATH: join(dir, 'nothing-here') }] as Record<string, string>[]) {
      const r = run(launcher, env);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/--allow-wasi/);
    }
  });

  it('pre-initializes through a symlink (node_modules/.bin) with no PATH', async () => {
    const link = join(dir, 'wasm-runtime-wizer');
    symlinkSync(launcher, link);
    const input = join(dir, 'in.wasm');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(input, await wat('basic/globals-memory.wat'));
    const r = run(link, {}, [input, '-o', join(dir, 'out.wasm')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(WebAssembly.validate(readFileSync(join(dir, 'out.wasm')))).toBe(true);
  });

  it('finds the node process that started it when node is in no usual place', () => {
    // A copy of node outside /usr/bin and /usr/local/bin starts the launcher with no PATH; the
    // launcher must run that node (WASM_RUNTIME_LAUNCHER_TRACE makes it say which).
    const node = join(dir, 'node-elsewhere');
    copyFileSync(process.execPath, node);
    const script = `const r = require('node:child_process').spawnSync(${JSON.stringify(launcher)}, ['--help'], { env: { WASM_RUNTIME_LAUNCHER_TRACE: '1' }, encoding: 'utf8' }); process.stdout.write(String(r.status)); process.stderr.write(r.stderr);`;
    const r = spawnSync(node, ['-e', script], { env: {}, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe(`wasm-runtime-wizer: node is ${node}\n`);
    expect(r.stdout).toBe('0');
  });
});
