// The browser entry (`@wasm-runtime/pipeline/browser`) run where its tests are cheap: under Node,
// whose fetch and WebAssembly are the web's, against a real HTTP server on 127.0.0.1. A loaded
// dist must run as `runDist` runs it, its run-time files from memory; every way a served dist can
// be wrong is a typed error. (Real Chromium runs it in runtimes/*/test/browser.test.ts and
// examples/browser.)

import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { EngineCache } from '@wasm-runtime/split';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DistError,
  DistHookUnavailableError,
  DistIntegrityError,
  DistManifestError,
  type FetchedDist,
  loadDistFromUrl,
  run,
} from '../src/browser.js';
import { type DistManifest, runDist } from '../src/index.js';
import { type Route, startServer, type TestServer } from './helpers/server.js';
import { buildShippedDist } from './helpers/shipped-dist.js';

let tmp: string;
let held: string;
let other: string;
let server: TestServer;
let n = 0;

/** Serves every file of `dir` under `/<name>/`, wasm as application/wasm unless `plainWasm`. */
async function publish(dir: string, name: string, plainWasm = false): Promise<string> {
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const body = await readFile(path);
        const type = path.endsWith('.wasm') && !plainWasm ? 'application/wasm' : 'application/octet-stream';
        const route: Route = (_request, response) => {
          response.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(body);
        };
        server.routes.set(`/${name}/${relative(dir, path)}`, route);
      }
    }
  };
  await walk(dir);
  return `${server.url}/${name}/`;
}

/** A copy of `dist` with its manifest edited, served under a fresh name. */
async function edited(dist: string, edit: (m: DistManifest, dir: string) => void | Promise<void>) {
  const dir = join(tmp, `edited-${n++}`);
  await cp(dist, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as DistManifest;
  await edit(manifest, dir);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return publish(dir, `edited-${n}`);
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const observe = async (loaded: FetchedDist, args: string[]) => {
  const r = await run(loaded, { args });
  return { exitCode: r.exitCode, stdout: text(r.stdout), stderr: text(r.stderr) };
};

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wasm-runtime-browser-entry-'));
  held = join(tmp, 'held');
  other = join(tmp, 'other');
  // Two apps of one runtime (one engine), /app shipped for run time; `held` keeps a file open.
  await buildShippedDist('held', held, { name: 'held' });
  await buildShippedDist('other', other, { name: 'other', readOnly: false });
  server = await startServer();
}, 240_000);
afterAll(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('loadDistFromUrl and run', () => {
  it('run an app as runDist does, its run-time files and its open file from memory', async () => {
    const loaded = await loadDistFromUrl(await publish(held, 'held'), { engineCache: new EngineCache() });
    for (const args of [[], ['cat', '/app/data.txt'], ['exit', '7']]) {
      const node = await runDist(held, { args, stdout: 'buffer', stderr: 'buffer', stdin: 'ignore' });
      expect(await observe(loaded, args)).toEqual({
        exitCode: node.exitCode,
        stdout: text(node.stdout),
        stderr: text(node.stderr),
      });
    }
    const cat = await observe(loaded, ['cat', '/app/data.txt']);
    expect(cat.stdout).toContain(await readFile(join(held, 'files/app/data.txt'), 'utf8'));
  }, 120_000);

  it('take the dist as its manifest URL, and compile a wasm served without its media type', async () => {
    const loaded = await loadDistFromUrl(`${await publish(held, 'plain', true)}manifest.json`, {
      engineCache: null,
    });
    expect((await observe(loaded, ['exit', '3'])).exitCode).toBe(3);
  }, 60_000);

  it('share one engine between apps: the second app neither downloads nor compiles it', async () => {
    const cache = new EngineCache();
    const [a, b] = [await publish(held, 'share-a'), await publish(other, 'share-b')];
    const first = await loadDistFromUrl(a, { engineCache: cache });
    const second = await loadDistFromUrl(b, { engineCache: cache });
    expect(second.engineFile.sha256).toBe(first.engineFile.sha256);
    expect(second.engine).toBe(first.engine);
    expect(server.count(`/share-a/${first.engineFile.path}`)).toBe(1);
    expect(server.count(`/share-b/${second.engineFile.path}`)).toBe(0);
    expect(cache.size).toBe(1);
  }, 60_000);

  it('keep mounts read-only, and give writable ones a fresh copy per run', async () => {
    const url = await publish(other, 'writable');
    const readOnly = await loadDistFromUrl(url);
    const refused = await observe(readOnly, ['write', '/app/new.txt', 'hi']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/read-only/i);

    const writable = await loadDistFromUrl(url, { writableMounts: true });
    expect((await observe(writable, ['write', '/app/new.txt', 'hi'])).exitCode).toBe(0);
    // The next run starts from the dist's files again: what the last one wrote is gone.
    const next = await observe(writable, ['cat', '/app/new.txt']);
    expect(next.exitCode).not.toBe(0);
    expect(next.stderr).toMatch(/no such file/i);
  }, 60_000);
});

describe('a served dist that cannot be used', () => {
  it('no manifest: DistError naming the URL', async () => {
    const error = await loadDistFromUrl(`${server.url}/nothing-here/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DistError);
    expect(String((error as Error).message)).toContain(`${server.url}/nothing-here/manifest.json`);
    expect((error as DistError).code).toBe('ERR_DIST_INVALID');
  });

  it('a manifest breaking the schema or the sandbox rules: DistManifestError with the field', async () => {
    const url = await edited(held, (m) => {
      m.mounts[0]!.dir = 'files/../../etc';
    });
    const error = await loadDistFromUrl(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DistManifestError);
    expect((error as DistManifestError).issues.map((i) => i.path)).toEqual(['mounts[0].dir']);
  });

  it('a file that does not match its sha256: DistIntegrityError, for the modules and run-time files', async () => {
    const data = await edited(held, async (m, dir) => {
      const path = join(dir, m.files.data.path);
      const bytes = await readFile(path);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      await writeFile(path, bytes);
    });
    await expect(loadDistFromUrl(data)).rejects.toThrow(DistIntegrityError);
    const file = await edited(held, async (_m, dir) => {
      await writeFile(join(dir, 'files/app/data.txt'), 'changed');
    });
    const error = await loadDistFromUrl(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DistIntegrityError);
    expect((error as DistIntegrityError).file).toMatch(/\/files\/app\/data\.txt$/);
  });

  it('a hook in a file the dist names is never run; an installed recipe hook runs', async () => {
    const named = await edited(held, (m) => {
      m.postRestore.hook = true;
      m.recipe = './recipe.mjs';
    });
    const error = await loadDistFromUrl(named).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DistHookUnavailableError);
    expect((error as DistHookUnavailableError).code).toBe('ERR_DIST_HOOK_UNAVAILABLE');

    const pkg = await edited(held, (m) => {
      m.postRestore.hook = true;
      m.recipe = '@wasm-runtime/no-such-recipe';
    });
    await expect(loadDistFromUrl(pkg)).rejects.toThrow(/does not load in this browser/);

    const seen: (readonly string[])[] = [];
    const loaded = await loadDistFromUrl(pkg, {
      recipes: {
        '@wasm-runtime/no-such-recipe': {
          postRestore: {
            hook: (instance, context) => {
              expect(instance.exports['memory']).toBeInstanceOf(WebAssembly.Memory);
              seen.push(context.args);
            },
          },
        },
      },
    });
    expect((await observe(loaded, ['exit', '0'])).exitCode).toBe(0);
    expect(seen).toEqual([['exit', '0']]);
  });
});
