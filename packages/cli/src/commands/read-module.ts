import { readFile } from 'node:fs/promises';
import { ModuleNotFoundError } from '../errors.js';

/** Reads the module a command was given; a file that cannot be read is a {@link ModuleNotFoundError}. */
export async function readModuleFile(path: string): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new ModuleNotFoundError(path, { cause });
  }
}
