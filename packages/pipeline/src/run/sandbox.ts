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
import type { ValidationIssue } from '../errors.js';
import { DistIntegrityError, DistMountEscapeError } from '../errors.js';
import type { DistManifest, DistMount } from '../manifest.js';
import { sha256Hex } from '../store/sha256.js';

/** The directory of a dist that holds the files shipped for run time. */
export const DIST_FILES_DIR = 'files';

/**
 * Why `path` is not a guest path a mount may have, or undefined when it is one: absolute,
 * normalized (no `.`, `..` or empty components, no trailing `/`), no NUL or `\`.
 */
export function guestPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'expected an absolute guest path such as "/app"';
  if (path === '/') return undefined;
  return componentsProblem(path.slice(1));
}

/**
 * Why `path` is not a normalized relative path (`a/b.txt`), or undefined; `''` (the root itself) is
 * allowed when `allowEmpty`.
 */
export function relativePathProblem(path: string, allowEmpty = false): string | undefined {
  if (path === '') return allowEmpty ? undefined : 'expected a relative path, got an empty one';
  if (path.startsWith('/')) return 'expected a relative path, not an absolute one';
  return componentsProblem(path);
}

function componentsProblem(path: string): string | undefined {
  if (/[\0\\]/.test(path)) return 'a path may not contain NUL or "\\"';
  for (const part of path.split('/')) {
    if (part === '') return 'expected a normalized path (no empty component, no trailing "/")';
    if (part === '.' || part === '..') return `expected a normalized path (no "${part}" component)`;
  }
  return undefined;
}

/** The directory, relative to the dist, where a build ships a mount's files: `files/app` for `/app`. */
export function mountDirFor(guest: string): string {
  return guest === '/' ? DIST_FILES_DIR : `${DIST_FILES_DIR}${guest}`;
}

/** Options of the sandbox checks, from the user (the command line or the API), never the manifest. */
export interface SandboxOptions {
  /**
   * Mounts the manifest marks writable (`readOnly: false`) are preopened writable: the guest then
   * writes into the dist's `files/` tree. Default false: every mount is read-only.
   */
  writableMounts?: boolean | undefined;
}

/** True when the run may write to `mount`. */
export function isWritable(mount: DistMount, options: SandboxOptions): boolean {
  return options.writableMounts === true && !mount.readOnly;
}

/**
 * The manifest's mounts and host state against the sandbox rules that need no file system, as
 * issues at the fields' paths (`mounts[0].dir`, `hostState.fds[3].path`).
 */
export function sandboxIssues(manifest: DistManifest, options: SandboxOptions = {}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const key of ['snapshot', 'engine', 'data', 'snapshotExnref', 'engineExnref', 'component'] as const) {
    const file = manifest.files[key];
    if (file === undefined) continue;
    const path = file.path;
    if (relativePathProblem(path) !== undefined || path.includes('/'))
      issues.push({
        path: `files.${key}.path`,
        message: `expected a file name in the dist directory, got ${JSON.stringify(path)}`,
      });
  }
  const guests = new Map<string, DistMount>();
  manifest.mounts.forEach((mount, i) => {
    const at = `mounts[${i}]`;
    const problem = guestPathProblem(mount.guest);
    if (problem !== undefined)
      issues.push({ path: `${at}.guest`, message: `${problem}, got ${JSON.stringify(mount.guest)}` });
    else if (guests.has(mount.guest))
      issues.push({ path: `${at}.guest`, message: `"${mount.guest}" is mounted twice` });
    else guests.set(mount.guest, mount);
    if (mount.dir !== null && problem === undefined && mount.dir !== mountDirFor(mount.guest)) {
      issues.push({
        path: `${at}.dir`,
        message: `a mount's files live in the dist's own ${DIST_FILES_DIR}/ tree: expected ${JSON.stringify(mountDirFor(mount.guest))} for the guest path ${mount.guest} (or null), got ${JSON.stringify(mount.dir)}`,
      });
    }
    mount.files.forEach((file, j) => {
      const p = relativePathProblem(file.path);
      if (p !== undefined)
        issues.push({ path: `${at}.files[${j}].path`, message: `${p}, got ${JSON.stringify(file.path)}` });
    });
  });
  const state = manifest.hostState;
  if (state !== null) {
    state.mounts?.forEach((guest, i) => {
      const p = guestPathProblem(guest);
      if (p !== undefined)
        issues.push({ path: `hostState.mounts[${i}]`, message: `${p}, got ${JSON.stringify(guest)}` });
    });
    const fds = new Set<number>();
    state.fds.forEach((fd, i) => {
      const at = `hostState.fds[${i}]`;
      if (fds.has(fd.fd)) issues.push({ path: `${at}.fd`, message: `descriptor ${fd.fd} is listed twice` });
      fds.add(fd.fd);
      if (fd.kind === 'stdio') return;
      const mount = guests.get(fd.mount);
      if (mount === undefined || mount.dir === null) {
        issues.push({
          path: `${at}.mount`,
          message: `${JSON.stringify(fd.mount)} is not a mount the dist ships (its mounts with a dir: ${
            [...guests.values()]
              .filter((m) => m.dir !== null)
              .map((m) => m.guest)
              .join(', ') || 'none'
          })`,
        });
      }
      const p = relativePathProblem(fd.path, true);
      if (p !== undefined)
        issues.push({ path: `${at}.path`, message: `${p}, got ${JSON.stringify(fd.path)}` });
      if (fd.kind === 'dir' && fd.preopen !== undefined) {
        const q = guestPathProblem(fd.preopen);
        if (q !== undefined)
          issues.push({ path: `${at}.preopen`, message: `${q}, got ${JSON.stringify(fd.preopen)}` });
      }
      if (fd.kind === 'file' && fd.writable && mount !== undefined && !isWritable(mount, options)) {
        issues.push({
          path: `${at}.writable`,
          message: `init left ${fd.mount}/${fd.path} open for writing, but the mount is read-only${
            mount.readOnly
              ? ' in the manifest'
              : ': pass --writable-mounts (writableMounts: true) to let the app write into the dist'
          }`,
        });
      }
    });
  }
  return issues;
}

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
