// Copies the repository's templates/<lang> into this package's templates/ (shipped in its tarball):
// every directory with a wasm-runtime.config.json (or .mjs), without build output or installed packages,
// with .gitignore stored as _gitignore (npm leaves .gitignore files out of packages).
import { existsSync } from 'node:fs';
import { cp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../../templates/', import.meta.url));
const target = fileURLToPath(new URL('../templates/', import.meta.url));
await rm(target, { recursive: true, force: true });
for (const entry of await readdir(source, { withFileTypes: true })) {
  const from = join(source, entry.name);
  if (
    !entry.isDirectory() ||
    !['json', 'mjs'].some((ext) => existsSync(join(from, `wasm-runtime.config.${ext}`)))
  )
    continue;
  const to = join(target, entry.name);
  await cp(from, to, { recursive: true, filter: (src) => !/[/\\](node_modules|dist|\.turbo)$/.test(src) });
  if (existsSync(join(to, '.gitignore'))) await rename(join(to, '.gitignore'), join(to, '_gitignore'));
}
