import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "MalformedModuleError",
      "constExprValue",
      "decodeConstExpr",
      "encodeS",
      "encodeSection",
      "encodeU",
      "f32Const",
      "f64Const",
      "globalGet",
      "i32Const",
      "i64Const",
      "originalSectionBytes",
      "parseModule",
      "readS32",
      "readS64",
      "readU32",
      "refFunc",
      "refNull",
      "v128Const",
      "writeModule",
    ]
  `);
});
