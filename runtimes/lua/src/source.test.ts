import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LuaSourceError } from './errors.js';
import { fetchPinnedSource, LUA_SOURCE, type PinnedSource, sha256Hex } from './source.js';

const payload = new TextEncoder().encode('pretend this is a tarball\n');
let server: Server;
let base: string;
let hits: string[];
let cacheDir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/good.tar.gz') res.end(payload);
    else if (req.url === '/corrupt.tar.gz') res.end('not the pinned bytes');
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(async () => {
  hits = [];
  cacheDir = await mkdtemp(join(tmpdir(), 'lua-source-'));
  return () => rm(cacheDir, { recursive: true, force: true });
});

const pinned = (urls: string[]): PinnedSource => ({
  fileName: 'fake.tar.gz',
  sha256: sha256Hex(payload),
  size: payload.length,
  urls,
  rootDir: 'fake',
});

describe('fetchPinnedSource', () => {
  it('pins the Lua tarball to upstream then the Debian pool, under one sha256', () => {
    expect(LUA_SOURCE.sha256).toBe('164c7849653b80ae67bec4b7473b884bf5cc8d2dca05653475ec2ed27b9ebf61');
    expect(LUA_SOURCE.urls).toEqual([
      'https://www.lua.org/ftp/lua-5.4.4.tar.gz',
      'http://deb.debian.org/debian/pool/main/l/lua5.4/lua5.4_5.4.4.orig.tar.gz',
    ]);
  });

  it('tries the URLs in order, skipping failures and wrong bytes, and caches the verified file', async () => {
    const source = pinned([`${base}/missing.tar.gz`, `${base}/corrupt.tar.gz`, `${base}/good.tar.gz`]);
    const path = await fetchPinnedSource(source, { cacheDir, localPath: '' });
    expect(hits).toEqual(['/missing.tar.gz', '/corrupt.tar.gz', '/good.tar.gz']);
    expect(path).toBe(join(cacheDir, 'sources', source.sha256, 'fake.tar.gz'));
    expect(await readFile(path)).toEqual(Buffer.from(payload));
    // second time: from the cache, no request
    hits = [];
    expect(await fetchPinnedSource(source, { cacheDir, localPath: '' })).toBe(path);
    expect(hits).toEqual([]);
  });

  it('fails with a typed error listing every URL when none serves the pinned bytes', async () => {
    const source = pinned([`${base}/missing.tar.gz`, `${base}/corrupt.tar.gz`]);
    const failure = fetchPinnedSource(source, { cacheDir, localPath: '' });
    await expect(failure).rejects.toBeInstanceOf(LuaSourceError);
    await expect(failure).rejects.toMatchObject({
      code: 'ERR_LUA_SOURCE_UNAVAILABLE',
      message: expect.stringMatching(
        /missing\.tar\.gz: HTTP 404[\s\S]*corrupt\.tar\.gz: sha256 [0-9a-f]{64} does not match/,
      ),
    });
    const onlyCorrupt = fetchPinnedSource(pinned([`${base}/corrupt.tar.gz`]), { cacheDir, localPath: '' });
    await expect(onlyCorrupt).rejects.toMatchObject({ code: 'ERR_LUA_SOURCE_CHECKSUM' });
  });

  it('uses a local copy instead of the network, still checked against the pin', async () => {
    const local = join(cacheDir, 'copy.tar.gz');
    await writeFile(local, payload);
    const source = pinned([`${base}/good.tar.gz`]);
    expect(await fetchPinnedSource(source, { cacheDir, localPath: local })).toBe(local);
    expect(hits).toEqual([]);
    await writeFile(local, 'tampered');
    await expect(fetchPinnedSource(source, { cacheDir, localPath: local })).rejects.toMatchObject({
      code: 'ERR_LUA_SOURCE_CHECKSUM',
    });
    await expect(
      fetchPinnedSource(source, { cacheDir, localPath: join(cacheDir, 'nope.tar.gz') }),
    ).rejects.toMatchObject({ code: 'ERR_LUA_SOURCE_UNAVAILABLE' });
  });
});

describe('fetchPinnedSource timeouts', () => {
  it('gives up on a URL that does not answer in time and tries the next', async () => {
    const slow = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/hang.tar.gz`;
    try {
      const path = await fetchPinnedSource(pinned([slowUrl, `${base}/good.tar.gz`]), {
        cacheDir,
        localPath: '',
        timeoutMs: 300,
      });
      expect(await readFile(path)).toEqual(Buffer.from(payload));
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});
