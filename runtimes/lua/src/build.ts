import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createToolchain,
  expandFlags,
  inParallel,
  listFiles,
  makeSysroot,
  SHARED_C_DIR,
  sharedCFiles,
} from '@wasm-runtime/wasi-cc';
import { LuaBuildError } from './errors.js';
import { LUA_SOURCE, LUA_SOURCE_ROOT } from './source.js';

/** Where the driver sources live: `driver/` at the package root, beside `src/` and `dist/`. */
export const LUA_DRIVER_DIR = fileURLToPath(new URL('../driver/', import.meta.url));

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
  '-I@SHARED@',
  '-ffile-prefix-map=@LUA@=/wasm-runtime/lua',
  '-ffile-prefix-map=@DRIVER@=/wasm-runtime/driver',
  '-ffile-prefix-map=@SHARED@=/wasm-runtime/shared',
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

const toolchain = createToolchain(
  {
    missing: (message, cause) => new LuaBuildError('ERR_LUA_TOOLCHAIN_MISSING', message, { cause }),
    failed: (message, cause) => new LuaBuildError('ERR_LUA_BUILD_FAILED', message, { cause }),
  },
  'install the wasm32-wasi toolchain with scripts/setup-toolchain (clang, lld, wasi-libc, libclang-rt-dev-wasm32)',
);
const tool = toolchain.run;

/** The driver's own C and headers, then the C it shares with other runtimes, by key name. */
async function driverFiles(): Promise<Array<{ key: string; path: string }>> {
  return [
    ...(await listFiles(LUA_DRIVER_DIR)).map((f) => ({ key: f, path: join(LUA_DRIVER_DIR, f) })),
    ...(await sharedCFiles()),
  ];
}

/** Everything the bytes of lua.wasm depend on, as one JSON-able value. */
async function buildInputs(
  clang: string,
  sourceSha256: string,
  wasmOpt: boolean,
): Promise<Record<string, unknown>> {
  const driver: Record<string, string> = {};
  for (const f of await driverFiles()) driver[f.key] = await toolchain.fileSha(f.path);
  const { clang: clangVersion, wasmLd, libs } = await toolchain.inputs(clang, LINKED_LIBS);
  return {
    recipe: RECIPE_VERSION,
    source: sourceSha256,
    driver,
    cflags: CFLAGS,
    sjljCflags: SJLJ_CFLAGS,
    ldflags: LDFLAGS,
    clang: clangVersion,
    wasmLd,
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
    const lua = join(work, LUA_SOURCE_ROOT);
    const paths = {
      LUA: lua,
      DRIVER: LUA_DRIVER_DIR.replace(/\/$/, ''),
      SHARED: SHARED_C_DIR,
      SYSROOT: await makeSysroot(work),
    };
    await tool(
      'tar',
      ['-xzf', options.tarball, '-C', work, `${LUA_SOURCE_ROOT}/src`],
      'unpack the Lua source',
    );

    const luaSources = (await readdir(join(lua, 'src')))
      .filter((f) => f.endsWith('.c') && f !== 'lua.c' && f !== 'luac.c')
      .sort()
      .map((f) => ({
        src: join(lua, 'src', f),
        obj: `lua-${f.slice(0, -2)}.o`,
        extra: [] as string[],
      }));
    const driverSources = (await driverFiles())
      .filter((f) => f.path.endsWith('.c'))
      .map((f) => ({
        src: f.path,
        obj: `driver-${basename(f.path, '.c')}.o`,
        extra: f.key === 'sjlj.c' ? SJLJ_CFLAGS : [],
      }));
    const units = [...luaSources, ...driverSources];
    const objDir = join(work, 'obj');
    await mkdir(objDir);
    const cflags = expandFlags(CFLAGS, paths);
    await inParallel(units, options.jobs ?? availableParallelism(), async (u) => {
      await tool(clang, [...cflags, ...u.extra, '-c', u.src, '-o', join(objDir, u.obj)], `compile ${u.src}`);
    });
    const linked = join(work, 'lua.wasm');
    await tool(
      clang,
      [...units.map((u) => join(objDir, u.obj)).sort(), ...expandFlags(LDFLAGS, paths), '-o', linked],
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
