import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LuaBuildError } from './errors.js';
import { LUA_SOURCE, LUA_SOURCE_ROOT, sha256Hex } from './source.js';

const run = promisify(execFile);

/** Where the driver sources live: `driver/` at the package root, beside `src/` and `dist/`. */
export const LUA_DRIVER_DIR = fileURLToPath(new URL('../driver/', import.meta.url));

const SYSROOT_INCLUDE = '/usr/include/wasm32-wasi';
const SYSROOT_LIB = '/usr/lib/wasm32-wasi';
const LINKED_LIBS = [
  'libc.a',
  'crt1-reactor.o',
  'libwasi-emulated-signal.a',
  'libwasi-emulated-process-clocks.a',
];

/* Placeholders stand for the per-build temporary paths, so they never reach the cache key. */
const CFLAGS = [
  '--target=wasm32-wasi',
  '--sysroot=@SYSROOT@',
  '-O2',
  '-std=gnu99',
  '-DLUA_COMPAT_5_3',
  '-D_WASI_EMULATED_SIGNAL',
  '-D_WASI_EMULATED_PROCESS_CLOCKS',
  '-DLUA_TMPNAMBUFSIZE=32',
  '-Dlua_tmpnam(b,e)={extern int wasm_runtime_tmpnam(char *); e = wasm_runtime_tmpnam(b);}',
  '-Dsetlocale=wasm_runtime_setlocale',
  '-mllvm',
  '-wasm-enable-sjlj',
  '-isystem',
  '@DRIVER@/include',
  '-I@LUA@/src',
  '-ffile-prefix-map=@LUA@=/wasm-runtime/lua',
  '-ffile-prefix-map=@DRIVER@=/wasm-runtime/driver',
  '-ffile-prefix-map=@SYSROOT@=/wasm-runtime/sysroot',
  '-Wno-deprecated-declarations',
];
/** The setjmp runtime throws and catches wasm exceptions itself. */
const SJLJ_CFLAGS = ['-mexception-handling'];
/* No -O here: with binaryen installed, clang would run whatever wasm-opt is on PATH. */
const LDFLAGS = [
  '--target=wasm32-wasi',
  '--sysroot=@SYSROOT@',
  '-mexec-model=reactor',
  '-Wl,-z,stack-size=1048576',
  '-Wl,--strip-debug',
  '-lwasi-emulated-signal',
  '-lwasi-emulated-process-clocks',
];
const RECIPE_VERSION = 'wasm-runtime-lua/1';
/* wasm-opt takes the features from the target_features section, which --strip-debug keeps. */
const WASM_OPT_FLAGS = ['-O2'];

interface Paths {
  lua: string;
  driver: string;
  sysroot: string;
}

function expand(flags: readonly string[], paths: Paths): string[] {
  return flags.map((f) =>
    f
      .replaceAll('@SYSROOT@', paths.sysroot)
      .replaceAll('@DRIVER@', paths.driver)
      .replaceAll('@LUA@', paths.lua),
  );
}

async function tool(file: string, args: readonly string[], what: string): Promise<string> {
  try {
    const { stdout } = await run(file, args, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (cause) {
    const err = cause as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new LuaBuildError(
        'ERR_LUA_TOOLCHAIN_MISSING',
        `${file} was not found (needed to ${what}): install the wasm32-wasi toolchain with scripts/setup-toolchain ` +
          `(clang, lld, wasi-libc, libclang-rt-dev-wasm32)`,
        { cause },
      );
    }
    throw new LuaBuildError(
      'ERR_LUA_BUILD_FAILED',
      `${what} failed: ${file} ${args.join(' ')}\n${err.stderr ?? ''}`,
      {
        cause,
      },
    );
  }
}

async function fileSha(path: string): Promise<string> {
  try {
    return sha256Hex(await readFile(path));
  } catch (cause) {
    throw new LuaBuildError(
      'ERR_LUA_TOOLCHAIN_MISSING',
      `${path} is missing: install wasi-libc and libclang-rt-dev-wasm32 (scripts/setup-toolchain)`,
      { cause },
    );
  }
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

/** Everything the bytes of lua.wasm depend on, as one JSON-able value. */
async function buildInputs(
  clang: string,
  sourceSha256: string,
  wasmOpt: boolean,
): Promise<Record<string, unknown>> {
  const driverFiles = await listFiles(LUA_DRIVER_DIR);
  const driver: Record<string, string> = {};
  for (const f of driverFiles) driver[f] = await fileSha(join(LUA_DRIVER_DIR, f));
  const clangVersion = await tool(clang, ['--version'], 'identify the C compiler');
  const builtins = (
    await tool(clang, ['--target=wasm32-wasi', '-print-libgcc-file-name'], 'locate compiler-rt')
  ).trim();
  const wasmLd = (
    await tool(clang, ['--target=wasm32-wasi', '-print-prog-name=wasm-ld'], 'locate wasm-ld')
  ).trim();
  const libs: Record<string, string> = {};
  for (const lib of LINKED_LIBS) libs[lib] = await fileSha(join(SYSROOT_LIB, lib));
  libs['compiler-rt'] = await fileSha(builtins);
  return {
    recipe: RECIPE_VERSION,
    source: sourceSha256,
    driver,
    cflags: CFLAGS,
    sjljCflags: SJLJ_CFLAGS,
    ldflags: LDFLAGS,
    clang: clangVersion.trim(),
    wasmLd: (await tool(wasmLd, ['--version'], 'identify wasm-ld')).trim(),
    libs,
    ...(wasmOpt
      ? {
          wasmOpt: {
            flags: WASM_OPT_FLAGS,
            version: (await tool('wasm-opt', ['--version'], 'identify wasm-opt')).trim(),
          },
        }
      : {}),
  };
}

async function pool<T>(items: readonly T[], jobs: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}

/** Options of {@link compileLua}. */
export interface CompileLuaOptions {
  /** The verified Lua source tarball. */
  tarball: string;
  /** Where to write the module. */
  outFile: string;
  /** Parallel compile jobs; default the number of CPUs. */
  jobs?: number;
  /** The C compiler; default `clang`. */
  clang?: string;
  /** Run `wasm-opt -O2` after linking; default false. */
  wasmOpt?: boolean;
}

/**
 * Compiles Lua and the driver from `tarball` into `outFile`, with no caching (see
 * {@link buildLua} for the cached build, and {@link luaBuildKey} for what the bytes depend on).
 */
export async function compileLua(options: CompileLuaOptions): Promise<void> {
  const clang = options.clang ?? 'clang';
  const work = await mkdtemp(join(tmpdir(), 'wasm-runtime-lua-'));
  try {
    const paths: Paths = {
      lua: join(work, LUA_SOURCE_ROOT),
      driver: LUA_DRIVER_DIR.replace(/\/$/, ''),
      sysroot: join(work, 'sysroot'),
    };
    await tool(
      'tar',
      ['-xzf', options.tarball, '-C', work, `${LUA_SOURCE_ROOT}/src`],
      'unpack the Lua source',
    );
    await mkdir(join(paths.sysroot, 'include'), { recursive: true });
    await mkdir(join(paths.sysroot, 'lib'), { recursive: true });
    await symlink(SYSROOT_INCLUDE, join(paths.sysroot, 'include', 'wasm32-wasi'));
    await symlink(SYSROOT_LIB, join(paths.sysroot, 'lib', 'wasm32-wasi'));

    const luaSources = (await readdir(join(paths.lua, 'src')))
      .filter((f) => f.endsWith('.c') && f !== 'lua.c' && f !== 'luac.c')
      .sort()
      .map((f) => ({
        src: join(paths.lua, 'src', f),
        obj: `lua-${f.slice(0, -2)}.o`,
        extra: [] as string[],
      }));
    const driverSources = (await listFiles(LUA_DRIVER_DIR))
      .filter((f) => f.endsWith('.c'))
      .map((f) => ({
        src: join(paths.driver, f),
        obj: `driver-${f.slice(0, -2).replaceAll('/', '-')}.o`,
        extra: f === 'sjlj.c' ? SJLJ_CFLAGS : [],
      }));
    const units = [...luaSources, ...driverSources];
    const objDir = join(work, 'obj');
    await mkdir(objDir);
    const cflags = expand(CFLAGS, paths);
    await pool(units, options.jobs ?? availableParallelism(), async (u) => {
      await tool(clang, [...cflags, ...u.extra, '-c', u.src, '-o', join(objDir, u.obj)], `compile ${u.src}`);
    });
    const linked = join(work, 'lua.wasm');
    await tool(
      clang,
      [...units.map((u) => join(objDir, u.obj)).sort(), ...expand(LDFLAGS, paths), '-o', linked],
      'link lua.wasm',
    );
    let final = linked;
    if (options.wasmOpt) {
      final = join(work, 'lua.opt.wasm');
      await tool('wasm-opt', [...WASM_OPT_FLAGS, linked, '-o', final], 'optimize lua.wasm with wasm-opt');
    }
    await writeFile(options.outFile, await readFile(final));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Everything the bytes of `lua.wasm` depend on besides the source tarball: the driver files'
 * sha256, the flags, the toolchain's versions and libraries. Stable JSON, for cache keys.
 */
export async function luaBuildKey(options: { clang?: string; wasmOpt?: boolean } = {}): Promise<string> {
  const { source: _source, ...rest } = await buildInputs(
    options.clang ?? 'clang',
    LUA_SOURCE.sha256,
    options.wasmOpt ?? false,
  );
  return JSON.stringify(rest);
}
