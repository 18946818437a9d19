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
      "InvalidOutputError",
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

it('keeps the library entry free of Node built-ins (browser-safe; the CLI lives in ./cli)', async () => {
  const { readFile, readdir } = await import('node:fs/promises');
  const dir = new URL('.', import.meta.url);
  const files = (await readdir(dir)).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'cli.ts',
  );
  expect(files).toContain('preinit.ts');
  for (const file of files) {
    expect(await readFile(new URL(file, dir), 'utf8'), file).not.toMatch(/from 'node:/);
  }
});
