import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "DEFAULT_MAX_DATA_SEGMENTS",
      "ImportNotProvidedError",
      "InitExitError",
      "InitTrapError",
      "InstantiationError",
      "MalformedInputError",
      "MissingInitExportError",
      "PreinitIoError",
      "PreinitUsageError",
      "UnsnapshottableStateError",
      "UnsupportedConstructError",
      "WIZER_HELP",
      "parseWizerArgs",
      "planDataSegments",
      "preinitialize",
      "segmentEncodedSize",
    ]
  `);
});
