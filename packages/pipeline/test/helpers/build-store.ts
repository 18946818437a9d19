import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Transpiles src/store to plain JavaScript under the package's ignored .cache/ so that child
 * processes (plain `node`, which cannot load TypeScript) run the real store code.
 */
export async function buildStoreForChildren(): Promise<string> {
  const out = join(packageDir, '.cache', 'test-store');
  const srcDir = join(packageDir, 'src', 'store');
  await mkdir(out, { recursive: true });
  for (const name of await readdir(srcDir)) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    const source = await readFile(join(srcDir, name), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    await writeFile(join(out, name.replace(/\.ts$/, '.js')), outputText);
  }
  return join(out, 'index.js');
}
