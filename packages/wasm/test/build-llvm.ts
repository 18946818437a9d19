// Builds test/fixtures/llvm/*.c with clang into test/.build/ (gitignored), keyed by a hash of the
// source, the flags and the compiler version so warm runs rebuild nothing. Three outputs per
// source: a relocatable object (`.o`, LLVM's padded LEB128s and reloc sections), a module
// linked without wasm-opt (`.wasm`) and one linked with `-O2` (`-opt.wasm`).

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const llvmSources = fileURLToPath(new URL('./fixtures/llvm/', import.meta.url));
export const llvmBuild = fileURLToPath(new URL('./.build/llvm/', import.meta.url));

const COMPILE = [
  '--target=wasm32-wasi',
  '-O2',
  '-msimd128',
  '-mbulk-memory',
  '-msign-ext',
  '-mnontrapping-fptoint',
  '-mllvm',
  '-wasm-enable-sjlj',
  '-isystem',
  '/usr/include/wasm32-wasi',
];
// Undefined symbols (the setjmp runtime) become imports.
const LINK = [
  '--target=wasm32-wasi',
  '-nostdlib',
  '-Wl,--no-entry',
  '-Wl,--allow-undefined',
  '-Wl,--strip-debug',
];

/** Whether clang with the wasm32 target is available. */
export async function haveClang(): Promise<string | undefined> {
  try {
    return (await run('clang', ['--version'])).stdout;
  } catch {
    return undefined;
  }
}

async function buildOne(name: string, version: string): Promise<void> {
  const source = join(llvmSources, `${name}.c`);
  const base = join(llvmBuild, name);
  const hash = createHash('sha256')
    .update(version)
    .update(JSON.stringify([COMPILE, LINK]))
    .update(await readFile(source))
    .digest('hex');
  const stamp = `${base}.hash`;
  if (existsSync(stamp) && (await readFile(stamp, 'utf8')) === hash) return;
  const tmp = `${base}.${process.pid}`;
  await run('clang', [...COMPILE, '-c', source, '-o', `${tmp}.o`]);
  await run('clang', [...LINK, `${tmp}.o`, '-o', `${tmp}.wasm`]);
  await run('clang', [...LINK, '-O2', `${tmp}.o`, '-o', `${tmp}-opt.wasm`]);
  for (const ext of ['.o', '.wasm', '-opt.wasm']) await rename(`${tmp}${ext}`, `${base}${ext}`);
  await writeFile(stamp, hash);
}

/** Builds every LLVM fixture whose inputs changed. Returns false when clang is missing. */
export async function buildLlvmFixtures(): Promise<boolean> {
  const version = await haveClang();
  if (version === undefined) return false;
  await mkdir(llvmBuild, { recursive: true });
  for (const f of await readdir(llvmSources)) if (f.endsWith('.c')) await buildOne(f.slice(0, -2), version);
  return true;
}
