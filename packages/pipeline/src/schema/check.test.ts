import { describe, expect, it } from 'vitest';
import { checkSchema, schemaKeywords } from './check.js';

const list = (schema: Parameters<typeof checkSchema>[0], value: unknown) =>
  checkSchema(schema, value).map((i) => `${i.path}: ${i.message}`);

describe('checkSchema', () => {
  const schema = {
    type: 'object',
    $defs: { n: { type: 'integer', minimum: 0, maximum: 9 } },
    properties: {
      list: { type: 'array', items: { $ref: '#/$defs/n' }, maxItems: 3 },
      map: { type: 'object', additionalProperties: { type: 'string' } },
      kind: { enum: ['a', 'b'] },
      item: {
        oneOf: [
          {
            type: 'object',
            properties: { kind: { const: 'x' }, x: { type: 'string' } },
            required: ['kind', 'x'],
          },
          {
            type: 'object',
            properties: { kind: { const: 'y' }, y: { type: 'boolean' } },
            required: ['kind', 'y'],
          },
        ],
      },
    },
    required: ['kind'],
    additionalProperties: false,
  };

  it('collects every violation with the dot path of its field', () => {
    expect(
      list(schema, {
        list: [1, -1, 10, 'x'],
        map: { ok: 'v', 'a b': 1 },
        item: { kind: 'y', y: 'no' },
        'bad key': true,
      }),
    ).toEqual([
      'kind: missing',
      'list: expected at most 3 items, got 4',
      'list[1]: expected at least 0, got -1',
      'list[2]: expected at most 9, got 10',
      'list[3]: expected an integer, got "x"',
      'map["a b"]: expected a string, got number 1',
      'item.y: expected a boolean, got "no"',
      '["bad key"]: unknown field (not in the schema)',
    ]);
    expect(list(schema, { kind: 'a', item: { kind: 'x', x: 'ok' } })).toEqual([]);
    expect(list(schema, null)).toEqual([': expected an object, got null']);
    expect(list(schema, { kind: 'c' })).toEqual(['kind: expected one of "a", "b", got "c"']);
  });

  it('refuses a schema it cannot apply instead of skipping a rule', () => {
    expect(() => checkSchema({ anyOf: [] }, 1)).toThrow(/"anyOf" .* not supported/);
    expect(() => checkSchema({ $ref: 'other.json#/x' }, 1)).toThrow(/only local references/);
    expect(() => checkSchema({ $ref: '#/$defs/none' }, 1)).toThrow(/names nothing/);
    expect([...schemaKeywords(schema)].sort()).toEqual(
      [
        '$defs',
        '$ref',
        'additionalProperties',
        'const',
        'enum',
        'items',
        'maxItems',
        'maximum',
        'minimum',
        'oneOf',
        'properties',
        'required',
        'type',
      ].sort(),
    );
  });
});
