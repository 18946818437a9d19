import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { cliReference } from './reference.js';

const docsFile = fileURLToPath(new URL('../../../docs/cli.md', import.meta.url));

it('docs/cli.md is the reference generated from the help texts (run `npm run docs` when this fails)', async () => {
  const onDisk = await readFile(docsFile, 'utf8');
  expect(onDisk).toBe(await cliReference());
});

it('the reference covers every command and its options', async () => {
  const text = await cliReference();
  for (const heading of ['build', 'run', 'deploy', 'inspect', 'preinit', 'split']) {
    expect(text).toContain(`## wasm-runtime ${heading}\n`);
  }
  expect(text).toContain('--dir HOST::GUEST');
  expect(text).toContain('--lang LANG');
});
