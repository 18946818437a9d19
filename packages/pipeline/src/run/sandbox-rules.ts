// The sandbox rules a dist's manifest is held to that need no file system (so browsers and Workers
// apply them too); sandbox.ts adds the ones that look at the dist's files on disk.

import type { ValidationIssue } from '../errors.js';
import type { DistManifest, DistMount } from '../manifest.js';

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
