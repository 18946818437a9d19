/**
 * The pool directory of a Debian source package relative to an archive root, e.g.
 * `pool/main/l/lua5.4/` (library packages use four letters: `pool/main/libf/libffi/`). The
 * security archive (a root ending in `-security`) keeps its pool under `pool/updates/`.
 */
export function debianPoolUrl(root: string, sourcePackage: string): string {
  const base = root.endsWith('/') ? root : `${root}/`;
  const prefix = sourcePackage.startsWith('lib') ? sourcePackage.slice(0, 4) : sourcePackage.slice(0, 1);
  const pool = /-security\/$/.test(base) ? 'pool/updates/main' : 'pool/main';
  return new URL(`${pool}/${prefix}/${sourcePackage}/`, base).href;
}

/** The `.dsc` file name of a source package version: the epoch (`1:`) is not part of file names. */
export function dscFileName(sourcePackage: string, version: string): string {
  return `${sourcePackage}_${version.replace(/^\d+:/, '')}.dsc`;
}

/**
 * The `Checksums-Sha256` field of a `.dsc` (which may be wrapped in an OpenPGP clear signature),
 * as a map from file name to `{ sha256, size }`.
 */
export function parseDscChecksums(text: string): Map<string, { sha256: string; size: number }> {
  const files = new Map<string, { sha256: string; size: number }>();
  let inField = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^Checksums-Sha256:/i.test(line)) {
      inField = true;
      continue;
    }
    if (!inField) continue;
    const match = /^[ \t]+([0-9a-fA-F]{64})[ \t]+(\d+)[ \t]+(\S+)\s*$/.exec(line);
    if (match === null) {
      if (/^[ \t]/.test(line)) continue;
      inField = false;
      continue;
    }
    files.set(match[3]!, { sha256: match[1]!.toLowerCase(), size: Number(match[2]) });
  }
  return files;
}
