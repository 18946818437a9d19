import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactStore, type BuildResult, build, loadRecipeModule } from '../../src/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/build/', import.meta.url));
const cacheDir = fileURLToPath(new URL('../../.cache/test-build-store/', import.meta.url));

/**
 * Builds a fixture app (`apps/<app>`) into `out` with its `/app` mount shipped for run time
 * (`files/app`), so the dist has run-time files and, for `held`, host state. The fixture runtime
 * is built from source into the tests' store (no network).
 */
export async function buildShippedDist(
  app: string,
  out: string,
  options: { name?: string; readOnly?: boolean } = {},
): Promise<BuildResult> {
  const { recipe } = await loadRecipeModule(join(fixtures, 'recipe.mjs'));
  return build(
    {
      name: options.name ?? app,
      root: join(fixtures, 'apps', app),
      recipe: {
        ...recipe,
        stage: { mounts: [{ guest: '/app', atRuntime: true, readOnly: options.readOnly ?? true }] },
      },
      out,
    },
    { store: new ArtifactStore({ cacheDir, offline: true }) },
  );
}
