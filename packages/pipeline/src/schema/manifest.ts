import { DistError, DistManifestError, type ValidationIssue } from '../errors.js';
import { DIST_MANIFEST_FILE, DIST_MANIFEST_FORMAT, type DistManifest } from '../manifest.js';
import { type SandboxOptions, sandboxIssues } from '../run/sandbox-rules.js';
import { isObject } from '../validation.js';
import { checkSchema, type JsonSchema } from './check.js';
import { MANIFEST_SCHEMA } from './manifest-schema.js';

/**
 * The published `manifest.schema.json` (shipped in the package's `schema/`). Read from a module
 * generated from it, so the check needs no file system (browsers, Workers).
 */
export function distManifestSchema(): JsonSchema {
  return MANIFEST_SCHEMA;
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

/**
 * The parsed manifest of the dist at `where` (a directory or a URL), if this version can use it:
 * its format, its schema, the sandbox rules. Throws `DistError` for another format and
 * `DistManifestError` listing every issue otherwise.
 */
export function checkDistManifest(where: string, value: unknown, options: SandboxOptions = {}): DistManifest {
  const format = isObject(value) ? value['format'] : undefined;
  if (isObject(value) && format !== DIST_MANIFEST_FORMAT && typeof format === 'string') {
    throw new DistError(
      where,
      `${DIST_MANIFEST_FILE} has format ${JSON.stringify(format)}, this version reads ${DIST_MANIFEST_FORMAT}: rebuild it with this version of wasm-runtime`,
    );
  }
  const issues = distManifestIssues(value, options);
  if (issues.length > 0) throw new DistManifestError(where, issues);
  return value as DistManifest;
}
