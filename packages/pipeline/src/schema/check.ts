// A checker for the subset of JSON Schema (2020-12) that the package's published schemas use, so
// the schema file is the one statement of what a valid manifest is: a field added to the schema is
// checked without touching code. A keyword it does not know is a bug, refused loudly, never skipped.

import { InternalError } from '@wasm-runtime/errors';
import type { ValidationIssue } from '../errors.js';
import { describe } from '../validation.js';

/** A JSON Schema node. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/** The keywords `checkSchema` applies or knows to be annotations. */
export const SUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
  // applied
  '$ref',
  'type',
  'const',
  'enum',
  'pattern',
  'minLength',
  'minimum',
  'maximum',
  'items',
  'minItems',
  'maxItems',
  'properties',
  'required',
  'additionalProperties',
  'oneOf',
  // annotations and structure
  '$schema',
  '$id',
  '$defs',
  '$comment',
  'title',
  'description',
]);

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** `mounts[0].dir` from `mounts`, `0`, `dir`. */
function child(at: string, key: string | number): string {
  if (typeof key === 'number') return `${at}[${key}]`;
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${at}[${JSON.stringify(key)}]`;
  return at === '' ? key : `${at}.${key}`;
}

/**
 * Checks `value` against `schema` (whose `$ref`s point into `root`, `#/...`). Returns every
 * violation with the dot path of the field (`mounts[0].dir`, `''` for the value itself); empty when
 * valid. Throws `InternalError` for a schema using a keyword outside {@link SUPPORTED_KEYWORDS}.
 */
export function checkSchema(
  schema: JsonSchema,
  value: unknown,
  root: JsonSchema = schema,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  visit(root, schema, value, '', issues);
  return issues;
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema {
  if (!ref.startsWith('#/'))
    throw new InternalError(`schema $ref ${ref}: only local references are supported`);
  let node: unknown = root;
  for (const key of ref.slice(2).split('/')) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  if (typeof node !== 'boolean' && (typeof node !== 'object' || node === null))
    throw new InternalError(`schema $ref ${ref} names nothing`);
  return node as JsonSchema;
}

function visit(
  root: JsonSchema,
  schema: JsonSchema,
  v: unknown,
  at: string,
  issues: ValidationIssue[],
): void {
  if (schema === true) return;
  if (schema === false) {
    issues.push({ path: at, message: 'not allowed here' });
    return;
  }
  for (const keyword of Object.keys(schema)) {
    if (!SUPPORTED_KEYWORDS.has(keyword))
      throw new InternalError(
        `schema keyword "${keyword}" at ${at || 'the root'} is not supported by checkSchema`,
      );
  }
  const issue = (message: string, path = at) => issues.push({ path, message });
  const ref = schema['$ref'];
  if (typeof ref === 'string') visit(root, resolveRef(root, ref), v, at, issues);

  const type = schema['type'];
  if (type !== undefined) {
    const types = (Array.isArray(type) ? type : [type]) as string[];
    const actual = typeOf(v);
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) {
      issue(`expected ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}, got ${describe(v)}`);
      return; // the other keywords would only repeat this
    }
  }
  if ('const' in schema && JSON.stringify(schema['const']) !== JSON.stringify(v)) {
    issue(`expected ${JSON.stringify(schema['const'])}, got ${describe(v)}`);
    return;
  }
  const choices = schema['enum'];
  if (Array.isArray(choices) && !choices.some((c) => JSON.stringify(c) === JSON.stringify(v))) {
    issue(`expected one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${describe(v)}`);
    return;
  }
  if (typeof v === 'string') {
    const pattern = schema['pattern'];
    if (typeof pattern === 'string' && !new RegExp(pattern, 'u').test(v))
      issue(`expected a string matching ${pattern}, got ${describe(v)}`);
    const minLength = schema['minLength'];
    if (typeof minLength === 'number' && [...v].length < minLength)
      issue(`expected at least ${minLength} character${minLength === 1 ? '' : 's'}, got ${describe(v)}`);
  }
  if (typeof v === 'number') {
    const { minimum, maximum } = schema as { minimum?: unknown; maximum?: unknown };
    if (typeof minimum === 'number' && v < minimum) issue(`expected at least ${minimum}, got ${v}`);
    if (typeof maximum === 'number' && v > maximum) issue(`expected at most ${maximum}, got ${v}`);
  }
  if (Array.isArray(v)) {
    const { minItems, maxItems, items } = schema as {
      minItems?: unknown;
      maxItems?: unknown;
      items?: unknown;
    };
    if (typeof minItems === 'number' && v.length < minItems)
      issue(`expected at least ${minItems} items, got ${v.length}`);
    if (typeof maxItems === 'number' && v.length > maxItems)
      issue(`expected at most ${maxItems} items, got ${v.length}`);
    if (items !== undefined)
      for (const [i, item] of v.entries()) visit(root, items as JsonSchema, item, child(at, i), issues);
  }
  if (typeOf(v) === 'object') {
    const obj = v as Record<string, unknown>;
    const props = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
    for (const key of (schema['required'] ?? []) as string[]) {
      if (!Object.hasOwn(obj, key)) issue('missing', child(at, key));
    }
    const extra = schema['additionalProperties'] as JsonSchema | undefined;
    for (const [key, value] of Object.entries(obj)) {
      if (Object.hasOwn(props, key)) visit(root, props[key]!, value, child(at, key), issues);
      else if (extra === false) issue('unknown field (not in the schema)', child(at, key));
      else if (extra !== undefined) visit(root, extra, value, child(at, key), issues);
    }
  }
  const oneOf = schema['oneOf'];
  if (Array.isArray(oneOf)) {
    // The branch that fits, else the errors of the closest one (fewest issues) so that a
    // descriptor of kind "file" is told what a file descriptor lacks.
    let best: ValidationIssue[] | undefined;
    let matches = 0;
    for (const branch of oneOf as JsonSchema[]) {
      const found: ValidationIssue[] = [];
      visit(root, branch, v, at, found);
      if (found.length === 0) matches++;
      else if (best === undefined || found.length < best.length) best = found;
    }
    if (matches === 0 && best !== undefined) issues.push(...best);
    if (matches > 1) issue(`matches ${matches} of the alternatives, where exactly one must match`);
  }
}

/** Every keyword used anywhere in `schema` (for the test that holds the schema to this checker). */
export function schemaKeywords(schema: JsonSchema): Set<string> {
  const found = new Set<string>();
  const walk = (node: unknown, keywordsHere: boolean): void => {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item, true);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (keywordsHere) found.add(key);
      // Under properties/$defs the keys are names, and their values schemas.
      if (key === 'properties' || key === '$defs') {
        for (const sub of Object.values(value as object)) walk(sub, true);
      } else if (key === 'const' || key === 'enum') {
        // values, not schemas
      } else walk(value, true);
    }
  };
  walk(schema, true);
  return found;
}
