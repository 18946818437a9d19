import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { buildFixtures, fixture, fixturesDir } from './build-fixtures.js';

it('builds every C fixture, and a warm run rebuilds nothing', async () => {
  const names = (await readdir(fixturesDir)).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2));
  expect(names.length).toBeGreaterThanOrEqual(10);
  for (const name of names) expect(existsSync(fixture(name)), name).toBe(true);
  expect(await buildFixtures()).toEqual([]);
});
