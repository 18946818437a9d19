import { WasmRuntimeError } from '@wasm-runtime/errors';

/**
 * Bytes received for an artifact do not have the pinned checksum. Nothing was written to the
 * cache. `algorithm` is `sha256` for pinned artifacts and `sha512` for an npm tarball's
 * `dist.integrity`.
 */
export class ChecksumMismatchError extends WasmRuntimeError {
  readonly url: string;
  readonly algorithm: 'sha256' | 'sha512';
  readonly expected: string;
  readonly actual: string;

  constructor(url: string, algorithm: 'sha256' | 'sha512', expected: string, actual: string) {
    super(
      'ERR_ARTIFACT_CHECKSUM_MISMATCH',
      `checksum mismatch for ${url}: expected ${algorithm} ${expected}, got ${actual}. ` +
        'The file was not cached. If the pin is right, the server or mirror serves a different file ' +
        '(check the URL, or remove the bad file from the mirror); if the artifact was deliberately ' +
        'updated, update the pinned checksum in the recipe.',
    );
    this.url = url;
    this.algorithm = algorithm;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The server answered 404/410 (or a registry/.dsc does not list the requested item). Never retried. */
export class ArtifactNotFoundError extends WasmRuntimeError {
  readonly url: string;
  readonly status: number | undefined;

  constructor(url: string, detail: string, status?: number) {
    super(
      'ERR_ARTIFACT_NOT_FOUND',
      `artifact not found: ${url} (${detail}). Check the URL, package name and version in the recipe, ` +
        'or provide the file through a mirror (WASM_RUNTIME_MIRROR).',
    );
    this.url = url;
    this.status = status;
  }
}

/**
 * The download failed for a network reason (connection refused or reset, body cut short, an
 * HTTP 5xx/429) and still failed after the configured retries.
 */
export class NetworkError extends WasmRuntimeError {
  readonly url: string;
  readonly status: number | undefined;
  readonly attempts: number;

  constructor(url: string, detail: string, attempts: number, options?: { status?: number; cause?: unknown }) {
    super(
      'ERR_ARTIFACT_NETWORK',
      `download of ${url} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${detail}. ` +
        'Check the network connection, or set WASM_RUNTIME_MIRROR to a local directory or HTTP mirror ' +
        'that holds the file.',
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.url = url;
    this.status = options?.status;
    this.attempts = attempts;
  }
}

/** No byte arrived for `seconds` while connecting or reading the body (after the configured retries). */
export class DownloadTimeoutError extends WasmRuntimeError {
  readonly url: string;
  readonly seconds: number;
  readonly attempts: number;

  constructor(url: string, seconds: number, attempts: number) {
    super(
      'ERR_ARTIFACT_TIMEOUT',
      `download of ${url} timed out: no data for ${seconds} s (${attempts} attempt${attempts === 1 ? '' : 's'}). ` +
        'The server stalled; retry later, raise the timeout (timeoutMs option), or use a mirror ' +
        '(WASM_RUNTIME_MIRROR).',
    );
    this.url = url;
    this.seconds = seconds;
    this.attempts = attempts;
  }
}

/** Offline mode and the artifact is neither in the cache nor in a local mirror directory. */
export class OfflineCacheMissError extends WasmRuntimeError {
  readonly artifact: string;

  constructor(artifact: string, cacheDir: string) {
    super(
      'ERR_ARTIFACT_OFFLINE_MISS',
      `offline: ${artifact} is not in the cache (${cacheDir}). Run the same command once without ` +
        '--offline to populate the cache, or set WASM_RUNTIME_MIRROR to a local directory holding the file.',
    );
    this.artifact = artifact;
  }
}

/**
 * A cache entry's bytes no longer match the sha256 it is stored under. The store removes the entry
 * and fetches it again by itself, so users normally see this only as the `cause` of a later error
 * or in offline mode.
 */
export class CorruptedCacheEntryError extends WasmRuntimeError {
  readonly path: string;
  readonly expected: string;
  readonly actual: string;

  constructor(path: string, expected: string, actual: string) {
    super(
      'ERR_CACHE_CORRUPTED',
      `corrupted cache entry ${path}: expected sha256 ${expected}, got ${actual}. The entry was removed; ` +
        'fetch again (online, or with a mirror) to restore it.',
    );
    this.path = path;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Another build held a cache lock for longer than the wait timeout. */
export class LockTimeoutError extends WasmRuntimeError {
  readonly lockPath: string;
  readonly seconds: number;

  constructor(lockPath: string, seconds: number, holder: string) {
    super(
      'ERR_CACHE_LOCK_TIMEOUT',
      `timed out after ${seconds} s waiting for the cache lock ${lockPath} (held by ${holder}). ` +
        'Another build is fetching the same artifact; wait for it to finish, or if no other build is ' +
        'running, delete the lock file.',
    );
    this.lockPath = lockPath;
    this.seconds = seconds;
  }
}

/** An archive entry would land outside the extraction directory (`..`, absolute path, escaping link). */
export class UnsafeArchiveEntryError extends WasmRuntimeError {
  readonly entry: string;
  readonly archive: string;

  constructor(archive: string, entry: string, reason: string) {
    super(
      'ERR_ARCHIVE_UNSAFE_ENTRY',
      `refusing to extract ${archive}: entry "${entry}" ${reason}. Nothing was extracted; the archive is ` +
        'either broken or malicious: check where it came from.',
    );
    this.entry = entry;
    this.archive = archive;
  }
}

/** The bytes are not a tar (or gzip-compressed tar) archive this reader understands. */
export class MalformedArchiveError extends WasmRuntimeError {
  readonly archive: string;
  readonly offset: number;

  constructor(archive: string, offset: number, detail: string, options?: { cause?: unknown }) {
    super(
      'ERR_ARCHIVE_MALFORMED',
      `malformed archive ${archive} at byte ${offset}: ${detail}. Check that the file is a .tar or .tar.gz.`,
      options,
    );
    this.archive = archive;
    this.offset = offset;
  }
}

/** An artifact source or store option is invalid (bad checksum format, unsafe path, unknown kind). */
export class InvalidArtifactSourceError extends WasmRuntimeError {
  constructor(message: string) {
    super('ERR_ARTIFACT_SOURCE_INVALID', message);
  }
}

/** A registry or mirror answered, but not with what the protocol promises (bad JSON, bad `.dsc`). */
export class MalformedResponseError extends WasmRuntimeError {
  readonly url: string;

  constructor(url: string, detail: string, options?: { cause?: unknown }) {
    super(
      'ERR_ARTIFACT_BAD_RESPONSE',
      `unexpected response from ${url}: ${detail}. Check that the registry or mirror URL is right ` +
        '(npm_config_registry, WASM_RUNTIME_DEBIAN_MIRROR).',
      options,
    );
    this.url = url;
  }
}
