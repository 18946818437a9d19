import { ArtifactStore, type FetchOptions, type UrlSource } from '@wasm-runtime/pipeline';

/**
 * The pinned CPython 3.11.2 source, as an artifact of the pipeline's store: python.org's release
 * tarball, byte-identical to Debian's `python3.11_3.11.2.orig.tar.gz` (the pristine upstream
 * tarball, before Debian's patches), so one sha256 serves both URLs. A local mirror
 * (`WASM_RUNTIME_MIRROR`) is consulted first, by the name `Python-3.11.2.tgz` and by `sha256/<hex>`.
 */
export const PYTHON_SOURCE = {
  kind: 'url',
  url: 'https://www.python.org/ftp/python/3.11.2/Python-3.11.2.tgz',
  urls: ['http://deb.debian.org/debian/pool/main/p/python3.11/python3.11_3.11.2.orig.tar.gz'],
  sha256: '2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849',
  size: 26437858,
  name: 'Python-3.11.2.tgz',
} as const satisfies UrlSource;

/** The top-level directory the CPython tarball unpacks to. */
export const PYTHON_SOURCE_ROOT = 'Python-3.11.2';

/**
 * The pinned zlib 1.2.13 source: Debian's `zlib_1.2.13.dfsg.orig.tar.bz2` (zlib.net's release
 * repacked by Debian without the non-free contrib files, so its sha256 is Debian's own; there is
 * no upstream URL with these bytes).
 */
export const ZLIB_SOURCE = {
  kind: 'url',
  url: 'http://deb.debian.org/debian/pool/main/z/zlib/zlib_1.2.13.dfsg.orig.tar.bz2',
  sha256: '71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1',
  size: 1239825,
  name: 'zlib_1.2.13.dfsg.orig.tar.bz2',
} as const satisfies UrlSource;

/** The top-level directory the zlib tarball unpacks to. */
export const ZLIB_SOURCE_ROOT = 'zlib-1.2.13.dfsg';

/** Options of {@link fetchPythonSources}. */
export interface FetchPythonSourcesOptions extends FetchOptions {
  /** The artifact store; default `new ArtifactStore()` (its cache, mirrors and offline mode). */
  store?: ArtifactStore;
}

/**
 * Returns the paths of the verified CPython and zlib source tarballs in the artifact store,
 * fetching them on first use. Failures are the store's typed errors (`ERR_ARTIFACT_OFFLINE_MISS`,
 * a checksum mismatch, a network error).
 */
export async function fetchPythonSources(
  options: FetchPythonSourcesOptions = {},
): Promise<{ python: string; zlib: string }> {
  const { store = new ArtifactStore(), ...fetchOptions } = options;
  return {
    python: (await store.fetch(PYTHON_SOURCE, fetchOptions)).path,
    zlib: (await store.fetch(ZLIB_SOURCE, fetchOptions)).path,
  };
}
