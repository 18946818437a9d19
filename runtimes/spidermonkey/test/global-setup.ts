import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { STARLINGMONKEY_ENGINE } from '../src/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The local mirror holding the engine (tests never use the network). */
    mirror: string;
  }
}

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export default function setup(project: TestProject): void {
  const mirror = process.env['WASM_RUNTIME_MIRROR'] || join(REPO, '.cache', 'mirror');
  if (!existsSync(join(mirror, 'sha256', STARLINGMONKEY_ENGINE.sha256))) {
    throw new Error(
      `the StarlingMonkey engine is not in the local mirror ${mirror}: run scripts/fetch-sources (tests never download)`,
    );
  }
  process.env['WASM_RUNTIME_MIRROR'] = mirror;
  project.provide('mirror', mirror);
}
