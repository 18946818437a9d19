// Assembles the .wat fixtures in fixtures/run/ with wabt, builds the C fixtures there, and the WASI host's C programs that the CLI runs against
// node:wasi (packages/wasi/test/fixtures/c: hello, files, walk, clock, random), into test/.build/
// with the Debian wasm32-wasi toolchain, keyed by a hash of source, flags and compiler version so
// warm runs rebuild nothing.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import wabtInit from 'wabt';

const run = promisify(execFile);
const sources = fileURLToPath(new URL('./fixtures/run/', import.meta.url));
const wasiPrograms = fileURLToPath(new URL('../../wasi/test/fixtures/c/', import.meta.url));
/** The WASI host's C programs the CLI runs against node:wasi (test/wasi-programs.test.ts). */
const WASI_PROGRAMS = ['hello.c', 'files.c', 'walk.c', 'clock.c', 'random.c'];
const out = fileURLToPath(new URL('./.build/', import.meta.url));
const FLAGS = ['--target=wasm32-wasi', '-O2', '-Wall', '-Werror', '-Wl,--strip-debug'];
const HINT = 'Install it with `bash scripts/setup-toolchain` (as root) from the repository root.';

/** vitest globalSetup: builds the fixtures whose inputs changed. */
export default async function setup(): Promise<void> {
  await mkdir(out, { recursive: true });
  const wabt = await wabtInit();
  for (const file of (await readdir(sources)).filter((f) => f.endsWith('.wat'))) {
    const parsed = wabt.parseWat(file, await readFile(join(sources, file), 'utf8'));
    try {
      const wasm = join(out, file.replace(/\.wat$/, '.wasm'));
      const tmp = `${wasm}.${process.pid}.tmp`;
      await writeFile(tmp, new Uint8Array(parsed.toBinary({}).buffer));
      await rename(tmp, wasm);
    } finally {
      parsed.destroy();
    }
  }
  const version = await run('clang', ['--version']).then(
    (r) => r.stdout,
    (cause) => {
      throw new Error(`clang is not on PATH, so the CLI test fixtures cannot be built. ${HINT}`, { cause });
    },
  );
  if (!existsSync('/usr/lib/wasm32-wasi/libc.a')) throw new Error(`wasi-libc is not installed. ${HINT}`);
  // A clean sysroot, so a header missing from wasi-libc cannot silently come from glibc.
  const sysroot = join(out, 'sysroot');
  for (const part of ['include', 'lib']) {
    const link = join(sysroot, part, 'wasm32-wasi');
    if (existsSync(link)) continue;
    await mkdir(join(sysroot, part), { recursive: true });
    await symlink(`/usr/${part}/wasm32-wasi`, link).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  }
  const inputs = [
    ...(await readdir(sources)).filter((f) => f.endsWith('.c')).map((f) => join(sources, f)),
    ...WASI_PROGRAMS.map((f) => join(wasiPrograms, f)),
  ];
  for (const path of inputs) {
    const file = basename(path);
    const wasm = join(out, file.replace(/\.c$/, '.wasm'));
    const source = await readFile(path);
    const hash = createHash('sha256').update(version).update(FLAGS.join(' ')).update(source).digest('hex');
    if (existsSync(wasm) && (await readFile(`${wasm}.hash`, 'utf8').catch(() => '')) === hash) continue;
    const tmp = `${wasm}.${process.pid}.tmp`;
    await run('clang', [...FLAGS, `--sysroot=${sysroot}`, path, '-o', tmp]).catch((cause) => {
      throw new Error(`building ${file} failed:\n${(cause as { stderr?: string }).stderr ?? ''}`, { cause });
    });
    await rename(tmp, wasm);
    await writeFile(`${wasm}.hash`, hash);
  }
}
