import { buildLlvmFixtures } from './build-llvm.js';

/** vitest globalSetup: builds the C fixtures with clang (only those whose sources changed). */
export default async function setup(): Promise<void> {
  await buildLlvmFixtures();
}
