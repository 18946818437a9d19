import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
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
import { PythonBuildError } from './errors.js';
import { PYTHON_SOURCE_ROOT, ZLIB_SOURCE_ROOT } from './source.js';

/** Where the driver sources live: `driver/` at the package root, beside `src/` and `dist/`. */
export const PYTHON_DRIVER_DIR = fileURLToPath(new URL('../driver/', import.meta.url));

/** The guest directory the standard library is mounted at: `sys.prefix` is its parent. */
export const PYTHON_HOME = '/usr/local';
/** The stored zip of the standard library, inside the build directory (`lib/python311.zip`). */
export const STDLIB_ZIP = 'lib/python311.zip';
/** The same modules as a tree of .pyc files, inside the build directory. */
export const STDLIB_TREE = 'tree/python3.11';

/** Top-level stdlib names left out of the staged library (GUI, tests, installers, 2to3). */
export const STDLIB_EXCLUDES = [
  'test',
  'idlelib',
  'tkinter',
  'turtledemo',
  'turtle',
  'ensurepip',
  'venv',
  'lib2to3',
  'pydoc_data',
  'site-packages',
  '__phello__',
  'pack_stdlib',
];

const LINKED_LIBS = [
  'libc.a',
  'libm.a',
  'crt1-reactor.o',
  'libwasi-emulated-signal.a',
  'libwasi-emulated-getpid.a',
  'libwasi-emulated-process-clocks.a',
];
const ZLIB_UNITS = [
  'adler32',
  'compress',
  'crc32',
  'deflate',
  'gzclose',
  'gzlib',
  'gzread',
  'gzwrite',
  'infback',
  'inffast',
  'inflate',
  'inftrees',
  'trees',
  'uncompr',
  'zutil',
];

/* Placeholders stand for the per-build temporary paths, so they never reach the cache key. */
const PREFIX_MAP = ['-ffile-prefix-map=@WORK@=/wasm-runtime/build'];
const ZLIB_CFLAGS = ['--target=wasm32-wasi', '--sysroot=@SYSROOT@', '-O2', '-DHAVE_UNISTD_H', ...PREFIX_MAP];
const DRIVER_CFLAGS = [
  '--target=wasm32-wasi',
  '--sysroot=@SYSROOT@',
  '-O2',
  '-I@BUILD@/include',
  '-I@SHARED@',
  ...PREFIX_MAP,
  '-ffile-prefix-map=@DRIVER@=/wasm-runtime/driver',
  '-ffile-prefix-map=@SHARED@=/wasm-runtime/shared',
];
/* No -O here: with binaryen installed, clang would run whatever wasm-opt is on PATH. */
const LDFLAGS = [
  '--target=wasm32-wasi',
  '--sysroot=@SYSROOT@',
  '-mexec-model=reactor',
  '-Wl,-z,stack-size=1048576',
  '-Wl,--stack-first',
  '-Wl,--strip-debug',
];
const LIBS = [
  '@BUILD@/lib/libpython3.11.a',
  '@BUILD@/lib/libmpdec.a',
  '@BUILD@/lib/libexpat.a',
  '@BUILD@/lib/libz.a',
  '-lwasi-emulated-signal',
  '-lwasi-emulated-getpid',
  '-lwasi-emulated-process-clocks',
  '-lm',
];
/** CPython's own cross-build recipe (Tools/wasm), with zlib from the build above. */
const CONFIGURE_ARGS = ['-C', '--host=wasm32-unknown-wasi', '--with-build-python=@BUILD_PYTHON@'];
const RECIPE_VERSION = 'wasm-runtime-python/1';
const LIBPYTHON_VERSION = 'wasm-runtime-libpython/2';

interface Paths {
  work: string;
  python: string;
  build: string;
  driver: string;
  sysroot: string;
  buildPython: string;
}

function expand(flags: readonly string[], paths: Paths): string[] {
  return expandFlags(flags, {
    SYSROOT: paths.sysroot,
    DRIVER: paths.driver,
    SHARED: SHARED_C_DIR,
    PYTHON: paths.python,
    BUILD: paths.build,
    WORK: paths.work,
    BUILD_PYTHON: paths.buildPython,
  });
}

const toolchain = createToolchain(
  {
    missing: (message, cause) => new PythonBuildError('ERR_PYTHON_TOOLCHAIN_MISSING', message, { cause }),
    failed: (message, cause) => new PythonBuildError('ERR_PYTHON_BUILD_FAILED', message, { cause }),
  },
  'install the wasm32-wasi toolchain and python3.11 with scripts/setup-toolchain ' +
    '(clang, lld, llvm, wasi-libc, libclang-rt-dev-wasm32, python3.11)',
);
const tool = toolchain.run;
const fileSha = toolchain.fileSha;

async function toolchainInputs(clang: string, buildPython: string): Promise<Record<string, unknown>> {
  const { clang: clangVersion, wasmLd, libs } = await toolchain.inputs(clang, LINKED_LIBS);
  const pythonVersion = await tool(
    buildPython,
    ['-c', 'import sys; print(sys.version)'],
    'identify the build python',
  );
  return {
    clang: clangVersion,
    wasmLd,
    sysroot: libs,
    buildPython: pythonVersion.trim(),
  };
}

/** What the interpreter's parts depend on besides the two source tarballs (no driver file). */
async function libpythonInputs(clang: string, buildPython: string): Promise<Record<string, unknown>> {
  return {
    recipe: LIBPYTHON_VERSION,
    zlibCflags: ZLIB_CFLAGS,
    prefixMap: PREFIX_MAP,
    configure: CONFIGURE_ARGS,
    ...(await toolchainInputs(clang, buildPython)),
  };
}

/** Everything the runtime's bytes depend on besides the two source tarballs, as one JSON-able value. */
async function buildInputs(clang: string, buildPython: string): Promise<Record<string, unknown>> {
  const driver: Record<string, string> = {};
  for (const f of await listFiles(PYTHON_DRIVER_DIR)) driver[f] = await fileSha(join(PYTHON_DRIVER_DIR, f));
  for (const f of await sharedCFiles()) driver[f.key] = await fileSha(f.path);
  return {
    recipe: RECIPE_VERSION,
    driver,
    driverCflags: DRIVER_CFLAGS,
    ldflags: LDFLAGS,
    libs: LIBS,
    stdlibExcludes: STDLIB_EXCLUDES,
    libpython: await libpythonInputs(clang, buildPython),
  };
}

/** Options of {@link compileLibpython}. */
export interface CompileLibpythonOptions {
  /** The verified CPython source tarball. */
  python: string;
  /** The verified zlib source tarball. */
  zlib: string;
  /**
   * Where to write the interpreter's parts: `lib/` (libpython3.11.a, libmpdec.a, libexpat.a,
   * libz.a), `include/` (CPython's headers and pyconfig.h), `Lib/` (the standard library's
   * sources, tests included), `platlib/` (the generated sysconfig data).
   */
  outDir: string;
  /** Parallel jobs of make and of the zlib compile; default the number of CPUs. */
  jobs?: number;
  /** The C compiler; default `clang`. */
  clang?: string;
  /** The build python (same minor version as the source); default `/usr/bin/python3.11`. */
  buildPython?: string;
}

/**
 * Builds zlib and CPython 3.11 for wasm32-wasi with CPython's own cross-build recipe (configure
 * with `Tools/wasm/config.site-wasm32-wasi`, make), with no caching. The slow half of the runtime
 * build (about 2 minutes on an idle 2-core machine, mostly configure's probes): it does not depend
 * on the driver, so the recipe caches it apart and a driver change only relinks.
 */
export async function compileLibpython(options: CompileLibpythonOptions): Promise<void> {
  const clang = options.clang ?? 'clang';
  const jobs = options.jobs ?? availableParallelism();
  const work = await mkdtemp(join(tmpdir(), 'wasm-runtime-python-'));
  try {
    const python = join(work, PYTHON_SOURCE_ROOT);
    const paths: Paths = {
      work,
      python,
      build: join(python, 'builddir', 'wasi'),
      driver: PYTHON_DRIVER_DIR.replace(/\/$/, ''),
      sysroot: await makeSysroot(work),
      buildPython: options.buildPython ?? '/usr/bin/python3.11',
    };
    await tool('tar', ['-xzf', options.python, '-C', work], 'unpack the CPython source');
    await tool('tar', ['-xjf', options.zlib, '-C', work], 'unpack the zlib source');

    // zlib: its library objects, archived with the headers beside them.
    const zlibDir = join(work, 'zlib');
    await mkdir(zlibDir);
    const zlibFlags = expand(ZLIB_CFLAGS, paths);
    await inParallel(ZLIB_UNITS, jobs, async (unit) => {
      await tool(
        clang,
        [...zlibFlags, '-c', join(work, ZLIB_SOURCE_ROOT, `${unit}.c`), '-o', join(zlibDir, `${unit}.o`)],
        `compile zlib's ${unit}.c`,
      );
    });
    await tool(
      'llvm-ar',
      ['rcsD', join(zlibDir, 'libz.a'), ...ZLIB_UNITS.map((u) => join(zlibDir, `${u}.o`))],
      'archive libz.a',
    );
    for (const header of ['zlib.h', 'zconf.h'])
      await copyFile(join(work, ZLIB_SOURCE_ROOT, header), join(zlibDir, header));

    // The build date would make every build's bytes different (sys.version shows it).
    const buildInfo = join(python, 'Modules', 'getbuildinfo.c');
    const info = await readFile(buildInfo, 'utf8');
    await writeFile(
      buildInfo,
      info
        .replace('#define DATE __DATE__', '#define DATE "Feb  8 2023"')
        .replace('#define TIME __TIME__', '#define TIME "00:00:00"'),
    );

    await mkdir(paths.build, { recursive: true });
    const cc = `${clang} --target=wasm32-wasi --sysroot=${paths.sysroot}`;
    const guess = (await tool(join(python, 'config.guess'), [], 'guess the build machine')).trim();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      ...(process.env['TMPDIR'] === undefined ? {} : { TMPDIR: process.env['TMPDIR'] }),
      LANG: 'C.UTF-8',
      CONFIG_SITE: join(python, 'Tools', 'wasm', 'config.site-wasm32-wasi'),
      CC: cc,
      CPP: `${cc} -E`,
      CXX: `clang++ --target=wasm32-wasi --sysroot=${paths.sysroot}`,
      CFLAGS: expand(PREFIX_MAP, paths).join(' '),
      AR: 'llvm-ar',
      RANLIB: 'llvm-ranlib',
      LDSHARED: 'wasm-ld',
      PKG_CONFIG_PATH: '',
      PKG_CONFIG_LIBDIR: join(paths.sysroot, 'lib', 'pkgconfig'),
      PKG_CONFIG_SYSROOT_DIR: paths.sysroot,
      ZLIB_CFLAGS: `-I${zlibDir}`,
      ZLIB_LIBS: `-L${zlibDir} -lz`,
    };
    await tool(
      join(python, 'configure'),
      [...expand(CONFIGURE_ARGS, paths), `--build=${guess}`],
      'configure CPython for wasm32-wasi',
      { cwd: paths.build, env },
    );
    await tool('make', [`-j${jobs}`], 'build CPython (make)', { cwd: paths.build, env });

    const out = options.outDir;
    await mkdir(join(out, 'lib'), { recursive: true });
    for (const [from, name] of [
      [join(paths.build, 'libpython3.11.a'), 'libpython3.11.a'],
      [join(paths.build, 'Modules', '_decimal', 'libmpdec', 'libmpdec.a'), 'libmpdec.a'],
      [join(paths.build, 'Modules', 'expat', 'libexpat.a'), 'libexpat.a'],
      [join(zlibDir, 'libz.a'), 'libz.a'],
    ] as const) {
      await copyFile(from, join(out, 'lib', name));
    }
    await cp(join(python, 'Include'), join(out, 'include'), { recursive: true });
    await copyFile(join(paths.build, 'pyconfig.h'), join(out, 'include', 'pyconfig.h'));
    await cp(join(python, 'Lib'), join(out, 'Lib'), { recursive: true });
    // The generated sysconfig data names the temporary build directory: name a fixed one.
    const platlib = join(paths.build, (await readFile(join(paths.build, 'pybuilddir.txt'), 'utf8')).trim());
    await mkdir(join(out, 'platlib'));
    for (const f of await readdir(platlib)) {
      if (!f.endsWith('.py')) continue;
      const text = await readFile(join(platlib, f), 'utf8');
      await writeFile(join(out, 'platlib', f), text.replaceAll(work, '/wasm-runtime/build'));
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Options of {@link linkPython}. */
export interface LinkPythonOptions {
  /** What {@link compileLibpython} wrote. */
  libpython: string;
  /** Where `python.wasm`, {@link STDLIB_ZIP} and {@link STDLIB_TREE} are written. */
  outDir: string;
  /** The C compiler; default `clang`. */
  clang?: string;
  /** The build python; default `/usr/bin/python3.11`. */
  buildPython?: string;
}

/**
 * Links libpython with the wasm-runtime driver into `python.wasm` and packs the standard library
 * (plus the driver's Python half) as .pyc, as a stored zip and as a tree. Seconds, not minutes.
 */
export async function linkPython(options: LinkPythonOptions): Promise<void> {
  const clang = options.clang ?? 'clang';
  const work = await mkdtemp(join(tmpdir(), 'wasm-runtime-python-link-'));
  try {
    const paths: Paths = {
      work,
      python: options.libpython,
      build: options.libpython,
      driver: PYTHON_DRIVER_DIR.replace(/\/$/, ''),
      sysroot: await makeSysroot(work),
      buildPython: options.buildPython ?? '/usr/bin/python3.11',
    };
    const driverFlags = expand(DRIVER_CFLAGS, paths);
    const units = [
      { src: join(paths.driver, 'driver.c'), obj: join(work, 'driver.o') },
      ...(await sharedCFiles())
        .filter((f) => f.path.endsWith('.c'))
        .map((f) => ({ src: f.path, obj: join(work, `${basename(f.path, '.c')}.o`) })),
    ];
    for (const u of units) await tool(clang, [...driverFlags, '-c', u.src, '-o', u.obj], `compile ${u.src}`);
    await tool(
      clang,
      [
        ...units.map((u) => u.obj),
        ...expand(LDFLAGS, paths),
        ...expand(LIBS, paths),
        '-o',
        join(options.outDir, 'python.wasm'),
      ],
      'link python.wasm',
    );

    const dirs = [join(options.libpython, 'Lib'), join(options.libpython, 'platlib'), paths.driver];
    const pack = join(paths.driver, 'pack_stdlib.py');
    await mkdir(join(options.outDir, dirname(STDLIB_ZIP)), { recursive: true });
    for (const [form, out, prefix] of [
      ['zip', STDLIB_ZIP, `${PYTHON_HOME}/${STDLIB_ZIP}`],
      ['tree', STDLIB_TREE, `${PYTHON_HOME}/lib/python3.11`],
    ] as const) {
      await tool(
        paths.buildPython,
        [pack, join(options.outDir, out), form, prefix, ...dirs, '--exclude', ...STDLIB_EXCLUDES],
        `pack the standard library (${form})`,
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Options of the key functions: the toolchain the build uses. */
export interface PythonToolchainOptions {
  clang?: string;
  buildPython?: string;
}

/**
 * What the interpreter's parts ({@link compileLibpython}) depend on besides the source tarballs:
 * flags, toolchain versions and libraries, the build python. Stable JSON, for cache keys.
 */
export async function libpythonBuildKey(options: PythonToolchainOptions = {}): Promise<string> {
  return JSON.stringify(
    await libpythonInputs(options.clang ?? 'clang', options.buildPython ?? '/usr/bin/python3.11'),
  );
}

/**
 * Everything the bytes of the runtime (`python.wasm` and the packed library) depend on besides the
 * source tarballs: {@link libpythonBuildKey} plus the driver files' sha256 and the link flags.
 */
export async function pythonBuildKey(options: PythonToolchainOptions = {}): Promise<string> {
  return JSON.stringify(
    await buildInputs(options.clang ?? 'clang', options.buildPython ?? '/usr/bin/python3.11'),
  );
}
