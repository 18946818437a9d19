// What a dist may open on the host. A dist's manifest is untrusted input (dists are downloaded and
// run), so no value in it may widen what the guest reaches: every mount is a directory of the dist's
// own `files/` tree, checked after resolving `..` and symlinks; mounts are read-only unless the user
// opts in; the saved descriptor table (`hostState`) can only name paths inside those mounts.
//
// The manifest records sha256s of the files it ships, but without a signing key whoever edits the
// manifest can also edit the hashes. So those checks are tamper evidence, and the boundary is this
// module: whatever the manifest says, the guest gets at most the dist's `files/` tree, read-only.

import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { SavedDescriptor } from '@wasm-runtime/wasi';
import { DistIntegrityError, DistMountEscapeError } from '../errors.js';
import type { DistManifest } from '../manifest.js';
import { sha256Hex } from '../store/sha256.js';
import { DIST_FILES_DIR, isWritable, type SandboxOptions } from './sandbox-rules.js';

export {
  DIST_FILES_DIR,
  guestPathProblem,
  isWritable,
  mountDirFor,
  relativePathProblem,
  type SandboxOptions,
  sandboxIssues,
} from './sandbox-rules.js';

/** True when `path` is `root` or inside it. */
function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Resolves every mount that ships (`dir` set) to a real directory inside the dist's `files/` tree
 * (after `..` and symlinks, with `files/` itself no link), and checks that each path the host state
 * names is reached without following a link. Throws `DistMountEscapeError` naming the field.
 * Returns the host directory of each shipped mount by guest path.
 */
export async function confineMounts(dir: string, manifest: DistManifest): Promise<Map<string, string>> {
  const realDist = await realpath(dir);
  const filesRoot = join(realDist, DIST_FILES_DIR);
  const hostDirs = new Map<string, string>();
  for (const [i, mount] of manifest.mounts.entries()) {
    if (mount.dir === null) continue;
    const field = `mounts[${i}].dir`;
    const lexical = join(realDist, mount.dir);
    let real: string;
    try {
      real = await realpath(lexical);
    } catch (cause) {
      throw new DistMountEscapeError(dir, field, `${mount.dir} does not exist in the dist`, { cause });
    }
    // The real path must be the lexical one: no component of files/<guest> may be a symlink.
    if (real !== lexical || !within(filesRoot, real)) {
      throw new DistMountEscapeError(
        dir,
        field,
        `${mount.dir} resolves to ${real}, outside the dist's ${DIST_FILES_DIR}/ tree`,
      );
    }
    if (!(await lstat(real)).isDirectory())
      throw new DistMountEscapeError(dir, field, `${mount.dir} is not a directory`);
    hostDirs.set(mount.guest, real);
  }
  for (const [i, fd] of (manifest.hostState?.fds ?? []).entries()) {
    if (fd.kind === 'stdio' || fd.path === '') continue;
    const root = hostDirs.get(fd.mount);
    if (root !== undefined) await checkNoLinks(dir, `hostState.fds[${i}].path`, root, fd);
  }
  return hostDirs;
}

/** The restored descriptor's path is opened by the backend as given: none of its parts may be a link. */
async function checkNoLinks(
  dir: string,
  field: string,
  root: string,
  fd: Exclude<SavedDescriptor, { kind: 'stdio' }>,
): Promise<void> {
  let at = root;
  for (const part of fd.path.split('/')) {
    at = join(at, part);
    const st = await lstat(at).catch(() => undefined);
    if (st === undefined) return; // missing: the WASI host refuses the restore with a typed error
    if (st.isSymbolicLink())
      throw new DistMountEscapeError(dir, field, `${fd.mount}/${fd.path} goes through the symlink ${at}`);
  }
}

/**
 * Checks the files of every read-only shipped mount against the manifest: each listed file exists
 * with its recorded size and sha256, nothing else is there, and nothing is a symlink or a special
 * file. Mounts opened writable are not checked (their contents are the app's run-time state).
 */
export async function verifyMountFiles(
  dir: string,
  manifest: DistManifest,
  hostDirs: ReadonlyMap<string, string>,
  options: SandboxOptions,
): Promise<void> {
  for (const mount of manifest.mounts) {
    const root = hostDirs.get(mount.guest);
    if (root === undefined || isWritable(mount, options)) continue;
    const present = new Map<string, string>();
    // A mount nested in this one (`/app` in `/`) is checked against its own list.
    const nested = new Set([...hostDirs.values()].filter((d) => d !== root));
    await walk(root, '', present, nested);
    for (const file of mount.files) {
      const abs = present.get(file.path);
      const shown = join(dir, mount.dir ?? '', file.path);
      if (abs === undefined) throw new DistIntegrityError(shown, file.sha256, 'a missing file');
      present.delete(file.path);
      const bytes = await readFile(abs);
      const actual = bytes.length === file.size ? sha256Hex(bytes) : `${bytes.length} bytes`;
      if (actual !== file.sha256) throw new DistIntegrityError(shown, file.sha256, actual);
    }
    const extra = present.keys().next();
    if (!extra.done)
      throw new DistIntegrityError(
        join(dir, mount.dir ?? '', extra.value),
        'no file',
        'a file the manifest does not list',
      );
  }
}

async function walk(
  abs: string,
  rel: string,
  out: Map<string, string>,
  skip: ReadonlySet<string>,
): Promise<void> {
  for (const entry of await readdir(abs, { withFileTypes: true })) {
    const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
    const at = join(abs, entry.name);
    if (entry.isDirectory()) {
      if (!skip.has(at)) await walk(at, path, out, skip);
    } else if (entry.isFile()) out.set(path, at);
    else
      throw new DistIntegrityError(
        at,
        'a regular file',
        entry.isSymbolicLink() ? 'a symlink' : 'a special file',
      );
  }
}
