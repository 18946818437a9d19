import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { ArtifactStore } from '@wasm-runtime/pipeline';
import { inject } from 'vitest';
import { createLuaInstance, LUA_EXPORTS, type LuaInstance } from '../src/index.js';

/** Absolute path of a fixture app under test/fixtures/apps. */
export function appDir(name: string): string {
  return fileURLToPath(new URL(`./fixtures/apps/${name}/`, import.meta.url));
}

let compiled: Promise<WebAssembly.Module> | undefined;
/** The lua.wasm the global setup built, compiled once per test file. */
export function luaModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(inject('luaWasm')).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  app: string;
  args?: string[];
  env?: Record<string, string>;
  stdin?: string;
  /** More preopens, guest path to host directory (after `/app`). */
  dirs?: Record<string, string>;
  /** `split`: _initialize, wizer-initialize, wasm-runtime.run (the snapshot flow); `main`: wasm-runtime.main. */
  entry?: 'split' | 'main';
}

/** Runs the module as a command under node:wasi, with stdio through temporary files. */
export async function runCommand(options: CommandOptions): Promise<CommandResult> {
  const module = await luaModule();
  const dir = mkdtempSync(join(tmpdir(), 'lua-run-'));
  writeFileSync(join(dir, 'stdin'), options.stdin ?? '');
  const fds = [
    openSync(join(dir, 'stdin'), 'r'),
    openSync(join(dir, 'stdout'), 'w'),
    openSync(join(dir, 'stderr'), 'w'),
  ];
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: ['app', ...(options.args ?? [])],
      env: options.env ?? {},
      preopens: { '/app': options.app, ...options.dirs },
      returnOnExit: true,
      stdin: fds[0],
      stdout: fds[1],
      stderr: fds[2],
    });
    const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
    const ex = instance.exports as Record<string, () => void> & { memory: WebAssembly.Memory };
    // node:wasi's start() wants a command module; the driver's command path lives in a reactor.
    const start =
      options.entry === 'main'
        ? () => {
            ex['_initialize']!();
            ex[LUA_EXPORTS.main]!();
          }
        : () => {
            ex['_initialize']!();
            ex[LUA_EXPORTS.init]!();
            ex[LUA_EXPORTS.run]!();
          };
    let code: number;
    try {
      code =
        wasi.start({ exports: { memory: ex.memory, _start: start } } as unknown as WebAssembly.Instance) ?? 0;
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    return {
      code,
      stdout: readFileSync(join(dir, 'stdout'), 'utf8'),
      stderr: readFileSync(join(dir, 'stderr'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ReactorOptions {
  app: string;
  env?: Record<string, string>;
  /** When set, WASI random_get fills buffers with this byte pattern instead of real randomness. */
  randomByte?: number;
}

/** A reactor instance of the app under node:wasi, initialized. */
export async function createReactor(options: ReactorOptions): Promise<LuaInstance> {
  const wasi = new WASI({
    version: 'preview1',
    args: ['app'],
    env: options.env ?? {},
    preopens: { '/app': options.app },
  });
  let memory: WebAssembly.Memory | undefined;
  const wasiImport: Record<string, unknown> = { ...wasi.wasiImport };
  if (options.randomByte !== undefined) {
    const byte = options.randomByte;
    wasiImport['random_get'] = (ptr: number, len: number) => {
      const view = new Uint8Array(memory!.buffer, ptr, len);
      for (let i = 0; i < len; i++) view[i] = (byte + i) & 0xff;
      return 0;
    };
  }
  return createLuaInstance({
    module: await luaModule(),
    imports: { wasi_snapshot_preview1: wasiImport as WebAssembly.ModuleImports },
    start: (instance) => {
      memory = instance.exports['memory'] as WebAssembly.Memory;
      wasi.initialize(instance);
    },
  });
}

/** The artifact store of the tests: offline, with the local mirror of pinned sources. */
export function testStore(options: { cacheDir?: string } = {}): ArtifactStore {
  return new ArtifactStore({
    offline: true,
    mirrors: [inject('mirror')],
    cacheDir: options.cacheDir ?? inject('cacheDir'),
  });
}

/** A fresh temporary directory and its removal. */
export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
