// What every recipe that compiles a C runtime for wasm32-wasi needs, in one place: a sysroot of
// Debian's split wasi-libc directories, tool runs that fail with the recipe's own typed errors,
// the toolchain facts a build key depends on, and the driver C shared by every runtime (the
// reactor ABI's exports, the preopen table).

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export { REACTOR_CALL_STATUS, REACTOR_EXPORTS } from './reactor-abi.js';

const execFileAsync = promisify(execFile);

/** Debian's wasi-libc headers (kept apart from glibc's by the sysroot {@link makeSysroot} makes). */
export const SYSROOT_INCLUDE = '/usr/include/wasm32-wasi';
/** Debian's wasi-libc libraries and start files. */
export const SYSROOT_LIB = '/usr/lib/wasm32-wasi';

/** The driver C every runtime shares (map it with `-ffile-prefix-map` like the recipe's own). */
export const SHARED_C_DIR: string = fileURLToPath(new URL('../c', import.meta.url));

/**
 * wasi-libc's preopen table, replaced: filled from the host's actual preopens on first use and
 * emptied when init ends (`wasm_runtime_preopens_reset`), so a snapshot never keeps build-time
 * descriptors. Compile it into every runtime that is pre-initialized with directories open.
 */
export const PREOPENS_C: string = join(SHARED_C_DIR, 'preopens.c');

/**
 * The exports of the reactor ABI ({@link REACTOR_EXPORTS}), defined over hooks the runtime's own
 * driver defines: the hooks and the call statuses are declared in `c/reactor-abi.h`, which the
 * driver includes (compile with `-I` {@link SHARED_C_DIR}). Compile it into every C runtime.
 */
export const REACTOR_ABI_C: string = join(SHARED_C_DIR, 'reactor-abi.c');

/** A file of the shared C ({@link SHARED_C_DIR}) and its name in a build key. */
export interface SharedCFile {
  /** `@wasm-runtime/wasi-cc/<file>`: the same in every recipe's build key. */
  key: string;
  path: string;
}

/**
 * Every file of the shared C, sorted: its sources ({@link PREOPENS_C}, {@link REACTOR_ABI_C}) are
 * the units a runtime compiles in, and all of them, headers too, belong in its build key.
 */
export async function sharedCFiles(): Promise<SharedCFile[]> {
  return (await listFiles(SHARED_C_DIR)).map((f) => ({
    key: `@wasm-runtime/wasi-cc/${f}`,
    path: join(SHARED_C_DIR, f),
  }));
}

/** How a recipe reports toolchain failures: with its own error classes and codes. */
export interface ToolchainErrors {
  /** A tool or a sysroot file is missing; `hint` is appended to say what to install. */
  missing(message: string, cause: unknown): Error;
  /** A tool ran and failed; the message carries the tail of its output. */
  failed(message: string, cause: unknown): Error;
}

/** Options of {@link Toolchain.run}. */
export interface RunToolOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Tool runs and file hashes that fail with one recipe's typed errors. */
export interface Toolchain {
  /** Runs `file` with `args` (`what` it is for, in the error) and resolves to its stdout. */
  run(file: string, args: readonly string[], what: string, options?: RunToolOptions): Promise<string>;
  /** The sha256 (hex) of a file the build needs, or the recipe's "missing" error. */
  fileSha(path: string): Promise<string>;
  /**
   * What a build key depends on in the toolchain: clang's and wasm-ld's versions and the sha256 of
   * compiler-rt and each of `libs` (names inside {@link SYSROOT_LIB}).
   */
  inputs(clang: string, libs: readonly string[]): Promise<ToolchainInputs>;
}

/** The toolchain facts of a build key. */
export interface ToolchainInputs {
  clang: string;
  wasmLd: string;
  /** sha256 by library name, plus `compiler-rt`. */
  libs: Record<string, string>;
}

/** Lines of a failed tool's stdout and stderr kept in the error: the end is where the reason is. */
const TAIL_LINES = 40;

/**
 * A toolchain whose failures are the recipe's errors. `install` says how to get what is missing,
 * e.g. "install the wasm32-wasi toolchain with scripts/setup-toolchain (clang, lld, wasi-libc)".
 */
export function createToolchain(errors: ToolchainErrors, install: string): Toolchain {
  const run = async (
    file: string,
    args: readonly string[],
    what: string,
    options: RunToolOptions = {},
  ): Promise<string> => {
    try {
      const { stdout } = await execFileAsync(file, args, { maxBuffer: 256 * 1024 * 1024, ...options });
      return stdout;
    } catch (cause) {
      const err = cause as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
      if (err.code === 'ENOENT') {
        throw errors.missing(`${file} was not found (needed to ${what}): ${install}`, cause);
      }
      const tail = (text: string | undefined): string =>
        (text ?? '').split('\n').slice(-TAIL_LINES).join('\n');
      throw errors.failed(
        `${what} failed: ${file} ${args.join(' ')}\n${tail(err.stdout)}\n${tail(err.stderr)}`.trimEnd(),
        cause,
      );
    }
  };
  const fileSha = async (path: string): Promise<string> => {
    try {
      return sha256Hex(await readFile(path));
    } catch (cause) {
      throw errors.missing(`${path} is missing: ${install}`, cause);
    }
  };
  const inputs = async (clang: string, libs: readonly string[]): Promise<ToolchainInputs> => {
    const version = await run(clang, ['--version'], 'identify the C compiler');
    const builtins = (
      await run(clang, ['--target=wasm32-wasi', '-print-libgcc-file-name'], 'locate compiler-rt')
    ).trim();
    const wasmLd = (
      await run(clang, ['--target=wasm32-wasi', '-print-prog-name=wasm-ld'], 'locate wasm-ld')
    ).trim();
    const hashes: Record<string, string> = {};
    for (const lib of libs) hashes[lib] = await fileSha(join(SYSROOT_LIB, lib));
    hashes['compiler-rt'] = await fileSha(builtins);
    return {
      clang: version.trim(),
      wasmLd: (await run(wasmLd, ['--version'], 'identify wasm-ld')).trim(),
      libs: hashes,
    };
  };
  return { run, fileSha, inputs };
}

/** Lowercase hex sha256 of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every regular file under `dir`, as sorted paths relative to it with `/` separators. */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

/** Runs `work` on every item, at most `jobs` at a time (compile units on every core). */
export async function inParallel<T>(
  items: readonly T[],
  jobs: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}

/**
 * Makes `<work>/sysroot`: symlinks to Debian's wasi-libc directories in the layout clang expects,
 * and nothing else, so no glibc header can be picked up. Resolves to its path.
 */
export async function makeSysroot(work: string): Promise<string> {
  const sysroot = join(work, 'sysroot');
  await mkdir(join(sysroot, 'include'), { recursive: true });
  await mkdir(join(sysroot, 'lib'), { recursive: true });
  await symlink(SYSROOT_INCLUDE, join(sysroot, 'include', 'wasm32-wasi'));
  await symlink(SYSROOT_LIB, join(sysroot, 'lib', 'wasm32-wasi'));
  return sysroot;
}

/**
 * Flags with `@NAME@` placeholders replaced by `paths[NAME]`: the per-build temporary paths stay
 * out of the flags a build key records.
 */
export function expandFlags(flags: readonly string[], paths: Readonly<Record<string, string>>): string[] {
  const entries = Object.entries(paths);
  return flags.map((flag) => entries.reduce((f, [name, path]) => f.replaceAll(`@${name}@`, path), flag));
}
