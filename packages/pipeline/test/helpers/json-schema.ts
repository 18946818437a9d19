// A small JSON Schema (2020-12) checker for the keywords the package's schemas use, so the tests
// can hold the schemas to the files the code writes and reads. Not a general validator.

type Schema = boolean | { [key: string]: unknown };

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Returns one message per violation, each with the JSON pointer-ish path; empty when valid. */
export function checkSchema(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  const visit = (schema: Schema, v: unknown, at: string): void => {
    if (schema === true) return;
    if (schema === false) {
      errors.push(`${at}: not allowed`);
      return;
    }
    const ref = schema['$ref'];
    if (typeof ref === 'string') {
      const target = ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root);
      visit(target as Schema, v, at);
    }
    const type = schema['type'];
    if (type !== undefined) {
      const types = Array.isArray(type) ? type : [type];
      const actual = typeOf(v);
      if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) {
        errors.push(`${at}: expected ${types.join('|')}, got ${actual}`);
        return;
      }
    }
    if ('const' in schema && JSON.stringify(schema['const']) !== JSON.stringify(v))
      errors.push(`${at}: expected ${JSON.stringify(schema['const'])}`);
    if (Array.isArray(schema['enum']) && !schema['enum'].includes(v))
      errors.push(`${at}: not one of ${JSON.stringify(schema['enum'])}`);
    if (typeof v === 'string') {
      if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern'], 'u').test(v))
        errors.push(`${at}: does not match ${schema['pattern']}`);
      if (typeof schema['minLength'] === 'number' && v.length < schema['minLength'])
        errors.push(`${at}: too short`);
    }
    if (typeof v === 'number' && typeof schema['minimum'] === 'number' && v < schema['minimum'])
      errors.push(`${at}: below ${schema['minimum']}`);
    if (Array.isArray(v) && schema['items'] !== undefined) {
      for (const [i, item] of v.entries()) visit(schema['items'] as Schema, item, `${at}/${i}`);
    }
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      const props = (schema['properties'] ?? {}) as Record<string, Schema>;
      for (const key of (schema['required'] ?? []) as string[])
        if (!(key in obj)) errors.push(`${at}: missing ${key}`);
      for (const [key, child] of Object.entries(obj)) {
        if (key in props) visit(props[key]!, child, `${at}/${key}`);
        else if (schema['additionalProperties'] !== undefined)
          visit(schema['additionalProperties'] as Schema, child, `${at}/${key}`);
      }
    }
  };
  visit(root, value, '');
  return errors;
}
