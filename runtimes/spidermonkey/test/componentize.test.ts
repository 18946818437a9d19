import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { componentize } from '@bytecodealliance/componentize-js';
import { transpile } from '@bytecodealliance/jco';
import { afterAll, describe, expect, it } from 'vitest';

// componentize-js is a real client of our pre-initializer: with `wizerBin` it runs our
// `wasm-runtime-wizer` (with an environment of its own that has no PATH) instead of its Wizer.
const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const require = createRequire(import.meta.url);
const ourWizer = join(
  dirname(require.resolve('@wasm-runtime/preinit/package.json')),
  'bin',
  'wasm-runtime-wizer',
);
// Transpiled components import @bytecodealliance/preview2-shim: their directory must be inside
// the package for Node to resolve it.
const work = mkdtempSync(join(packageDir, '.componentize-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const WIT = join(here, 'fixtures', 'componentize', 'app.wit');

async function buildAndLoad(
  name: string,
  wizerBin?: string,
): Promise<{ size: number; describe: (w: string) => string }> {
  const { component } = await componentize({
    sourcePath: join(here, 'fixtures', 'componentize', 'app.js'),
    witPath: WIT,
    ...(wizerBin === undefined ? {} : { wizerBin }),
  });
  const { files } = await transpile(component, { name });
  const out = join(work, name);
  for (const [file, bytes] of Object.entries(files as Record<string, Uint8Array>)) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file), bytes);
  }
  const mod = (await import(pathToFileURL(join(out, `${name}.js`)).href)) as {
    describe: (w: string) => string;
  };
  return { size: component.length, describe: mod.describe };
}

describe('componentize-js with wasm-runtime-wizer', () => {
  it('builds a component that behaves like the one its own Wizer builds', async () => {
    const ours = await buildAndLoad('ours', ourWizer);
    const theirs = await buildAndLoad('theirs');
    for (const word of ['engine', 'split', 'missing']) {
      expect(ours.describe(word)).toBe(theirs.describe(word));
    }
    expect(JSON.parse(ours.describe('split'))).toEqual({ word: 'split', score: 20, size: 3 });
    // Same engine, same snapshot contents: sizes within a few percent.
    expect(Math.abs(ours.size - theirs.size) / theirs.size).toBeLessThan(0.05);
    expect(readFileSync(ourWizer, 'utf8').startsWith('#!/bin/sh')).toBe(true);
  }, 900_000); // two componentize-js builds and two transpiles: minutes on a loaded 2-core machine
});
