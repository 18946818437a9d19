import { InvalidArtifactSourceError } from './errors.js';

/**
 * A file downloaded from one or more URLs, all serving the same bytes. `url` is tried first, then
 * each of `urls` in order (for example upstream's tarball, then Debian's pool copy of the same
 * file). Every candidate is checked against `sha256`.
 */
export interface UrlSource {
  kind: 'url';
  /** The primary location (`https:`, `http:` or `file:`). */
  url: string;
  /** Fallback locations serving the same bytes, tried in order after `url`. */
  urls?: readonly string[];
  /** Lowercase hex sha256 of the file: the cache key. */
  sha256: string;
  /** Expected size in bytes, when known: a wrong size is refused before hashing. */
  size?: number;
  /** File name used for mirror lookups; defaults to the last path segment of each URL. */
  name?: string;
}

/**
 * A package published on the npm registry (`https://registry.npmjs.org`, or `$npm_config_registry`,
 * or the `registry` option). The tarball is checked against the packument's `dist.integrity`
 * (sha512). With `path`, the result is that one file of the package (relative to the package root,
 * e.g. `dist/ruby+stdlib.wasm`); without it, the `.tgz` itself.
 */
export interface NpmSource {
  kind: 'npm';
  /** Package name, scoped or not: `@ruby/3.4-wasm-wasi`. */
  package: string;
  /** Exact version: `2.10.1` (ranges and tags are refused: builds must be reproducible). */
  version: string;
  /** A file inside the package to return instead of the tarball. */
  path?: string;
  /**
   * Optional extra pin: sha256 of the file at `path`, or of the tarball when there is no `path`.
   * With it, a cached or mirrored copy is found without the registry.
   */
  sha256?: string;
}

/**
 * A file of a Debian source package, such as the pristine upstream tarball
 * `lua5.4_5.4.4.orig.tar.gz`. The store reads the package's `.dsc` from the pool of a Debian mirror
 * (`https://deb.debian.org/debian`, or `$WASM_RUNTIME_DEBIAN_MIRROR`, or the `debianMirrors`
 * option), checks that it lists `file` with the same sha256 as the pin, then downloads `file` from
 * the same pool directory and checks it against `sha256`.
 */
export interface DebianSourceSource {
  kind: 'debian-source';
  /** Source package name: `lua5.4`, `python3.11`. */
  package: string;
  /** Debian version, with revision: `5.4.4-3+deb12u1`. */
  version: string;
  /** A file listed in the `.dsc`: `lua5.4_5.4.4.orig.tar.gz`. */
  file: string;
  /** Lowercase hex sha256 of `file`. */
  sha256: string;
}

/** Where an artifact comes from. Discriminated on `kind`. */
export type ArtifactSource = UrlSource | NpmSource | DebianSourceSource;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Throws `InvalidArtifactSourceError` unless `value` is 64 lowercase hex digits. */
export function checkSha256(value: string, what: string): void {
  if (!SHA256_HEX.test(value)) {
    throw new InvalidArtifactSourceError(`${what}: sha256 must be 64 lowercase hex digits, got "${value}"`);
  }
}

/** A one-line human description of a source, used in error messages and progress events. */
export function describeSource(source: ArtifactSource): string {
  switch (source.kind) {
    case 'url':
      return `${source.url} (sha256 ${source.sha256.slice(0, 12)}…)`;
    case 'npm':
      return `npm ${source.package}@${source.version}${source.path === undefined ? '' : `/${source.path}`}`;
    case 'debian-source':
      return `Debian source ${source.package} ${source.version}: ${source.file}`;
  }
}

/** Validates a source's fields, throwing `InvalidArtifactSourceError` with the offending field. */
export function validateSource(source: ArtifactSource): void {
  const what = describeSource(source);
  switch (source.kind) {
    case 'url':
      checkSha256(source.sha256, what);
      for (const url of [source.url, ...(source.urls ?? [])]) {
        let parsed: URL;
        try {
          parsed = new URL(url);
        } catch {
          throw new InvalidArtifactSourceError(`${what}: "${url}" is not a valid URL`);
        }
        if (!['http:', 'https:', 'file:'].includes(parsed.protocol)) {
          throw new InvalidArtifactSourceError(
            `${what}: unsupported URL scheme ${parsed.protocol} (use https:, http: or file:)`,
          );
        }
      }
      return;
    case 'npm':
      if (source.sha256 !== undefined) checkSha256(source.sha256, what);
      if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(source.package)) {
        throw new InvalidArtifactSourceError(`${what}: "${source.package}" is not a valid npm package name`);
      }
      if (!/^\d+\.\d+\.\d+(?:[-+][\w.+-]*)?$/.test(source.version)) {
        throw new InvalidArtifactSourceError(
          `${what}: version must be exact (like 1.2.3), got "${source.version}"`,
        );
      }
      if (source.path !== undefined) checkRelativePath(source.path, what);
      return;
    case 'debian-source':
      checkSha256(source.sha256, what);
      if (!/^[a-z0-9][a-z0-9+.-]+$/.test(source.package)) {
        throw new InvalidArtifactSourceError(
          `${what}: "${source.package}" is not a Debian source package name`,
        );
      }
      if (!/^[\w.+:~-]+$/.test(source.version) || !/^[\w.+~-]+$/.test(source.file)) {
        throw new InvalidArtifactSourceError(`${what}: invalid version or file name`);
      }
      return;
    default:
      throw new InvalidArtifactSourceError(
        `unknown artifact source kind "${(source as { kind: unknown }).kind}" (expected url, npm or debian-source)`,
      );
  }
}

function checkRelativePath(path: string, what: string): void {
  const parts = path.split('/');
  if (path.startsWith('/') || path.includes('\\') || parts.some((p) => p === '..' || p === '')) {
    throw new InvalidArtifactSourceError(
      `${what}: path must be relative to the package root, without "..", got "${path}"`,
    );
  }
}
