import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';
import * as browser from './browser.js';

// The conditions a browser bundler or an import map resolves with: never `node`.
const CONDITIONS = ['browser', 'import', 'module', 'default'];
const BUILTINS = new Set(builtinModules);

function pickExport(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (typeof target !== 'object' || target === null) return undefined;
  for (const [condition, value] of Object.entries(target)) {
    if (!CONDITIONS.includes(condition)) continue;
    const found = pickExport(value);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A bare specifier resolved as a browser would: node_modules upwards, then the package's exports. */
function resolvePackage(spec: string, from: string): string {
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
  const sub = `.${spec.slice(name.length)}`;
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name);
    if (existsSync(join(pkgDir, 'package.json'))) {
      const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { exports?: unknown };
      const exports = pkg.exports as Record<string, unknown> | undefined;
      const target = pickExport(exports?.[sub]);
      if (target === undefined) throw new Error(`${spec} (from ${from}) has no browser export`);
      return join(pkgDir, target);
    }
    if (dirname(dir) === dir) throw new Error(`${spec} (from ${from}) cannot be resolved`);
  }
}

/** Every module a browser loads from `entry`, and the Node built-ins any of them imports. */
function importGraph(entry: string): { files: Set<string>; builtins: string[] } {
  const files = new Set<string>();
  const builtins: string[] = [];
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    let source = readFileSync(file, 'utf8');
    // What the browser loads of a TypeScript source: type-only imports are erased.
    if (file.endsWith('.ts')) {
      source = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
      }).outputText;
    }
    const { importedFiles } = ts.preProcessFile(source, true, true);
    for (const { fileName: spec } of importedFiles) {
      if (spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0] as string)) {
        builtins.push(`${spec} (imported by ${file})`);
      } else if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        // This package's own sources import './x.js' meaning './x.ts'.
        visit(existsSync(target) ? target : target.replace(/\.js$/, '.ts'));
      } else visit(resolvePackage(spec, file));
    }
  };
  visit(entry);
  return { files, builtins };
}

const here = dirname(fileURLToPath(import.meta.url));

it("the browser entry's import graph, resolved with browser conditions, reaches no Node built-in", () => {
  const { files, builtins } = importGraph(join(here, 'browser.ts'));
  expect(builtins).toEqual([]);
  // The walk went through the other packages' browser builds, not only this file.
  const reached = [...files].map((f) => f.replace(/.*\/node_modules\//, ''));
  expect(reached).toEqual(
    expect.arrayContaining([
      '@wasm-runtime/wasi/dist/index.js',
      '@wasm-runtime/split/dist/index.js',
      '@wasm-runtime/errors/dist/index.js',
    ]),
  );
});

it('the import graph walk finds the Node built-ins of the Node runner (the check can fail)', () => {
  const { builtins } = importGraph(join(here, 'run', 'run-dist.ts'));
  expect(builtins.some((b) => b.startsWith('node:fs/promises'))).toBe(true);
});

it('the browser entry exports exactly its surface', () => {
  expect(Object.keys(browser).sort()).toMatchInlineSnapshot(`
    [
      "DistError",
      "DistHookUnavailableError",
      "DistIntegrityError",
      "DistManifestError",
      "loadDistFromUrl",
      "run",
    ]
  `);
});
