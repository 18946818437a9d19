import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A place consulted before the artifact's own URLs: a local directory or an HTTP(S) base URL. */
export type Mirror = { kind: 'directory'; path: string } | { kind: 'http'; base: string };

/**
 * Parses mirror specifications: `http://` or `https://` base URLs, `file:` URLs, or directory
 * paths (relative ones resolved against the current directory). Several can be given in one
 * string separated by whitespace or `;` (as `WASM_RUNTIME_MIRROR` allows).
 */
export function parseMirrors(specs: readonly string[] | string | undefined): Mirror[] {
  if (specs === undefined) return [];
  const list = typeof specs === 'string' ? specs.split(/[;\s]+/) : specs;
  return list
    .filter((spec) => spec.trim() !== '')
    .map((spec): Mirror => {
      if (/^https?:\/\//i.test(spec)) return { kind: 'http', base: spec.endsWith('/') ? spec : `${spec}/` };
      if (spec.startsWith('file:')) return { kind: 'directory', path: fileURLToPath(spec) };
      return { kind: 'directory', path: isAbsolute(spec) ? spec : resolve(spec) };
    });
}

/**
 * URLs to try in a mirror, in order: each file name, then `sha256/<hex>` when the checksum is known.
 * Names with a path separator are ignored (a mirror is flat, apart from its `sha256/` folder).
 */
export function mirrorUrls(mirror: Mirror, names: readonly string[], sha256: string | undefined): string[] {
  const relPaths = [
    ...new Set(names.filter((name) => name !== '' && !/[/\\]/.test(name) && name !== '..' && name !== '.')),
  ].map((name) => [name]);
  if (sha256 !== undefined) relPaths.push(['sha256', sha256]);
  return relPaths.map((parts) =>
    mirror.kind === 'directory'
      ? pathToFileURL(join(mirror.path, ...parts)).href
      : new URL(parts.map(encodeURIComponent).join('/'), mirror.base).href,
  );
}

/** The decoded last path segment of a URL: the name a mirror holds the file under. */
export function urlFileName(url: string): string {
  const path = new URL(url).pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}
