import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LuaSourceError } from './errors.js';

/** A source artifact pinned by content: any of its URLs may serve it, only these bytes are accepted. */
export interface PinnedSource {
  /** File name to store it under. */
  readonly fileName: string;
  /** Lowercase hex sha256 of the file. */
  readonly sha256: string;
  /** Size in bytes, for messages. */
  readonly size: number;
  /** Where to download it from, tried in order. */
  readonly urls: readonly string[];
  /** The top-level directory the tarball unpacks to. */
  readonly rootDir: string;
}

/**
 * The pinned Lua 5.4.4 source: lua.org's release tarball, byte-identical to Debian's
 * `lua5.4_5.4.4.orig.tar.gz` (the pristine upstream tarball, before Debian's patches).
 */
export const LUA_SOURCE: PinnedSource = {
  fileName: 'lua-5.4.4.tar.gz',
  sha256: '164c7849653b80ae67bec4b7473b884bf5cc8d2dca05653475ec2ed27b9ebf61',
  size: 360876,
  urls: [
    'https://www.lua.org/ftp/lua-5.4.4.tar.gz',
    'http://deb.debian.org/debian/pool/main/l/lua5.4/lua5.4_5.4.4.orig.tar.gz',
  ],
  rootDir: 'lua-5.4.4',
};

/** Environment variable naming a local copy of the Lua tarball (still checked against the pin). */
export const LUA_SOURCE_ENV = 'WASM_RUNTIME_LUA_SOURCE';

/** Options of {@link fetchLuaSource}. */
export interface FetchSourceOptions {
  /** Cache root; default `$WASM_RUNTIME_CACHE_DIR`, else `$XDG_CACHE_HOME/wasm-runtime`, else `~/.cache/wasm-runtime`. */
  cacheDir?: string;
  /** A local copy of the tarball to use instead of downloading; default `$WASM_RUNTIME_LUA_SOURCE`. */
  localPath?: string;
  /** The fetch implementation (tests pass one); default the global `fetch`. */
  fetch?: typeof fetch;
  /** Give up on one URL after this many milliseconds and try the next; default 60,000. */
  timeoutMs?: number;
}

/** The cache root used when no `cacheDir` is given. */
export function defaultCacheDir(): string {
  const explicit = process.env['WASM_RUNTIME_CACHE_DIR'];
  if (explicit) return resolve(explicit);
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'wasm-runtime');
}

/** Lowercase hex sha256 of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Returns the path of a verified copy of `source`: the local override if given, else the cached
 * copy, else the first URL that serves the pinned bytes (stored in the cache under its sha256).
 */
export async function fetchPinnedSource(
  source: PinnedSource,
  options: FetchSourceOptions = {},
): Promise<string> {
  const localPath = options.localPath ?? process.env[LUA_SOURCE_ENV];
  if (localPath) {
    const bytes = await readFile(localPath).catch((cause: unknown) => {
      throw new LuaSourceError(
        'ERR_LUA_SOURCE_UNAVAILABLE',
        `cannot read the local source ${localPath} (from the localPath option or $${LUA_SOURCE_ENV}): ${String(cause)}`,
        { cause },
      );
    });
    checkBytes(source, bytes, localPath);
    return resolve(localPath);
  }

  const cached = join(options.cacheDir ?? defaultCacheDir(), 'sources', source.sha256, source.fileName);
  const existing = await readFile(cached).catch(() => undefined);
  if (existing !== undefined && sha256Hex(existing) === source.sha256) return cached;

  const doFetch = options.fetch ?? fetch;
  const failures: string[] = [];
  for (const url of source.urls) {
    let bytes: Uint8Array;
    try {
      const response = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
      if (!response.ok) {
        failures.push(`${url}: HTTP ${response.status}`);
        continue;
      }
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (cause) {
      failures.push(
        `${url}: ${cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : String(cause)}`,
      );
      continue;
    }
    const actual = sha256Hex(bytes);
    if (actual !== source.sha256) {
      failures.push(`${url}: sha256 ${actual} does not match the pinned ${source.sha256}`);
      continue;
    }
    await mkdir(dirname(cached), { recursive: true });
    const partial = `${cached}.${process.pid}.partial`;
    try {
      await writeFile(partial, bytes);
      await rename(partial, cached);
    } finally {
      await rm(partial, { force: true });
    }
    return cached;
  }
  const checksum = failures.every((f) => f.includes('does not match'));
  throw new LuaSourceError(
    checksum ? 'ERR_LUA_SOURCE_CHECKSUM' : 'ERR_LUA_SOURCE_UNAVAILABLE',
    `cannot obtain ${source.fileName} (sha256 ${source.sha256}):\n  ${failures.join('\n  ')}\n` +
      `Download it by other means and set $${LUA_SOURCE_ENV} to its path.`,
  );
}

function checkBytes(source: PinnedSource, bytes: Uint8Array, where: string): void {
  const actual = sha256Hex(bytes);
  if (actual !== source.sha256) {
    throw new LuaSourceError(
      'ERR_LUA_SOURCE_CHECKSUM',
      `${where} has sha256 ${actual}, not the pinned ${source.sha256} of ${source.fileName}: use the pristine upstream tarball`,
    );
  }
}

/**
 * Returns the path of the verified Lua 5.4.4 source tarball, downloading it into the cache on
 * first use. (The pipeline's artifact store will take this over; callers only rely on this one
 * function.)
 */
export function fetchLuaSource(options: FetchSourceOptions = {}): Promise<string> {
  return fetchPinnedSource(LUA_SOURCE, options);
}
