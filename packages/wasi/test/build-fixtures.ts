// Builds the C fixtures in fixtures/c/ into .build/<name>.wasm with the Debian wasm32-wasi
// toolchain. Each output is keyed by a hash of its source, the flags and the compiler version, so
// warm runs rebuild nothing. Run by the vitest globalSetup, or directly:
// `node --experimental-strip-types packages/wasi/test/build-fixtures.ts` is not needed; vitest does it.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the C sources live. */
export const fixturesDir = fileURLToPath(new URL('./fixtures/c/', import.meta.url));
/** Where the built modules go (gitignored). */
export const buildDir = fileURLToPath(new URL('./.build/', import.meta.url));

/** Path of a built fixture, e.g. `fixture('hello')`. */
export function fixture(name: string): string {
  return join(buildDir, `${name}.wasm`);
}

const CFLAGS = ['--target=wasm32-wasi', '-O2', '-Wall', '-Werror', '-Wl,--strip-debug'];
const SYSTEM_INCLUDE = '/usr/include/wasm32-wasi';
const SYSTEM_LIB = '/usr/lib/wasm32-wasi';

const SETUP_HINT =
  'Install the wasm32-wasi C toolchain with `bash scripts/setup-toolchain` (as root) from the repository root, then rerun the tests.';

async function compilerVersion(): Promise<string> {
  try {
    return (await run('clang', ['--version'])).stdout;
  } catch (cause) {
    throw new Error(`clang was not found on PATH, so the C test fixtures cannot be built. ${SETUP_HINT}`, {
      cause,
    });
  }
}

// A sysroot of two symlinks: without it clang searches /usr/include (glibc) last, and a header that
// wasi-libc lacks would silently come from glibc.
async function cleanSysroot(): Promise<string> {
  if (!existsSync(join(SYSTEM_LIB, 'libc.a'))) {
    throw new Error(`wasi-libc is not installed (${SYSTEM_LIB}/libc.a is missing). ${SETUP_HINT}`);
  }
  const root = join(buildDir, 'sysroot');
  const links: [string, string][] = [
    [join(root, 'include', 'wasm32-wasi'), SYSTEM_INCLUDE],
    [join(root, 'lib', 'wasm32-wasi'), SYSTEM_LIB],
  ];
  for (const [link, target] of links) {
    if (existsSync(link)) continue;
    await mkdir(join(link, '..'), { recursive: true });
    await symlink(target, link).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  return root;
}

async function buildOne(name: string, sysroot: string, version: string): Promise<boolean> {
  const source = join(fixturesDir, `${name}.c`);
  const out = fixture(name);
  const stamp = `${out}.hash`;
  const hash = createHash('sha256')
    .update(version)
    .update(CFLAGS.join(' '))
    .update(await readFile(source))
    .digest('hex');
  if (existsSync(out) && existsSync(stamp) && (await readFile(stamp, 'utf8')) === hash) return false;
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await run('clang', [...CFLAGS, `--sysroot=${sysroot}`, source, '-o', tmp]);
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr ?? '';
    await rm(tmp, { force: true });
    throw new Error(`building the fixture ${name}.c failed:\n${stderr}`, { cause });
  }
  await rename(tmp, out);
  await writeFile(stamp, hash);
  return true;
}

/** Builds every fixture whose inputs changed; returns the names rebuilt. */
export async function buildFixtures(): Promise<string[]> {
  const version = await compilerVersion();
  await mkdir(buildDir, { recursive: true });
  const sysroot = await cleanSysroot();
  const names = (await readdir(fixturesDir))
    .filter((f) => f.endsWith('.c'))
    .map((f) => f.slice(0, -2))
    .sort();
  const built: string[] = [];
  // Two at a time: the machine has two cores shared with other work.
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      if (await buildOne(name, sysroot, version)) built.push(name);
    }
  };
  await Promise.all([worker(), worker()]);
  return built.sort();
}
