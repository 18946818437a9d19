import { buildFixtures } from './build-fixtures.js';

/** vitest globalSetup: builds the C fixtures (only those whose sources changed). */
export default async function setup(): Promise<void> {
  await buildFixtures();
}
