import { randomBytes } from 'node:crypto';
import {
  chmod,
  link,
  lstat,
  mkdir,
  realpath,
  rename,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix, relative, sep } from 'node:path';
import { InvalidArtifactSourceError, UnsafeArchiveEntryError } from './errors.js';
import { openArchive, readTar } from './tar.js';

/** How `extract` lays out the archive. */
export interface ExtractOptions {
  /** Drop this many leading path components of every entry (like `tar --strip-components`). */
  strip?: number;
  /** Replace `destination` if it already exists (default: refuse). */
  replace?: boolean;
}

/**
 * Unpacks a `.tar` or `.tar.gz` file into `destination`, atomically: entries are written to a
 * temporary sibling directory that is renamed into place only when the whole archive has been
 * extracted and checked, so `destination` is either absent or complete. Refuses (with
 * `UnsafeArchiveEntryError`, extracting nothing) entries with absolute paths or `..`, links whose
 * target leaves the archive, and writes through a symlink. File modes (without setuid/setgid) and
 * modification times are kept; owners are not. Returns `destination`.
 */
export async function extract(
  archive: string,
  destination: string,
  options: ExtractOptions = {},
): Promise<string> {
  const parent = dirname(destination);
  await mkdir(parent, { recursive: true });
  const exists = await lstat(destination).then(
    () => true,
    () => false,
  );
  if (exists && options.replace !== true) {
    throw new InvalidArtifactSourceError(
      `cannot extract ${archive}: ${destination} already exists (pass replace: true to overwrite it)`,
    );
  }
  const temp = join(parent, `.${basename(destination)}.tmp-${randomBytes(6).toString('hex')}`);
  await mkdir(temp);
  try {
    await unpackInto(archive, temp, options.strip ?? 0);
    if (exists) {
      const old = `${temp}-old`;
      await rename(destination, old);
      await rename(temp, destination);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, destination);
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return destination;
}

/**
 * Unpacks into the existing empty directory `root` (not atomic by itself: `extract` and
 * `ArtifactStore.cachedBuild` provide the atomic rename).
 */
export async function unpackInto(archive: string, root: string, strip = 0): Promise<void> {
  const symlinks: string[] = [];
  const directories: { path: string; mode: number; mtime: number }[] = [];
  const links = new Set<string>();
  for await (const entry of readTar(await openArchive(archive), archive)) {
    if (entry.type === 'other') continue;
    const parts = safeParts(archive, entry.path);
    if (parts.length <= strip) continue;
    const rel = parts.slice(strip);
    const relPath = rel.join('/');
    for (let i = 1; i < rel.length; i++) {
      if (links.has(rel.slice(0, i).join('/'))) {
        throw new UnsafeArchiveEntryError(
          archive,
          entry.path,
          'would be written through a symlink of the archive',
        );
      }
    }
    const target = join(root, ...rel);
    await mkdir(dirname(target), { recursive: true });
    switch (entry.type) {
      case 'directory':
        await mkdir(target, { recursive: true });
        directories.push({ path: target, mode: entry.mode, mtime: entry.mtime });
        break;
      case 'file':
        await rm(target, { force: true, recursive: true });
        await writeFile(target, entry.data, { mode: (entry.mode & 0o777) | 0o600 });
        await utimes(target, entry.mtime, entry.mtime);
        break;
      case 'symlink': {
        const linkTarget = entry.linkTarget ?? '';
        if (isAbsolute(linkTarget) || posix.isAbsolute(linkTarget) || /^[a-zA-Z]:/.test(linkTarget)) {
          throw new UnsafeArchiveEntryError(
            archive,
            entry.path,
            `is a symlink to the absolute path ${linkTarget}`,
          );
        }
        const resolved = posix.normalize(posix.join(posix.dirname(relPath), linkTarget));
        if (resolved === '..' || resolved.startsWith('../')) {
          throw new UnsafeArchiveEntryError(
            archive,
            entry.path,
            `is a symlink pointing outside (${linkTarget})`,
          );
        }
        await rm(target, { force: true, recursive: true });
        await symlink(linkTarget, target);
        symlinks.push(target);
        links.add(relPath);
        break;
      }
      case 'hardlink': {
        const linkParts = safeParts(archive, entry.linkTarget ?? '');
        if (linkParts.length <= strip) {
          throw new UnsafeArchiveEntryError(
            archive,
            entry.path,
            `is a hard link to ${entry.linkTarget} outside the tree`,
          );
        }
        await rm(target, { force: true, recursive: true });
        await link(join(root, ...linkParts.slice(strip)), target);
        break;
      }
    }
  }
  // A chain of in-archive symlinks can pass every lexical check and still resolve outside:
  // resolve each one for real now that the tree is complete.
  const realRoot = await realpath(root);
  for (const path of symlinks) {
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      continue;
    }
    const inside = relative(realRoot, real);
    if (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
      throw new UnsafeArchiveEntryError(
        archive,
        relative(root, path).split(sep).join('/'),
        'is a symlink that resolves outside the extraction directory',
      );
    }
  }
  for (const dir of directories.reverse()) {
    await chmod(dir.path, (dir.mode & 0o777) | 0o700);
    await utimes(dir.path, dir.mtime, dir.mtime);
  }
}

function safeParts(archive: string, path: string): string[] {
  if (path.startsWith('/') || path.startsWith('\\') || /^[a-zA-Z]:/.test(path)) {
    throw new UnsafeArchiveEntryError(archive, path, 'has an absolute path');
  }
  const parts = path.split(/[/\\]/).filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new UnsafeArchiveEntryError(archive, path, 'contains ".."');
  return parts;
}
