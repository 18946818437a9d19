// Writes src/schema/manifest-schema.ts from schema/manifest.schema.json: the published schema as a
// TypeScript module, so the manifest check runs where no file can be read (browsers, Workers).
// src/schema/manifest-schema.test.ts fails when the two differ: run `npm run schema-module`.

import { readFile, writeFile } from 'node:fs/promises';

const root = new URL('../', import.meta.url);
const schema = JSON.parse(await readFile(new URL('schema/manifest.schema.json', root), 'utf8'));
const text = `// Generated from schema/manifest.schema.json by scripts/schema-module.mjs: do not edit.
// (npm run schema-module rewrites it; a test fails when it is stale.)

import type { JsonSchema } from './check.js';

/** The published \`manifest.schema.json\`, as data. */
export const MANIFEST_SCHEMA: JsonSchema = ${JSON.stringify(schema, null, 2)};
`;
await writeFile(new URL('src/schema/manifest-schema.ts', root), text);
