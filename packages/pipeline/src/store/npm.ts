import { open } from 'node:fs/promises';
import { MalformedResponseError } from './errors.js';
import { sha256Hex } from './sha256.js';
import { openArchive, readTar } from './tar.js';

/** The default npm registry. */
export const NPM_REGISTRY = 'https://registry.npmjs.org/';

/** The packument URL of a package: scoped names keep their `@` and escape the `/`. */
export function packumentUrl(registry: string, name: string): string {
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  return new URL(name.replace('/', '%2f'), base).href;
}

/** The file name npm gives a package's tarball: `3.4-wasm-wasi-2.10.1.tgz` for `@ruby/3.4-wasm-wasi`. */
export function tarballFileName(name: string, version: string): string {
  return `${name.slice(name.indexOf('/') + 1)}-${version}.tgz`;
}

/** The `dist` fields the store relies on, from one version of a packument. */
export interface NpmDist {
  tarball: string;
  /** Base64 sha512 digests accepted by `dist.integrity` (several when it lists several). */
  sha512: string[];
}

/** Picks `versions[version].dist` out of a packument; undefined when the version is not published. */
export function readDist(packument: unknown, version: string): NpmDist | undefined {
  const versions = (
    packument as { versions?: Record<string, { dist?: { tarball?: unknown; integrity?: unknown } }> }
  )?.versions;
  const dist = versions?.[version]?.dist;
  if (dist === undefined || typeof dist.tarball !== 'string') return undefined;
  const integrity = typeof dist.integrity === 'string' ? dist.integrity : '';
  const sha512 = integrity
    .split(/\s+/)
    .filter((item) => item.startsWith('sha512-'))
    .map((item) => item.slice('sha512-'.length).replace(/\?.*$/, ''));
  return { tarball: dist.tarball, sha512 };
}

/**
 * Copies the file at `path` (relative to the package root; the tarball's first directory, usually
 * `package/`, is dropped) out of an npm tarball into `destination`. Returns its sha256 and size,
 * or undefined when the package has no such file.
 */
export async function extractPackageFile(
  tarball: string,
  path: string,
  destination: string,
): Promise<{ sha256: string; size: number } | undefined> {
  for await (const entry of readTar(await openArchive(tarball), tarball)) {
    if (entry.type !== 'file') continue;
    const slash = entry.path.indexOf('/');
    if (slash === -1 || entry.path.slice(slash + 1) !== path) continue;
    const handle = await open(destination, 'w');
    try {
      await handle.writeFile(entry.data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { sha256: sha256Hex(entry.data), size: entry.data.length };
  }
  return undefined;
}

/** Parses a packument body, turning bad JSON into a typed error. */
export function parsePackument(body: Buffer, url: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new MalformedResponseError(url, 'the registry answered with something other than JSON', {
      cause: error,
    });
  }
}
