import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { MANIFEST_SCHEMA } from './manifest-schema.js';

it('the manifest schema module is the published schema/manifest.schema.json (else: npm run schema-module)', () => {
  const published = JSON.parse(
    readFileSync(new URL('../../schema/manifest.schema.json', import.meta.url), 'utf8'),
  ) as unknown;
  expect(MANIFEST_SCHEMA).toStrictEqual(published);
});
