import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "BadDirError",
      "GuestTrapError",
      "InvalidModuleError",
      "ModuleNotFoundError",
      "NotACommandError",
      "UsageError",
      "helpText",
      "main",
      "parseCLI",
      "run",
    ]
  `);
});
