import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "MalformedModuleError",
      "encodeS",
      "encodeU",
      "readS32",
      "readS64",
      "readU32",
    ]
  `);
});
