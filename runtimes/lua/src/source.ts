import { ArtifactStore, type FetchOptions, type UrlSource } from '@wasm-runtime/pipeline';

/**
 * The pinned Lua 5.4.4 source, as an artifact of the pipeline's store: lua.org's release tarball,
 * byte-identical to Debian's `lua5.4_5.4.4.orig.tar.gz` (the pristine upstream tarball, before
 * Debian's patches), so one sha256 serves both URLs. A local mirror (`WASM_RUNTIME_MIRROR`) is
 * consulted first, by the name `lua-5.4.4.tar.gz` and by `sha256/<hex>`.
 */
export const LUA_SOURCE = {
  kind: 'url',
  url: 'https://www.lua.org/ftp/lua-5.4.4.tar.gz',
  urls: ['http://deb.debian.org/debian/pool/main/l/lua5.4/lua5.4_5.4.4.orig.tar.gz'],
  sha256: '164c7849653b80ae67bec4b7473b884bf5cc8d2dca05653475ec2ed27b9ebf61',
  size: 360876,
  name: 'lua-5.4.4.tar.gz',
} as const satisfies UrlSource;

/** The top-level directory the Lua tarball unpacks to. */
export const LUA_SOURCE_ROOT = 'lua-5.4.4';

/** Options of {@link fetchLuaSource}. */
export interface FetchLuaSourceOptions extends FetchOptions {
  /** The artifact store; default `new ArtifactStore()` (its cache, mirrors and offline mode). */
  store?: ArtifactStore;
}

/**
 * Returns the path of the verified Lua 5.4.4 source tarball in the artifact store, fetching it on
 * first use (a mirror, then lua.org, then Debian's pool). Failures are the store's typed errors
 * (`ERR_ARTIFACT_OFFLINE_MISS`, a checksum mismatch, a network error).
 */
export async function fetchLuaSource(options: FetchLuaSourceOptions = {}): Promise<string> {
  const { store = new ArtifactStore(), ...fetchOptions } = options;
  return (await store.fetch(LUA_SOURCE, fetchOptions)).path;
}
