import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { MemoryTree } from '@wasm-runtime/wasi';
import type { MountSpec } from '../recipe/types.js';
import { sha256Hex } from '../store/sha256.js';
import { globFilter } from './glob.js';

/** One staged file. */
export interface StagedFile {
  /** Path inside the mount, `/`-separated. */
  path: string;
  size: number;
  sha256: string;
  data: Uint8Array;
}

/** A mount with its files, ready to preopen. */
export interface StagedMount {
  guest: string;
  /** Absolute host directory the files came from. */
  from: string;
  readOnly: boolean;
  atRuntime: boolean;
  /** Where the files came from: the app root, or the runtime's directory (see `MountSpec.root`). */
  root: 'app' | 'runtime';
  /** Sorted by path. */
  files: StagedFile[];
  /** The files as a tree for `MemoryFS`. */
  tree: MemoryTree;
}

/** The default stage spec: the whole app root, read-only, at `/app`. */
export const DEFAULT_MOUNTS: readonly MountSpec[] = [{ guest: '/app' }];

async function walk(dir: string, prefix: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) await walk(abs, rel, out);
    else if (entry.isFile()) out.push(rel);
    else if (entry.isSymbolicLink()) {
      // A link to a file is staged as that file's contents; links to directories are not
      // followed, so a link cycle cannot make staging loop.
      const st = await stat(abs).catch(() => undefined);
      if (st?.isFile()) out.push(rel);
    }
  }
}

function insert(tree: MemoryTree, path: string, data: Uint8Array): void {
  const parts = path.split('/');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as MemoryTree;
  }
  node[parts[parts.length - 1]!] = data;
}

/**
 * Reads the files of one mount: those under `root/mount.from` matched by the include globs
 * (the mount's, else `include`) and by none of `exclude` plus the mount's excludes.
 */
export async function stageMount(
  root: string,
  mount: MountSpec,
  include: readonly string[],
  exclude: readonly string[],
): Promise<StagedMount> {
  if (mount.files !== undefined) return stageRecipeFiles(mount, mount.files);
  const from = resolve(root, mount.from ?? '.');
  const paths: string[] = [];
  await walk(from, '', paths);
  const keep = globFilter(mount.include ?? include, [...exclude, ...(mount.exclude ?? [])]);
  const files: StagedFile[] = [];
  const tree: MemoryTree = {};
  for (const path of paths.filter(keep)) {
    const data = new Uint8Array(await readFile(join(from, path)));
    files.push({ path, size: data.length, sha256: sha256Hex(data), data });
    insert(tree, path, data);
  }
  return {
    guest: mount.guest,
    from,
    readOnly: mount.readOnly ?? true,
    atRuntime: mount.atRuntime ?? false,
    root: mount.root ?? 'app',
    files,
    tree,
  };
}

/** A mount whose files the recipe provides (see `MountSpec.files`). */
function stageRecipeFiles(
  mount: MountSpec,
  given: Readonly<Record<string, string | Uint8Array>>,
): StagedMount {
  const encoder = new TextEncoder();
  const files: StagedFile[] = [];
  const tree: MemoryTree = {};
  for (const path of Object.keys(given).sort()) {
    const value = given[path]!;
    const data = typeof value === 'string' ? encoder.encode(value) : new Uint8Array(value);
    files.push({ path, size: data.length, sha256: sha256Hex(data), data });
    insert(tree, path, data);
  }
  return {
    guest: mount.guest,
    from: '',
    readOnly: mount.readOnly ?? true,
    atRuntime: mount.atRuntime ?? false,
    // The recipe's own files, never the user's.
    root: 'runtime',
    files,
    tree,
  };
}
