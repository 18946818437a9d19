import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockTimeoutError } from './errors.js';
import { withLock } from './lock.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasm-runtime-lock-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('withLock', () => {
  it('serializes holders of the same lock and removes the file afterwards', async () => {
    const lock = join(dir, 'locks', 'k.lock');
    const order: string[] = [];
    const hold = (name: string) =>
      withLock(lock, async () => {
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 30));
        order.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(await readdir(join(dir, 'locks'))).toEqual([]);
  });

  it('releases the lock when the work throws', async () => {
    const lock = join(dir, 'k.lock');
    await expect(withLock(lock, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(withLock(lock, async () => 'next')).resolves.toBe('next');
  });

  it('takes over a lock left by a dead process', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const lock = join(dir, 'k.lock');
    await writeFile(lock, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), created: 'then' }));
    await expect(withLock(lock, async () => 'got it', { timeoutMs: 2000 })).resolves.toBe('got it');
  });

  it('takes over a lock that has not been refreshed for staleMs', async () => {
    const lock = join(dir, 'k.lock');
    await writeFile(lock, JSON.stringify({ pid: 1, host: 'another-machine', created: 'then' }));
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await expect(withLock(lock, async () => 'got it', { timeoutMs: 2000, staleMs: 10_000 })).resolves.toBe(
      'got it',
    );
  });

  it('times out with a typed error naming the holder when a live holder keeps the lock', async () => {
    const lock = join(dir, 'k.lock');
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), created: 'now' }));
    const error = await withLock(lock, async () => 'never', { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toMatchObject({ code: 'ERR_CACHE_LOCK_TIMEOUT', seconds: 0.15 });
    expect((error as Error).message).toContain(`pid ${process.pid}`);
  });
});
