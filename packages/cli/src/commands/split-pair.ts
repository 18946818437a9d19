import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SplitManifest } from '@wasm-runtime/split';
import { SplitDirError } from '../errors.js';

/** What `wasm-runtime split --out-dir` wrote, read back to run: the pair and the manifest that ties them. */
export interface SplitPair {
  /** The `<name>.split.json` file. */
  manifestPath: string;
  manifest: SplitManifest;
  engine: Uint8Array;
  enginePath: string;
  /** The data-only app module `<name>.data.wasm`. */
  app: Uint8Array;
  appPath: string;
}

const SPLIT_SUFFIX = '.split.json';

/** The `<name>.split.json` files of a directory, sorted. */
export async function splitManifestsIn(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith(SPLIT_SUFFIX) && n.length > SPLIT_SUFFIX.length).sort();
}

/**
 * The split manifest `run` should use for `path`: a `.split.json` file, or the one such file of a
 * directory without a dist's `manifest.json`; undefined when `path` is neither.
 */
export async function splitManifestFor(path: string): Promise<string | undefined> {
  const st = await stat(path).catch(() => undefined);
  if (st?.isFile() === true) return path.endsWith(SPLIT_SUFFIX) ? path : undefined;
  if (st?.isDirectory() !== true) return undefined;
  const found = await splitManifestsIn(path);
  if (found.length === 0) return undefined;
  if (found.length > 1) {
    throw new SplitDirError(
      path,
      `it holds ${found.length} split pairs (${found.join(', ')}): name one, as in wasm-runtime run ${join(path, found[0]!)}`,
    );
  }
  return join(path, found[0]!);
}

/** A file the pair needs: a regular file (a link could name a FIFO that blocks the read). */
async function readPairFile(manifestPath: string, path: string, what: string): Promise<Uint8Array> {
  const st = await lstat(path).catch(() => undefined);
  if (st === undefined)
    throw new SplitDirError(manifestPath, `${what} ${basename(path)} is missing beside it`);
  if (!st.isFile()) throw new SplitDirError(manifestPath, `${what} ${basename(path)} is not a regular file`);
  return new Uint8Array(await readFile(path));
}

/**
 * Reads a split pair from its `<name>.split.json` (untrusted: it may name only an engine file
 * beside it) and checks both modules against the sha256s it records. Throws `SplitDirError`, or
 * `SplitManifestError` for a manifest that is not one.
 */
export async function readSplitPair(manifestPath: string): Promise<SplitPair> {
  // Loaded here, not at the top: a plain module's run never loads the splitter.
  const split = await import('@wasm-runtime/split');
  const checkSplitManifest: (value: unknown) => asserts value is SplitManifest = split.checkSplitManifest;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (cause) {
    throw new SplitDirError(manifestPath, 'it is not a readable JSON split manifest', { cause });
  }
  checkSplitManifest(parsed);
  const manifest = parsed;
  const dir = dirname(manifestPath);
  const file = manifest.engine.file;
  if (file !== basename(file) || file.includes('\\') || file === '..' || file === '.')
    throw new SplitDirError(manifestPath, `engine.file ${JSON.stringify(file)} is not a file name beside it`);
  const enginePath = join(dir, file);
  const appPath = join(dir, `${basename(manifestPath).slice(0, -SPLIT_SUFFIX.length)}.data.wasm`);
  const engine = await readPairFile(manifestPath, enginePath, 'the engine');
  const app = await readPairFile(manifestPath, appPath, 'the app module');
  for (const [what, bytes, want] of [
    ['the engine', engine, manifest.engine.sha256],
    ['the app module', app, manifest.app?.sha256],
  ] as const) {
    const actual = split.sha256Hex(bytes);
    if (actual !== want) {
      throw new SplitDirError(
        manifestPath,
        `${what} has sha256 ${actual}, the manifest records ${String(want)}: the files do not belong together (split the snapshot again)`,
      );
    }
  }
  return { manifestPath, manifest, engine, enginePath, app, appPath };
}
