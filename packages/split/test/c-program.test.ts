import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { parseModule } from '@wasm-runtime/wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineCache, join, linkSync, split } from '../src/index.js';

const SOURCE = fileURLToPath(new URL('./fixtures/split/program.c', import.meta.url));
const FLAGS = ['--target=wasm32-wasi', '-O2', '-Wl,--strip-debug'];

/** Builds program.c once per source/flags/compiler hash into the OS temp dir. */
function buildProgram(): Uint8Array {
  const version = execFileSync('clang', ['--version'], { encoding: 'utf8' });
  const hash = createHash('sha256')
    .update(version)
    .update(FLAGS.join(' '))
    .update(readFileSync(SOURCE))
    .digest('hex');
  const dir = joinPath(tmpdir(), 'wasm-runtime-split-fixtures');
  const out = joinPath(dir, `program-${hash.slice(0, 16)}.wasm`);
  if (!existsSync(out)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    execFileSync('clang', [...FLAGS, SOURCE, '-o', tmp]);
    renameSync(tmp, out);
  }
  return new Uint8Array(readFileSync(out));
}

/** Runs `_start` under node:wasi with stdout to a file; returns exit code and stdout. */
function run(start: (wasi: WASI) => WebAssembly.Instance): { code: number; stdout: string } {
  const dir = mkdtempSync(joinPath(tmpdir(), 'split-run-'));
  const file = joinPath(dir, 'stdout');
  const fd = openSync(file, 'w');
  try {
    const wasi = new WASI({ version: 'preview1', args: ['program', 'arg1'], stdout: fd, returnOnExit: true });
    const instance = start(wasi);
    const code = wasi.start(instance);
    return { code, stdout: readFileSync(file, 'utf8') };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a clang-built wasm32-wasi command', () => {
  let program: Uint8Array;
  beforeAll(() => {
    program = buildProgram();
  });

  it('runs the same split as monolithic, under node:wasi', () => {
    const mono = run(
      (wasi) =>
        new WebAssembly.Instance(new WebAssembly.Module(program as Uint8Array<ArrayBuffer>), {
          wasi_snapshot_preview1: wasi.wasiImport,
        }),
    );
    expect(mono).toEqual({ code: 3, stdout: 'hello from the snapshot: 14 21 7 arg1\n' });
    const { engine, app, manifest } = split(program);
    expect(manifest.imports.map((i) => i.name)).toEqual(['memory', 'global0']);
    expect(manifest.tables?.elementSegments).toBe(1);
    const pair = run(
      (wasi) =>
        linkSync(engine, app, { wasi_snapshot_preview1: wasi.wasiImport }, { cache: new EngineCache() })
          .instance,
    );
    expect(pair).toEqual(mono);
    const joined = run(
      (wasi) =>
        new WebAssembly.Instance(new WebAssembly.Module(join(engine, app) as Uint8Array<ArrayBuffer>), {
          wasi_snapshot_preview1: wasi.wasiImport,
        }),
    );
    expect(joined).toEqual(mono);
  });

  it('joins back to the very bytes wasm-ld wrote', () => {
    const { engine, app } = split(program, { compactData: false });
    expect(Buffer.from(join(engine, app)).equals(Buffer.from(program))).toBe(true);
  });

  it('keeps the code and every custom section of the LLVM output in the engine', () => {
    const { engine } = split(program);
    const kinds = (bytes: Uint8Array) =>
      parseModule(bytes)
        .sections.filter((s) => s.kind === 'code' || s.kind === 'custom')
        .map((s) => (s.kind === 'custom' ? s.name : s.kind));
    expect(kinds(engine)).toEqual(kinds(program));
    expect(kinds(engine)).toContain('code');
  });
});
