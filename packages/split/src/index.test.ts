import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "APP_IMPORT_MODULE",
      "DEFAULT_INIT_EXPORTS",
      "ENGINE_HASH_PREFIX_LENGTH",
      "EngineCache",
      "InvalidOutputError",
      "MANIFEST_FORMAT",
      "NotPreinitializedError",
      "PairMismatchError",
      "SplitManifestError",
      "TableStateError",
      "UnsplittableError",
      "checkSplitManifest",
      "defaultEngineCache",
      "engineFileName",
      "globalImportName",
      "join",
      "link",
      "linkSync",
      "memoryImportName",
      "sha256Hex",
      "split",
    ]
  `);
});
