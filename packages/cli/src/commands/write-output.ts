import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { OutputWriteError } from '../errors.js';

/**
 * Writes `path` through a temporary file renamed over it, so a reader never sees half a file and
 * a failure leaves nothing behind; a failure is an {@link OutputWriteError}.
 */
export async function writeAtomically(path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw new OutputWriteError(path, { cause });
  }
}

/** Creates the directory `dir` (and its parents) for outputs; a failure is an {@link OutputWriteError}. */
export async function makeOutputDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new OutputWriteError(dir, { cause });
  }
}
