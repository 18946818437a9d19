// 'inherit' stdio needs a real process: run a tiny WASI program in a child Node process that
// imports the built Node entry point, feed its stdin and read its stdout, stderr and exit code.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import wabtInit from 'wabt';

const dist = fileURLToPath(new URL('../dist/node.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wasi-inherit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Copies stdin to stdout in 64-byte reads, writes "done" to stderr, exits with 7.
const CAT = `(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "done")
  (func (export "_start")
    (loop $more
      (i32.store (i32.const 0) (i32.const 100))
      (i32.store (i32.const 4) (i32.const 64))
      (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
      (if (i32.gt_u (i32.load (i32.const 16)) (i32.const 0))
        (then
          (i32.store (i32.const 4) (i32.load (i32.const 16)))
          (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 20)))
          (br $more))))
    (i32.store (i32.const 0) (i32.const 200))
    (i32.store (i32.const 4) (i32.const 4))
    (drop (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 20)))
    (call $exit (i32.const 7))))`;

it("'inherit' stdio reads the process's stdin and writes its stdout and stderr", async () => {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat('cat.wat', CAT);
  writeFileSync(join(dir, 'cat.wasm'), parsed.toBinary({}).buffer);
  parsed.destroy();
  const script = `
    import { readFileSync } from 'node:fs';
    import { WASI } from ${JSON.stringify(dist)};
    const wasi = new WASI({ stdin: 'inherit', stdout: 'inherit', stderr: 'inherit' });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(${JSON.stringify(join(dir, 'cat.wasm'))})), wasi.imports);
    process.exitCode = wasi.start(instance);`;
  const input = `${'0123456789'.repeat(30)}\nlast line\n`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    input,
    encoding: 'utf8',
  });
  expect(child.stderr).toBe('done');
  expect(child.stdout).toBe(input);
  expect(child.status).toBe(7);
});
