export { type CacheDirContext, defaultCacheDir } from './cache-dir.js';
export {
  ArtifactNotFoundError,
  ChecksumMismatchError,
  CorruptedCacheEntryError,
  DownloadTimeoutError,
  InvalidArtifactSourceError,
  LockTimeoutError,
  MalformedArchiveError,
  MalformedResponseError,
  NetworkError,
  OfflineCacheMissError,
  UnsafeArchiveEntryError,
} from './errors.js';
export { type ExtractOptions, extract } from './extract.js';
export type { FetchEvent } from './http.js';
export { type LockOptions, withLock } from './lock.js';
export {
  type ArtifactSource,
  type DebianSourceSource,
  describeSource,
  type NpmSource,
  type UrlSource,
  validateSource,
} from './sources.js';
export {
  ArtifactStore,
  DEBIAN_MIRRORS,
  type FetchedArtifact,
  type FetchOptions,
  type StoreEvent,
  type StoreOptions,
} from './store.js';
export { readTar, type TarEntry, type TarInput, writeTar } from './tar.js';
