import { link, mkdir, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { LockTimeoutError } from './errors.js';

/** Timing of a cache lock. */
export interface LockOptions {
  /** Give up waiting after this many milliseconds (default 15 minutes). */
  timeoutMs?: number;
  /**
   * A lock whose file has not been refreshed for this long is stale and is taken over (default
   * 30 s). The holder refreshes the file's mtime every `staleMs / 3`.
   */
  staleMs?: number;
  /** Cancels the wait. */
  signal?: AbortSignal;
}

interface LockInfo {
  pid: number;
  host: string;
  created: string;
}

const host = hostname();

/**
 * Runs `fn` while holding the exclusive lock file `lockPath` (created with O_EXCL, holding the
 * holder's pid, host and start time). Waits for another holder to finish; takes over a stale lock
 * (holder process dead on this host, or the file not refreshed for `staleMs`).
 *
 * The store never relies on the lock for correctness (every write is a rename of verified bytes):
 * it only keeps two builds from downloading or building the same thing twice.
 */
export async function withLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const release = await acquireLock(lockPath, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}

async function acquireLock(lockPath: string, options: LockOptions): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const staleMs = options.staleMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  await mkdir(dirname(lockPath), { recursive: true });
  let delay = 20;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const handle = await open(lockPath, 'wx');
      const info: LockInfo = { pid: process.pid, host, created: new Date().toISOString() };
      try {
        await handle.writeFile(JSON.stringify(info));
      } finally {
        await handle.close();
      }
      return startHolding(lockPath, staleMs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(lockPath);
    if (holder !== undefined && isStale(holder, staleMs)) {
      await breakLock(lockPath, holder.ino);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder?.info
        ? `pid ${holder.info.pid} on ${holder.info.host} since ${holder.info.created}`
        : 'an unknown process';
      throw new LockTimeoutError(lockPath, timeoutMs / 1000, who);
    }
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
    delay = Math.min(delay * 2, 250) * (0.75 + Math.random() * 0.5);
  }
}

function startHolding(lockPath: string, staleMs: number): () => Promise<void> {
  const timer = setInterval(
    () => {
      const now = new Date();
      utimes(lockPath, now, now).catch(() => {});
    },
    Math.max(10, Math.floor(staleMs / 3)),
  );
  timer.unref();
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    clearInterval(timer);
    await unlink(lockPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  };
}

interface Holder {
  info: LockInfo | undefined;
  mtimeMs: number;
  ino: number;
}

async function readHolder(lockPath: string): Promise<Holder | undefined> {
  try {
    const stats = await stat(lockPath);
    let info: LockInfo | undefined;
    try {
      const parsed = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockInfo>;
      if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
        info = { pid: parsed.pid, host: parsed.host, created: String(parsed.created) };
      }
    } catch {
      // Being written right now, or garbage: judged by its age alone.
    }
    return { info, mtimeMs: stats.mtimeMs, ino: stats.ino };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isStale(holder: Holder, staleMs: number): boolean {
  if (Date.now() - holder.mtimeMs > staleMs) return true;
  if (holder.info === undefined || holder.info.host !== host) return false;
  return !isAlive(holder.info.pid);
}

/** True when a process with this pid exists on this machine (it may belong to another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function breakLock(lockPath: string, ino: number): Promise<void> {
  // Rename first so that two waiters breaking the same stale lock cannot both delete it and then
  // one of them delete the fresh lock the other has just created.
  const aside = `${lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await stat(aside).catch(() => undefined);
  if (moved !== undefined && moved.ino !== ino) {
    // Someone else took over in between and we moved their fresh lock: put it back unless the
    // slot has been taken again (link, unlike rename, never overwrites).
    await link(aside, lockPath).catch(() => {});
  }
  await unlink(aside).catch(() => {});
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
