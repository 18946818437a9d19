import type { TestProject } from 'vitest/node';
import { buildLua } from '../src/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    luaWasm: string;
    luaWasmSha256: string;
  }
}

// One (cached) build for every test file; the first run on a machine downloads the pinned source.
export default async function setup(project: TestProject): Promise<void> {
  const build = await buildLua();
  project.provide('luaWasm', build.wasmPath);
  project.provide('luaWasmSha256', build.sha256);
}
