import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ArtifactNotFoundError,
  ArtifactStore,
  ChecksumMismatchError,
  DownloadTimeoutError,
  NetworkError,
  OfflineCacheMissError,
  type StoreEvent,
  type StoreOptions,
  writeTar,
} from '../src/index.js';
import { buildStoreForChildren } from './helpers/build-store.js';
import { serve, startServer, type TestServer } from './helpers/server.js';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const sha512 = (data: Buffer) => createHash('sha512').update(data).digest('base64');

const payload = Buffer.from('lua source tarball stand-in\n'.repeat(4000));
const payloadSha = sha256(payload);

let cacheDir: string;
let server: TestServer;

function store(options: StoreOptions = {}): ArtifactStore {
  return new ArtifactStore({ cacheDir, env: {}, retries: 2, retryDelayMs: 10, timeoutMs: 2000, ...options });
}

/** Every file left in the cache's entry folder, temporary files included. */
async function entryFiles(): Promise<string[]> {
  return readdir(join(cacheDir, 'sha256')).catch(() => []);
}

beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'wasm-runtime-store-'));
  server = await startServer({ '/lua-5.4.4.tar.gz': payload });
});

afterEach(async () => {
  await server.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('url sources', () => {
  it('downloads, verifies and caches; the second fetch makes no request', async () => {
    const events: StoreEvent[] = [];
    const source = { kind: 'url', url: `${server.url}/lua-5.4.4.tar.gz`, sha256: payloadSha } as const;
    const first = await store({ onProgress: (event) => events.push(event) }).fetch(source);
    expect(first).toEqual({
      path: join(cacheDir, 'sha256', payloadSha),
      sha256: payloadSha,
      size: payload.length,
      fromCache: false,
    });
    expect(await readFile(first.path)).toEqual(payload);
    const progress = events.filter((event) => event.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ received: payload.length, total: payload.length });
    expect(events.map((event) => event.type)).toContain('done');

    const second = await store().fetch(source);
    expect(second.fromCache).toBe(true);
    expect(server.count('/lua-5.4.4.tar.gz')).toBe(1);
    expect(await entryFiles()).toEqual([payloadSha]);
  });

  it('sweeps temporary files that a killed process left behind, and only those', async () => {
    const dir = join(cacheDir, 'sha256');
    await mkdir(dir, { recursive: true });
    const long = new Date(Date.now() - 2 * 60 * 60_000);
    const dead = join(dir, '.tmp-999999999-abc');
    const live = join(dir, `.tmp-${process.pid}-def`);
    const fresh = join(dir, '.tmp-999999999-new');
    for (const path of [dead, live, fresh]) await writeFile(path, 'partial');
    await utimes(dead, long, long);
    await utimes(live, long, long);
    await store().fetch({ kind: 'url', url: `${server.url}/lua-5.4.4.tar.gz`, sha256: payloadSha });
    expect((await entryFiles()).sort()).toEqual(
      ['.tmp-999999999-new', `.tmp-${process.pid}-def`, payloadSha].sort(),
    );
  });

  it('refuses a wrong checksum, caches nothing and leaves no temporary file', async () => {
    const wrong = sha256('something else');
    const error = await store()
      .fetch({ kind: 'url', url: `${server.url}/lua-5.4.4.tar.gz`, sha256: wrong })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(error).toMatchObject({
      code: 'ERR_ARTIFACT_CHECKSUM_MISMATCH',
      expected: wrong,
      actual: payloadSha,
    });
    expect((error as Error).message).toContain(`${server.url}/lua-5.4.4.tar.gz`);
    expect(server.count('/lua-5.4.4.tar.gz')).toBe(1);
    expect(await entryFiles()).toEqual([]);
  });

  it('gives a typed error after retries when the connection drops halfway, leaving no partial file', async () => {
    server.routes.set('/cut.tar.gz', (_request, response) => {
      response.writeHead(200, { 'content-length': payload.length });
      response.write(payload.subarray(0, payload.length / 2), () => response.destroy());
    });
    const events: StoreEvent[] = [];
    const error = await store({ onProgress: (event) => events.push(event) })
      .fetch({ kind: 'url', url: `${server.url}/cut.tar.gz`, sha256: payloadSha })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'ERR_ARTIFACT_NETWORK', attempts: 3 });
    expect(server.count('/cut.tar.gz')).toBe(3);
    expect(events.filter((event) => event.type === 'retry')).toHaveLength(2);
    expect(await entryFiles()).toEqual([]);
  });

  it('recovers when a transient 503 is followed by a good answer', async () => {
    let calls = 0;
    server.routes.set('/flaky.tar.gz', (request, response) => {
      calls++;
      if (calls === 1) response.writeHead(503).end();
      else serve(payload)(request, response);
    });
    const result = await store().fetch({
      kind: 'url',
      url: `${server.url}/flaky.tar.gz`,
      sha256: payloadSha,
    });
    expect(result.sha256).toBe(payloadSha);
    expect(calls).toBe(2);
  });

  it('reports a 404 as not found without retrying', async () => {
    const error = await store()
      .fetch({ kind: 'url', url: `${server.url}/missing.tar.gz`, sha256: payloadSha })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactNotFoundError);
    expect(error).toMatchObject({
      code: 'ERR_ARTIFACT_NOT_FOUND',
      status: 404,
      url: `${server.url}/missing.tar.gz`,
    });
    expect(server.count('/missing.tar.gz')).toBe(1);
  });

  it('times out on a server that stalls mid-body, naming the URL and the seconds', async () => {
    const open: Array<() => void> = [];
    server.routes.set('/stall.tar.gz', (_request, response) => {
      response.writeHead(200, { 'content-length': payload.length });
      response.write(payload.subarray(0, 1000));
      open.push(() => response.destroy());
    });
    const started = Date.now();
    const error = await store({ timeoutMs: 200, retries: 1 })
      .fetch({ kind: 'url', url: `${server.url}/stall.tar.gz`, sha256: payloadSha })
      .catch((e: unknown) => e);
    for (const close of open) close();
    expect(error).toBeInstanceOf(DownloadTimeoutError);
    expect(error).toMatchObject({ code: 'ERR_ARTIFACT_TIMEOUT', seconds: 0.2, attempts: 2 });
    expect((error as Error).message).toMatch(/stall\.tar\.gz timed out: no data for 0\.2 s/);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await entryFiles()).toEqual([]);
  });

  it('times out on a server that accepts the connection but never answers', async () => {
    const pending: Array<() => void> = [];
    server.routes.set('/silent.tar.gz', (_request, response) => {
      pending.push(() => response.destroy());
    });
    const error = await store({ timeoutMs: 150, retries: 0 })
      .fetch({ kind: 'url', url: `${server.url}/silent.tar.gz`, sha256: payloadSha })
      .catch((e: unknown) => e);
    for (const close of pending) close();
    expect(error).toBeInstanceOf(DownloadTimeoutError);
    expect(error).toMatchObject({ url: `${server.url}/silent.tar.gz`, seconds: 0.15, attempts: 1 });
  });

  it('stops when the caller aborts, without retrying', async () => {
    server.routes.set('/slow.tar.gz', (_request, response) => {
      response.writeHead(200, { 'content-length': payload.length });
      response.write(payload.subarray(0, 100));
    });
    const controller = new AbortController();
    // Abort once the first bytes have arrived (mid-body), not after a fixed delay: on a loaded
    // machine the request may not even have reached the server after any given delay.
    const onProgress = (event: StoreEvent) => {
      if (event.type === 'progress') controller.abort(new Error('user pressed ^C'));
    };
    await expect(
      store({ onProgress }).fetch(
        { kind: 'url', url: `${server.url}/slow.tar.gz`, sha256: payloadSha },
        { signal: controller.signal },
      ),
    ).rejects.toThrow('user pressed ^C');
    expect(server.count('/slow.tar.gz')).toBe(1);
    expect(await entryFiles()).toEqual([]);
  });

  it('falls back to the next URL of the source (upstream first, then the Debian pool)', async () => {
    const result = await store().fetch({
      kind: 'url',
      url: `${server.url}/gone/lua-5.4.4.tar.gz`,
      urls: [`${server.url}/lua-5.4.4.tar.gz`],
      sha256: payloadSha,
    });
    expect(result.sha256).toBe(payloadSha);
    expect(server.requests).toEqual(['/gone/lua-5.4.4.tar.gz', '/lua-5.4.4.tar.gz']);
  });

  it('moves on to the next URL when a host refuses connections (after its retries)', async () => {
    const gone = await startServer();
    await gone.close();
    const events: StoreEvent[] = [];
    const result = await store({ onProgress: (event) => events.push(event) }).fetch({
      kind: 'url',
      url: `${gone.url}/lua-5.4.4.tar.gz`,
      urls: [`${server.url}/lua-5.4.4.tar.gz`],
      sha256: payloadSha,
    });
    expect(result.sha256).toBe(payloadSha);
    const retries = events.filter((event) => event.type === 'retry');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({ url: `${gone.url}/lua-5.4.4.tar.gz` });
    expect((retries[0] as { error: Error }).error.message).toBe('ECONNREFUSED');
  });

  it('detects a corrupted cache entry, removes it and fetches again', async () => {
    const source = { kind: 'url', url: `${server.url}/lua-5.4.4.tar.gz`, sha256: payloadSha } as const;
    const { path } = await store().fetch(source);
    await writeFile(path, 'bit rot');
    const events: StoreEvent[] = [];
    const again = await store({ onProgress: (event) => events.push(event) }).fetch(source);
    expect(again.fromCache).toBe(false);
    expect(await readFile(again.path)).toEqual(payload);
    expect(events[0]).toMatchObject({
      type: 'cache-corrupted',
      expected: payloadSha,
      actual: sha256('bit rot'),
    });
    expect(server.count('/lua-5.4.4.tar.gz')).toBe(2);
  });

  it('offline: a cache miss is a typed error that says how to fill the cache; a hit works', async () => {
    const source = { kind: 'url', url: `${server.url}/lua-5.4.4.tar.gz`, sha256: payloadSha } as const;
    const error = await store({ offline: true })
      .fetch(source)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfflineCacheMissError);
    expect(error).toMatchObject({ code: 'ERR_ARTIFACT_OFFLINE_MISS' });
    expect((error as Error).message).toMatch(/without --offline/);
    expect((error as Error).message).toMatch(/WASM_RUNTIME_MIRROR/);
    expect(server.requests).toEqual([]);

    await store().fetch(source);
    expect((await store({ offline: true }).fetch(source)).fromCache).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('offline: a file: URL is local and still works', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wasm-runtime-local-'));
    await writeFile(join(dir, 'lua-5.4.4.tar.gz'), payload);
    const url = pathToFileURL(join(dir, 'lua-5.4.4.tar.gz')).href;
    const result = await store({ offline: true }).fetch({ kind: 'url', url, sha256: payloadSha });
    expect(result).toMatchObject({ sha256: payloadSha, fromCache: false });
    await rm(dir, { recursive: true });
  });
});

describe('mirrors', () => {
  it('serves from a mirror directory by file name, even offline, without touching the URL', async () => {
    const mirror = await mkdtemp(join(tmpdir(), 'wasm-runtime-mirror-'));
    await writeFile(join(mirror, 'lua-5.4.4.tar.gz'), payload);
    const result = await store({ offline: true, env: { WASM_RUNTIME_MIRROR: mirror } }).fetch({
      kind: 'url',
      url: 'https://www.lua.org/ftp/lua-5.4.4.tar.gz',
      sha256: payloadSha,
    });
    expect(await readFile(result.path)).toEqual(payload);
    await rm(mirror, { recursive: true });
  });

  it('finds a file by sha256/<hex> in a mirror directory and skips a mirror copy with a bad checksum', async () => {
    const mirror = await mkdtemp(join(tmpdir(), 'wasm-runtime-mirror-'));
    await writeFile(join(mirror, 'lua-5.4.4.tar.gz'), 'tampered');
    await mkdir(join(mirror, 'sha256'));
    await writeFile(join(mirror, 'sha256', payloadSha), payload);
    const result = await store({ offline: true, mirrors: [mirror] }).fetch({
      kind: 'url',
      url: 'https://www.lua.org/ftp/lua-5.4.4.tar.gz',
      sha256: payloadSha,
    });
    expect(result.sha256).toBe(payloadSha);
    await rm(mirror, { recursive: true });
  });

  it('serves from an HTTP mirror before the upstream URL', async () => {
    const mirror = await startServer({ '/base/lua-5.4.4.tar.gz': payload });
    try {
      const result = await store({ mirrors: [`${mirror.url}/base`] }).fetch({
        kind: 'url',
        url: `${server.url}/lua-5.4.4.tar.gz`,
        sha256: payloadSha,
      });
      expect(result.sha256).toBe(payloadSha);
      expect(mirror.requests).toEqual(['/base/lua-5.4.4.tar.gz']);
      expect(server.requests).toEqual([]);
    } finally {
      await mirror.close();
    }
  });
});

describe('npm sources', () => {
  const wasm = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const tgz = gzipSync(
    writeTar([
      { path: 'package/package.json', data: '{"name":"@ruby/3.4-wasm-wasi","version":"2.10.1"}' },
      { path: 'package/dist/ruby+stdlib.wasm', data: wasm },
    ]),
  );

  function registry(integrity = `sha512-${sha512(tgz)}`) {
    server.routes.set('/@ruby/3.4-wasm-wasi', (_request, response) => {
      const packument = {
        name: '@ruby/3.4-wasm-wasi',
        versions: {
          '2.10.1': {
            dist: { tarball: `${server.url}/@ruby/3.4-wasm-wasi/-/3.4-wasm-wasi-2.10.1.tgz`, integrity },
          },
        },
      };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument));
    });
    server.routes.set('/@ruby/3.4-wasm-wasi/-/3.4-wasm-wasi-2.10.1.tgz', serve(tgz));
  }

  it('resolves through the registry, checks dist.integrity, extracts the path, then works offline', async () => {
    registry();
    const source = {
      kind: 'npm',
      package: '@ruby/3.4-wasm-wasi',
      version: '2.10.1',
      path: 'dist/ruby+stdlib.wasm',
    } as const;
    const result = await store({ env: { npm_config_registry: server.url } }).fetch(source);
    expect(await readFile(result.path)).toEqual(wasm);
    expect(result.sha256).toBe(sha256(wasm));
    expect(server.requests).toEqual([
      '/@ruby/3.4-wasm-wasi',
      '/@ruby/3.4-wasm-wasi/-/3.4-wasm-wasi-2.10.1.tgz',
    ]);

    const offline = await store({ offline: true, env: { npm_config_registry: server.url } }).fetch(source);
    expect(offline).toMatchObject({ sha256: sha256(wasm), fromCache: true });
    const tarball = await store({ offline: true }).fetch({
      kind: 'npm',
      package: '@ruby/3.4-wasm-wasi',
      version: '2.10.1',
    });
    expect(tarball.sha256).toBe(sha256(tgz));
    expect(server.requests).toHaveLength(2);
  });

  it('with a pin, takes the file from a mirror directory offline, without the registry', async () => {
    const mirror = await mkdtemp(join(tmpdir(), 'wasm-runtime-mirror-'));
    await writeFile(join(mirror, 'ruby+stdlib.wasm'), wasm);
    const result = await store({ offline: true, mirrors: [mirror] }).fetch({
      kind: 'npm',
      package: '@ruby/3.4-wasm-wasi',
      version: '2.10.1',
      path: 'dist/ruby+stdlib.wasm',
      sha256: sha256(wasm),
    });
    expect(await readFile(result.path)).toEqual(wasm);
    await expect(
      store({ offline: true }).fetch({ kind: 'npm', package: '@ruby/3.4-wasm-wasi', version: '2.10.1' }),
    ).rejects.toBeInstanceOf(OfflineCacheMissError);
    await rm(mirror, { recursive: true });
  });

  it('refuses a tarball that does not match dist.integrity', async () => {
    registry(`sha512-${sha512(Buffer.from('other'))}`);
    const error = await store({ registry: server.url })
      .fetch({ kind: 'npm', package: '@ruby/3.4-wasm-wasi', version: '2.10.1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(error).toMatchObject({ algorithm: 'sha512', actual: sha512(tgz) });
    expect(await entryFiles()).toEqual([]);
  });

  it('reports an unpublished version and a missing path as not found', async () => {
    registry();
    await expect(
      store({ registry: server.url }).fetch({
        kind: 'npm',
        package: '@ruby/3.4-wasm-wasi',
        version: '9.9.9',
      }),
    ).rejects.toThrow(/version 9\.9\.9 of @ruby\/3\.4-wasm-wasi is not in the registry/);
    await expect(
      store({ registry: server.url }).fetch({
        kind: 'npm',
        package: '@ruby/3.4-wasm-wasi',
        version: '2.10.1',
        path: 'dist/nope.wasm',
      }),
    ).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });
});

describe('debian-source sources', () => {
  it('reads the .dsc in the pool, checks the listed checksum, then fetches the file', async () => {
    const dsc = [
      '-----BEGIN PGP SIGNED MESSAGE-----',
      'Hash: SHA512',
      '',
      'Format: 3.0 (quilt)',
      'Source: lua5.4',
      'Checksums-Sha256:',
      ` ${payloadSha} ${payload.length} lua5.4_5.4.4.orig.tar.gz`,
      ` ${sha256('debian')} 6 lua5.4_5.4.4-3+deb12u1.debian.tar.xz`,
      'Files:',
      ' 0123 6 lua5.4_5.4.4-3+deb12u1.debian.tar.xz',
    ].join('\n');
    server.routes.set('/debian/pool/main/l/lua5.4/lua5.4_5.4.4-3+deb12u1.dsc', serve(dsc));
    server.routes.set('/debian/pool/main/l/lua5.4/lua5.4_5.4.4.orig.tar.gz', serve(payload));
    const source = {
      kind: 'debian-source',
      package: 'lua5.4',
      version: '5.4.4-3+deb12u1',
      file: 'lua5.4_5.4.4.orig.tar.gz',
      sha256: payloadSha,
    } as const;
    const result = await store({ debianMirrors: [`${server.url}/debian`] }).fetch(source);
    expect(await readFile(result.path)).toEqual(payload);

    const wrongPin = sha256('x');
    await rm(result.path);
    const error = await store({ debianMirrors: [`${server.url}/debian`] })
      .fetch({ ...source, sha256: wrongPin })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(error).toMatchObject({ expected: wrongPin, actual: payloadSha });
    expect(server.count('/debian/pool/main/l/lua5.4/lua5.4_5.4.4.orig.tar.gz')).toBe(1);
  });
});

describe('concurrency', () => {
  it('two concurrent fetches of one key in one process make one download', async () => {
    server.routes.set('/slow.tar.gz', serve(payload, 150));
    const source = { kind: 'url', url: `${server.url}/slow.tar.gz`, sha256: payloadSha } as const;
    const [a, b] = await Promise.all([store().fetch(source), store().fetch(source)]);
    expect(a.sha256).toBe(payloadSha);
    expect(b.sha256).toBe(payloadSha);
    expect([a.fromCache, b.fromCache].sort()).toEqual([false, true]);
    expect(server.count('/slow.tar.gz')).toBe(1);
  });

  it('two processes fetching the same key make one download and both succeed', async () => {
    const entry = await buildStoreForChildren();
    server.routes.set('/slow.tar.gz', serve(payload, 300));
    const script = `
      const { ArtifactStore } = await import(${JSON.stringify(entry)});
      const store = new ArtifactStore({ cacheDir: process.argv[1], env: {} });
      const result = await store.fetch({ kind: 'url', url: process.argv[2], sha256: process.argv[3] });
      process.stdout.write(JSON.stringify(result));
    `;
    const run = () =>
      new Promise<{ sha256: string; fromCache: boolean }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--input-type=module', '-e', script, cacheDir, `${server.url}/slow.tar.gz`, payloadSha],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk) => {
          out += chunk;
        });
        child.stderr.on('data', (chunk) => {
          err += chunk;
        });
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err))));
      });
    const results = await Promise.all([run(), run()]);
    expect(results.map((result) => result.sha256)).toEqual([payloadSha, payloadSha]);
    expect(results.map((result) => result.fromCache).sort()).toEqual([false, true]);
    expect(server.count('/slow.tar.gz')).toBe(1);
  });
});

describe('unpack', () => {
  it('unpacks a fetched source tarball once into a cached directory', async () => {
    const tgz = gzipSync(
      writeTar([
        { path: 'lua-5.4.4/Makefile', data: 'all:\n' },
        { path: 'lua-5.4.4/src/lua.c', data: 'int main(void) { return 0; }\n' },
      ]),
    );
    server.routes.set('/lua.tgz', serve(tgz));
    const artifact = await store().fetch({ kind: 'url', url: `${server.url}/lua.tgz`, sha256: sha256(tgz) });
    const dir = await store().unpack(artifact, { strip: 1 });
    expect((await readdir(dir)).sort()).toEqual(['Makefile', 'src']);
    await writeFile(join(dir, 'marker'), 'kept');
    expect(await store().unpack(artifact, { strip: 1 })).toBe(dir);
    expect(await readFile(join(dir, 'marker'), 'utf8')).toBe('kept');
  });
});

describe('cachedBuild', () => {
  it('builds once into builds/<hash>; a warm call does no work; a failed build leaves nothing', async () => {
    let runs = 0;
    const build = async (dir: string) => {
      runs++;
      await writeFile(join(dir, 'lua.wasm'), 'built');
    };
    const key = ['lua', payloadSha, '-O2'];
    const [first, concurrent] = await Promise.all([
      store().cachedBuild(key, build),
      store().cachedBuild(key, build),
    ]);
    expect(first).toBe(concurrent);
    expect(first).toMatch(/builds[/\\][0-9a-f]{64}$/);
    expect(await readFile(join(first, 'lua.wasm'), 'utf8')).toBe('built');
    expect(await store().cachedBuild(key, build)).toBe(first);
    expect(runs).toBe(1);

    await expect(
      store().cachedBuild(['lua', payloadSha, '-O3'], async (dir) => {
        await writeFile(join(dir, 'half'), 'x');
        throw new Error('compiler crashed');
      }),
    ).rejects.toThrow('compiler crashed');
    expect(await readdir(join(cacheDir, 'builds'))).toEqual([first.slice(-64)]);
  });
});
