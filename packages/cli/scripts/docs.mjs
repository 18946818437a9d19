// Writes docs/cli.md from the built CLI's help texts (`npm run docs` at the root).
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { cliReference } from '../dist/reference.js';

const target = fileURLToPath(new URL('../../../docs/cli.md', import.meta.url));
await writeFile(target, await cliReference());
console.log(`wrote ${target}`);
