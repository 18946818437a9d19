import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** The package.json fields the tests read. */
export interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  description?: string;
  engines?: { node?: string };
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  exports?: unknown;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/** Every package under packages/ and runtimes/ by name, with its directory. */
export function workspaces(): Map<string, { dir: string; pkg: Manifest }> {
  const out = new Map<string, { dir: string; pkg: Manifest }>();
  for (const group of ['packages', 'runtimes']) {
    for (const entry of readdirSync(join(REPO, group))) {
      const dir = join(REPO, group, entry);
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
        out.set(pkg.name, { dir, pkg });
      } catch {
        // not a package
      }
    }
  }
  return out;
}

/** `names` and every workspace package they depend on at run time (their `dependencies`). */
export function withInternalDeps(names: readonly string[]): string[] {
  const all = workspaces();
  const seen = new Set<string>();
  const visit = (name: string) => {
    const ws = all.get(name);
    if (ws === undefined || seen.has(name)) return;
    seen.add(name);
    for (const dep of Object.keys(ws.pkg.dependencies ?? {})) visit(dep);
  };
  for (const name of names) visit(name);
  return [...seen].sort();
}

/**
 * Packs the workspace packages `names` (built already) with `npm pack` into `dest`, as npm
 * would publish them; returns the tarballs' paths by package name.
 */
export function packWorkspaces(names: readonly string[], dest: string): Map<string, string> {
  const out = execFileSync(
    'npm',
    ['pack', '--json', '--pack-destination', dest, ...names.map((n) => `--workspace=${n}`)],
    { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const packed = JSON.parse(out) as { name: string; filename: string }[];
  return new Map(packed.map((p) => [p.name, join(dest, p.filename)]));
}
