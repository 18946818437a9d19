import { readFileSync } from 'node:fs';
import type { ValidationIssue } from '../errors.js';
import type { DistManifest } from '../manifest.js';
import { type SandboxOptions, sandboxIssues } from '../run/sandbox.js';
import { checkSchema, type JsonSchema } from './check.js';

let schema: JsonSchema | undefined;

/** The published `manifest.schema.json` (shipped in the package's `schema/`), read once. */
export function distManifestSchema(): JsonSchema {
  // src/schema/ and dist/schema/ are both two levels below the package root.
  schema ??= JSON.parse(
    readFileSync(new URL('../../schema/manifest.schema.json', import.meta.url), 'utf8'),
  ) as JsonSchema;
  return schema;
}

/**
 * Every problem of a parsed `manifest.json`: first against its published JSON schema, then, when
 * it has the schema's shape, against the sandbox rules (mounts inside the dist's `files/`, host
 * state inside the mounts). Each issue names its field (`mounts[0].dir`); empty when usable.
 */
export function distManifestIssues(value: unknown, options: SandboxOptions = {}): ValidationIssue[] {
  const issues = checkSchema(distManifestSchema(), value);
  return issues.length > 0 ? issues : sandboxIssues(value as DistManifest, options);
}
