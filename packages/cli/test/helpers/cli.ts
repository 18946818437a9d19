import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The real binary, which runs the built CLI (dist/). */
export const bin = fileURLToPath(new URL('../../bin/wasm-runtime.js', import.meta.url));

/** Runs the CLI with no colour; never rejects, so a test can assert the exit status. */
export function cli(args: string[]) {
  return execa(process.execPath, [bin, ...args], {
    reject: false,
    stripFinalNewline: false,
    env: { NO_COLOR: '' },
  });
}
