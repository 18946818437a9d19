import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, workspaces } from './pack.js';

// What `npm pack` would publish for every public workspace package: the files a user's install
// needs are in it (README, every export and bin target, type declarations), tests are not, and the
// metadata npm and users read is there. The install-and-run proof is lua-app.test.ts.

// The repository's address is an assumption (nothing is published yet): one constant, so that
// changing it is one edit here and a failing test until every package.json follows.
const REPO_URL = 'git+https://github.com/wasm-runtime/wasm-runtime.git';
const REPO_WEB = 'https://github.com/wasm-runtime/wasm-runtime';
const LICENSE = readFileSync(join(REPO, 'LICENSE'), 'utf8');

const publics = [...workspaces().values()].filter((w) => !w.pkg.private);
const privates = new Set([...workspaces().values()].filter((w) => w.pkg.private).map((w) => w.pkg.name));

/** Every file path an `exports` map points at. */
function targets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(targets);
}

const packed = new Map(
  (
    JSON.parse(
      execFileSync(
        'npm',
        ['pack', '--dry-run', '--json', ...publics.map((p) => `--workspace=${p.pkg.name}`)],
        {
          cwd: REPO,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    ) as { name: string; files: { path: string }[] }[]
  ).map((p) => [p.name, new Set(p.files.map((f) => f.path))]),
);

describe.each(publics.map((p) => [p.pkg.name, p] as const))(
  '%s as npm would publish it',
  (_name, { dir, pkg }) => {
    const files = packed.get(pkg.name)!;

    it('has the metadata users and npm read', () => {
      expect(pkg.license).toBe('Apache-2.0');
      expect(pkg.description).toBeTruthy();
      expect(pkg.engines?.node).toBe('>=20.19');
      expect(pkg.repository?.type).toBe('git');
      expect(pkg.repository?.directory).toBe(relative(REPO, dir));
      expect(pkg.repository?.url).toBe(REPO_URL);
      expect(pkg.homepage).toBe(`${REPO_WEB}/tree/main/${relative(REPO, dir)}#readme`);
    });

    it('ships the license its package.json names: the Apache-2.0 text of the root LICENSE', () => {
      expect(LICENSE).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
      expect(files.has('LICENSE')).toBe(true);
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(LICENSE);
    });

    it('ships its README, every export and bin target, and type declarations', () => {
      expect(files.has('README.md')).toBe(true);
      const wanted = [...targets(pkg.exports), ...Object.values(pkg.bin ?? {})].map((t) =>
        t.replace(/^\.\//, ''),
      );
      expect(wanted.length).toBeGreaterThan(0);
      for (const target of wanted) expect(files.has(target), target).toBe(true);
      expect(targets(pkg.exports).some((t) => t.endsWith('.d.ts'))).toBe(true);
    });

    it('ships no tests and depends on no private package', () => {
      expect(
        [...files].filter(
          (f) => /\.test\.[cm]?[jt]s$|(^|\/)test\//.test(f) && !/^(templates|files)\//.test(f),
        ),
      ).toEqual([]);
      expect(Object.keys(pkg.dependencies ?? {}).filter((d) => privates.has(d))).toEqual([]);
    });
  },
);
