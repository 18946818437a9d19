import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import type { WasmRuntimeError } from '@wasm-runtime/errors';
import { defaultCacheDir } from './cache-dir.js';
import { debianPoolUrl, dscFileName, parseDscChecksums } from './debian.js';
import {
  ArtifactNotFoundError,
  ChecksumMismatchError,
  CorruptedCacheEntryError,
  DownloadTimeoutError,
  InvalidArtifactSourceError,
  MalformedResponseError,
  NetworkError,
  OfflineCacheMissError,
} from './errors.js';
import { unpackInto } from './extract.js';
import {
  type Digest,
  downloadToBuffer,
  downloadToFile,
  type FetchEvent,
  type TransferOptions,
} from './http.js';
import { isAlive, type LockOptions, withLock } from './lock.js';
import { type Mirror, mirrorUrls, parseMirrors, urlFileName } from './mirror.js';
import {
  extractPackageFile,
  NPM_REGISTRY,
  packumentUrl,
  parsePackument,
  readDist,
  tarballFileName,
} from './npm.js';
import {
  type ArtifactSource,
  checkSha256,
  type DebianSourceSource,
  describeSource,
  type NpmSource,
  validateSource,
} from './sources.js';

/** Default Debian archive roots for `debian-source` artifacts. */
export const DEBIAN_MIRRORS: readonly string[] = [
  'https://deb.debian.org/debian',
  'https://deb.debian.org/debian-security',
];

/** Configuration of an `ArtifactStore`. Every field has a default; environment variables are read once. */
export interface StoreOptions {
  /** Cache root. Default: `$WASM_RUNTIME_CACHE`, else the user cache directory (see `defaultCacheDir`). */
  cacheDir?: string;
  /** Never touch the network: a cache miss that no local mirror directory fills is an `OfflineCacheMissError`. */
  offline?: boolean;
  /**
   * Mirrors consulted before an artifact's own URLs, by file name and by `sha256/<hex>`: local
   * directories or HTTP(S) base URLs. Default: `$WASM_RUNTIME_MIRROR` (several separated by `;` or spaces).
   */
  mirrors?: readonly string[];
  /** npm registry. Default: `$npm_config_registry`, else `https://registry.npmjs.org/`. */
  registry?: string;
  /** Debian archive roots. Default: `$WASM_RUNTIME_DEBIAN_MIRROR`, else `DEBIAN_MIRRORS`. */
  debianMirrors?: readonly string[];
  /** Connect and idle timeout per request in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Extra attempts after a transient failure (default 3). */
  retries?: number;
  /** First backoff delay in milliseconds, doubled after each failure (default 500). */
  retryDelayMs?: number;
  /** How long to wait for another build holding the same lock (default 15 minutes). */
  lockTimeoutMs?: number;
  /** When a lock that is not refreshed counts as abandoned (default 30 s). */
  lockStaleMs?: number;
  /** Progress and cache events, for every fetch of this store. */
  onProgress?: (event: StoreEvent) => void;
  /** Environment to read defaults from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** Events of a store: transfer progress plus cache healing. */
export type StoreEvent =
  | FetchEvent
  | { type: 'cache-corrupted'; artifact: string; path: string; expected: string; actual: string };

/** Per-call options of `ArtifactStore.fetch`. */
export interface FetchOptions {
  signal?: AbortSignal;
  /** Receives this call's events (in addition to the store's `onProgress`). */
  onProgress?: (event: StoreEvent) => void;
}

/** A verified file in the cache. */
export interface FetchedArtifact {
  /** Absolute path of the cache entry (`<cache>/sha256/<hex>`). Treat it as read-only. */
  path: string;
  sha256: string;
  size: number;
  /** True when no byte was transferred (cache hit). */
  fromCache: boolean;
}

interface NpmRef {
  tarballSha256: string;
  files: Record<string, string>;
}

/** One way to get the bytes: a URL, or a URL found by a lookup (a `.dsc`) that may fail. */
interface Candidate {
  mirror: boolean;
  url: () => Promise<string>;
}

type Emit = (event: StoreEvent) => void;

/**
 * The content-addressed artifact cache. Entries live at `<cacheDir>/sha256/<hex>` and are
 * verified against their sha256 whenever they are read; a corrupted entry is removed and fetched
 * again. Writes are atomic (a temporary file in the same directory, then a rename) and guarded by
 * a lock file per key, so concurrent builds share one download.
 */
export class ArtifactStore {
  readonly cacheDir: string;
  readonly offline: boolean;
  readonly mirrors: readonly Mirror[];
  readonly registry: string;
  readonly debianMirrors: readonly string[];
  private readonly transferDefaults: Pick<TransferOptions, 'timeoutMs' | 'retries' | 'retryDelayMs'>;
  private readonly lockOptions: LockOptions;
  private readonly onProgress: ((event: StoreEvent) => void) | undefined;
  private readonly swept = new Set<string>();

  constructor(options: StoreOptions = {}) {
    const env = options.env ?? process.env;
    this.cacheDir = resolve(options.cacheDir ?? defaultCacheDir({ env }));
    this.offline = options.offline ?? false;
    this.mirrors = parseMirrors(options.mirrors ?? env['WASM_RUNTIME_MIRROR']);
    this.registry = options.registry ?? (env['npm_config_registry'] || NPM_REGISTRY);
    const debianEnv = env['WASM_RUNTIME_DEBIAN_MIRROR'];
    this.debianMirrors =
      options.debianMirrors ?? (debianEnv ? debianEnv.split(/[;\s]+/).filter(Boolean) : DEBIAN_MIRRORS);
    this.transferDefaults = {
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 3,
      retryDelayMs: options.retryDelayMs ?? 500,
    };
    this.lockOptions = {
      ...(options.lockTimeoutMs === undefined ? {} : { timeoutMs: options.lockTimeoutMs }),
      ...(options.lockStaleMs === undefined ? {} : { staleMs: options.lockStaleMs }),
    };
    this.onProgress = options.onProgress;
  }

  /** Where the entry with this sha256 lives (whether or not it is cached). */
  entryPath(sha256: string): string {
    checkSha256(sha256, 'cache entry');
    return join(this.cacheDir, 'sha256', sha256);
  }

  /**
   * The cached entry with this sha256, verified, or undefined. A corrupted entry is removed (and
   * reported as a `cache-corrupted` event) and counts as absent.
   */
  async lookup(sha256: string, options: FetchOptions = {}): Promise<FetchedArtifact | undefined> {
    const result = await this.readVerified(sha256, sha256, this.emitter(options));
    return result instanceof CorruptedCacheEntryError ? undefined : result;
  }

  /**
   * Returns the verified cache entry for `source`, downloading it first when it is not cached:
   * from the mirrors, then from the source's own locations, checking the pinned sha256 (and an
   * npm tarball's `dist.integrity`) before anything enters the cache.
   */
  async fetch(source: ArtifactSource, options: FetchOptions = {}): Promise<FetchedArtifact> {
    validateSource(source);
    const emit = this.emitter(options);
    switch (source.kind) {
      case 'url': {
        const urls = [source.url, ...(source.urls ?? [])];
        const names = source.name === undefined ? urls.map(urlFileName) : [source.name];
        const primary = urls
          .filter((url) => !this.offline || url.startsWith('file:'))
          .map((url): Candidate => ({ mirror: false, url: async () => url }));
        return this.fetchPinned(source, source.sha256, names, primary, options, emit, source.size);
      }
      case 'debian-source':
        return this.fetchPinned(
          source,
          source.sha256,
          [source.file],
          this.offline
            ? []
            : this.debianMirrors.map((root) => ({
                mirror: false,
                url: () => this.locateInDsc(source, root, options, emit),
              })),
          options,
          emit,
        );
      case 'npm':
        return this.fetchNpm(source, options, emit);
    }
  }

  /**
   * A directory built once per distinct `key` and then reused: `build` fills a fresh temporary
   * directory, which is renamed to `<cacheDir>/builds/<sha256 of key>` only when `build` resolves.
   * Under a lock, so concurrent callers with the same key run `build` once; a warm call does no
   * work. `key` must name every input of the build (source checksums, flags, tool versions).
   */
  async cachedBuild(
    key: readonly (string | Uint8Array)[],
    build: (directory: string) => Promise<void>,
    options: { signal?: AbortSignal } = {},
  ): Promise<string> {
    const hash = hashKey(key);
    const buildsDir = join(this.cacheDir, 'builds');
    const final = join(buildsDir, hash);
    if (await exists(final)) return final;
    return withLock(
      join(this.cacheDir, 'locks', `build-${hash}.lock`),
      async () => {
        if (await exists(final)) return final;
        await mkdir(buildsDir, { recursive: true });
        await this.sweepOnce(buildsDir);
        const temp = tempName(buildsDir);
        await mkdir(temp);
        try {
          options.signal?.throwIfAborted();
          await build(temp);
          try {
            await rename(temp, final);
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !(await exists(final))) throw error;
            await rm(temp, { recursive: true, force: true });
          }
        } catch (error) {
          await rm(temp, { recursive: true, force: true });
          throw error;
        }
        return final;
      },
      this.lockFor(options.signal),
    );
  }

  /**
   * The archive `artifact` (a `.tar` or `.tar.gz` from `fetch`) unpacked once into a cached
   * directory, like `cachedBuild` keyed by its sha256 and `strip`; entry checks as in `extract`.
   */
  async unpack(
    artifact: FetchedArtifact,
    options: { strip?: number; signal?: AbortSignal } = {},
  ): Promise<string> {
    const strip = options.strip ?? 0;
    return this.cachedBuild(
      ['unpack', artifact.sha256, String(strip)],
      (directory) => unpackInto(artifact.path, directory, strip),
      options.signal === undefined ? {} : { signal: options.signal },
    );
  }

  private async fetchPinned(
    source: ArtifactSource,
    sha256: string,
    names: readonly string[],
    primary: readonly Candidate[],
    options: FetchOptions,
    emit: Emit,
    size?: number,
  ): Promise<FetchedArtifact> {
    const artifact = describeSource(source);
    const cached = await this.readVerified(sha256, artifact, emit);
    if (!(cached instanceof CorruptedCacheEntryError) && cached !== undefined) return cached;
    return withLock(
      join(this.cacheDir, 'locks', `sha256-${sha256}.lock`),
      async () => {
        const again = await this.readVerified(sha256, artifact, emit);
        if (!(again instanceof CorruptedCacheEntryError) && again !== undefined) return again;
        const corrupted = cached ?? again;
        const candidates = [...this.mirrorCandidates(names, sha256), ...primary];
        const failures: { mirror: boolean; error: WasmRuntimeError }[] = [];
        for (const candidate of candidates) {
          try {
            const url = await candidate.url();
            return await this.download(url, artifact, options, emit, {
              sha256,
              ...(size === undefined ? {} : { size }),
            });
          } catch (error) {
            if (!isSkippable(error)) throw error;
            failures.push({ mirror: candidate.mirror, error });
          }
        }
        if (this.offline && !failures.some((failure) => !failure.mirror)) {
          if (corrupted !== undefined) throw corrupted;
          throw new OfflineCacheMissError(artifact, this.cacheDir);
        }
        throw pickFailure(failures, artifact);
      },
      this.lockFor(options.signal),
    );
  }

  private mirrorCandidates(names: readonly string[], sha256: string | undefined): Candidate[] {
    return this.mirrors
      .filter((mirror) => !this.offline || mirror.kind === 'directory')
      .flatMap((mirror) => mirrorUrls(mirror, names, sha256))
      .map((url) => ({ mirror: true, url: async () => url }));
  }

  /** Reads the `.dsc` in one archive root and returns the pool URL of the wanted file. */
  private async locateInDsc(
    source: DebianSourceSource,
    root: string,
    options: FetchOptions,
    emit: Emit,
  ): Promise<string> {
    const pool = debianPoolUrl(root, source.package);
    const dscUrl = new URL(encodeURIComponent(dscFileName(source.package, source.version)), pool).href;
    const body = await downloadToBuffer(dscUrl, {
      ...this.transfer(describeSource(source), options, emit),
      maxSize: 1 << 20,
    });
    const listed = parseDscChecksums(body.toString('utf8'));
    if (listed.size === 0) throw new MalformedResponseError(dscUrl, 'no Checksums-Sha256 field in the .dsc');
    const entry = listed.get(source.file);
    if (entry === undefined) {
      throw new ArtifactNotFoundError(
        dscUrl,
        `the .dsc does not list ${source.file}; it lists ${[...listed.keys()].join(', ')}`,
      );
    }
    if (entry.sha256 !== source.sha256) {
      throw new ChecksumMismatchError(
        `${dscUrl} (entry ${source.file})`,
        'sha256',
        source.sha256,
        entry.sha256,
      );
    }
    return new URL(encodeURIComponent(source.file), pool).href;
  }

  private async fetchNpm(source: NpmSource, options: FetchOptions, emit: Emit): Promise<FetchedArtifact> {
    const artifact = describeSource(source);
    if (source.sha256 !== undefined) {
      const cached = await this.readVerified(source.sha256, artifact, emit);
      if (cached !== undefined && !(cached instanceof CorruptedCacheEntryError)) return cached;
      // With a pin, a mirror can serve the file (or the tarball) without the registry.
      const name =
        source.path === undefined
          ? tarballFileName(source.package, source.version)
          : posix.basename(source.path);
      for (const candidate of this.mirrorCandidates([name], source.sha256)) {
        try {
          return await this.download(await candidate.url(), artifact, options, emit, {
            sha256: source.sha256,
          });
        } catch (error) {
          if (!isSkippable(error)) throw error;
        }
      }
    }
    const refPath = join(
      this.cacheDir,
      'refs',
      'npm',
      `${source.package.replace('/', '__')}@${source.version}.json`,
    );
    return withLock(
      `${join(this.cacheDir, 'locks', 'npm', source.package.replace('/', '__'))}@${source.version}.lock`,
      async () => {
        const ref = await readRef(refPath);
        if (source.path !== undefined && ref?.files[source.path] !== undefined) {
          const file = await this.readVerified(ref.files[source.path]!, artifact, emit);
          if (file !== undefined && !(file instanceof CorruptedCacheEntryError))
            return this.checkNpmPin(source, file);
        }
        let tarball =
          ref === undefined ? undefined : await this.readVerified(ref.tarballSha256, artifact, emit);
        if (tarball === undefined || tarball instanceof CorruptedCacheEntryError) {
          tarball = await this.downloadNpmTarball(source, artifact, options, emit);
        }
        const files = { ...(ref?.files ?? {}) };
        if (source.path === undefined) {
          await writeRef(refPath, { tarballSha256: tarball.sha256, files });
          return this.checkNpmPin(source, tarball);
        }
        const file = await this.extractToEntry(tarball.path, source, artifact);
        await writeRef(refPath, {
          tarballSha256: tarball.sha256,
          files: { ...files, [source.path]: file.sha256 },
        });
        return file;
      },
      this.lockFor(options.signal),
    );
  }

  private checkNpmPin(source: NpmSource, file: FetchedArtifact): FetchedArtifact {
    if (source.sha256 !== undefined && file.sha256 !== source.sha256) {
      throw new ChecksumMismatchError(describeSource(source), 'sha256', source.sha256, file.sha256);
    }
    return file;
  }

  private async downloadNpmTarball(
    source: NpmSource,
    artifact: string,
    options: FetchOptions,
    emit: Emit,
  ): Promise<FetchedArtifact> {
    const tarballPin = source.path === undefined ? source.sha256 : undefined;
    if (this.offline) throw new OfflineCacheMissError(artifact, this.cacheDir);
    const url = packumentUrl(this.registry, source.package);
    const body = await downloadToBuffer(url, {
      ...this.transfer(artifact, options, emit),
      headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' },
    });
    const dist = readDist(parsePackument(body, url), source.version);
    if (dist === undefined) {
      throw new ArtifactNotFoundError(
        url,
        `version ${source.version} of ${source.package} is not in the registry`,
      );
    }
    if (dist.sha512.length === 0 && tarballPin === undefined) {
      throw new MalformedResponseError(
        url,
        `${source.package}@${source.version} has no sha512 dist.integrity; pin the tarball's sha256 in the source`,
      );
    }
    return this.download(dist.tarball, artifact, options, emit, {
      ...(tarballPin === undefined ? {} : { sha256: tarballPin }),
      ...(dist.sha512.length === 0 ? {} : { sha512: dist.sha512 }),
    });
  }

  private async extractToEntry(
    tarball: string,
    source: NpmSource,
    artifact: string,
  ): Promise<FetchedArtifact> {
    const dir = join(this.cacheDir, 'sha256');
    const temp = tempName(dir);
    try {
      const file = await extractPackageFile(tarball, source.path!, temp);
      if (file === undefined) {
        throw new ArtifactNotFoundError(
          artifact,
          `the package ${source.package}@${source.version} has no file ${source.path}`,
        );
      }
      if (source.sha256 !== undefined && file.sha256 !== source.sha256) {
        throw new ChecksumMismatchError(artifact, 'sha256', source.sha256, file.sha256);
      }
      await rename(temp, join(dir, file.sha256));
      return { path: join(dir, file.sha256), sha256: file.sha256, size: file.size, fromCache: false };
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  /**
   * Downloads `url` into a temporary file next to the cache entries and renames it into place
   * only when its checksums are right. The temporary file never survives a failure.
   */
  private async download(
    url: string,
    artifact: string,
    options: FetchOptions,
    emit: Emit,
    expected: { sha256?: string; sha512?: readonly string[]; size?: number },
  ): Promise<FetchedArtifact> {
    const dir = join(this.cacheDir, 'sha256');
    await mkdir(dir, { recursive: true });
    await this.sweepOnce(dir);
    const temp = tempName(dir);
    try {
      const digest: Digest = await downloadToFile(url, temp, {
        ...this.transfer(artifact, options, emit),
        sha512: expected.sha512 !== undefined,
        ...(expected.size === undefined ? {} : { maxSize: expected.size, expectedSize: expected.size }),
      });
      if (expected.sha512 !== undefined && !expected.sha512.includes(digest.sha512 ?? '')) {
        throw new ChecksumMismatchError(url, 'sha512', expected.sha512.join(' or '), digest.sha512 ?? '');
      }
      if (expected.sha256 !== undefined && digest.sha256 !== expected.sha256) {
        throw new ChecksumMismatchError(url, 'sha256', expected.sha256, digest.sha256);
      }
      if (expected.size !== undefined && digest.size !== expected.size) {
        throw new ChecksumMismatchError(
          url,
          'sha256',
          `${expected.sha256} (${expected.size} bytes)`,
          `${digest.sha256} (${digest.size} bytes)`,
        );
      }
      const final = join(dir, digest.sha256);
      await rename(temp, final);
      return { path: final, sha256: digest.sha256, size: digest.size, fromCache: false };
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  /** The verified entry, undefined when absent, or the (already removed) corruption it found. */
  private async readVerified(
    sha256: string,
    artifact: string,
    emit: Emit,
  ): Promise<FetchedArtifact | CorruptedCacheEntryError | undefined> {
    const path = this.entryPath(sha256);
    let actual: string;
    let size: number;
    try {
      ({ sha256: actual, size } = await hashFile(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    if (actual !== sha256) {
      await unlink(path).catch(() => {});
      emit({ type: 'cache-corrupted', artifact, path, expected: sha256, actual });
      return new CorruptedCacheEntryError(path, sha256, actual);
    }
    emit({ type: 'cache-hit', artifact, path });
    return { path, sha256, size, fromCache: true };
  }

  private async sweepOnce(dir: string): Promise<void> {
    if (this.swept.has(dir)) return;
    this.swept.add(dir);
    await sweepAbandoned(dir);
  }

  private transfer(artifact: string, options: FetchOptions, emit: Emit): TransferOptions {
    return { ...this.transferDefaults, artifact, onProgress: emit, signal: options.signal };
  }

  private lockFor(signal: AbortSignal | undefined): LockOptions {
    return { ...this.lockOptions, ...(signal === undefined ? {} : { signal }) };
  }

  private emitter(options: FetchOptions): Emit {
    const store = this.onProgress;
    const call = options.onProgress;
    return (event) => {
      store?.(event);
      call?.(event);
    };
  }
}

function isSkippable(error: unknown): error is WasmRuntimeError {
  return (
    error instanceof ArtifactNotFoundError ||
    error instanceof ChecksumMismatchError ||
    error instanceof NetworkError ||
    error instanceof DownloadTimeoutError ||
    error instanceof MalformedResponseError
  );
}

/** The most telling failure: one of the artifact's own URLs rather than a mirror, not a 404 if anything else failed. */
function pickFailure(
  failures: readonly { mirror: boolean; error: WasmRuntimeError }[],
  artifact: string,
): WasmRuntimeError {
  const own = failures.filter((failure) => !failure.mirror);
  const pool = own.length > 0 ? own : failures;
  const telling = pool.find((failure) => !(failure.error instanceof ArtifactNotFoundError)) ?? pool[0];
  if (telling === undefined)
    throw new InvalidArtifactSourceError(`${artifact}: no location to fetch it from`);
  return telling.error;
}

async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Temporary files and directories older than this whose process is gone are debris of a crash. */
const ABANDONED_MS = 60 * 60_000;

/**
 * Removes what a killed process left behind in `dir`: `.tmp-<pid>-*` entries of a process that no
 * longer runs, untouched for an hour (a crash cannot run cleanup code, so someone else must).
 */
async function sweepAbandoned(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^\.tmp-(\d+)-/.exec(name);
    if (match === null || isAlive(Number(match[1]))) continue;
    const path = join(dir, name);
    const stats = await stat(path).catch(() => undefined);
    if (stats !== undefined && Date.now() - stats.mtimeMs > ABANDONED_MS) {
      await rm(path, { recursive: true, force: true });
    }
  }
}

function tempName(dir: string): string {
  return join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
}

function hashKey(key: readonly (string | Uint8Array)[]): string {
  const hash = createHash('sha256');
  for (const part of key) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    const header = Buffer.alloc(9);
    header[0] = typeof part === 'string' ? 0x73 : 0x62;
    header.writeBigUInt64BE(BigInt(bytes.length), 1);
    hash.update(header).update(bytes);
  }
  return hash.digest('hex');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function readRef(path: string): Promise<NpmRef | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<NpmRef>;
    if (typeof parsed.tarballSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.tarballSha256))
      return undefined;
    return { tarballSha256: parsed.tarballSha256, files: { ...(parsed.files ?? {}) } };
  } catch {
    return undefined;
  }
}

async function writeRef(path: string, ref: NpmRef): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temp, JSON.stringify(ref, null, 2));
    await rename(temp, path);
  } finally {
    await unlink(temp).catch(() => {});
  }
}
