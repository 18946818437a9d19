export {
  InvalidOutputError,
  NotPreinitializedError,
  PairMismatchError,
  SplitManifestError,
  TableStateError,
  UnsplittableError,
} from './errors.js';
export { type JoinOptions, join } from './join.js';
export {
  defaultEngineCache,
  EngineCache,
  type LinkedPair,
  type LinkOptions,
  link,
  linkSync,
} from './link.js';
export {
  APP_IMPORT_MODULE,
  checkSplitManifest,
  ENGINE_HASH_PREFIX_LENGTH,
  engineFileName,
  MANIFEST_FORMAT,
  type ManifestImport,
  type ManifestTables,
  type RuntimeIdentity,
  type SplitManifest,
} from './manifest.js';
export { sha256Hex } from './sha256.js';
export {
  DEFAULT_INIT_EXPORTS,
  globalImportName,
  memoryImportName,
  type SplitOptions,
  type SplitResult,
  split,
} from './split.js';
