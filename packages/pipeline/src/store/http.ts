import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { fileURLToPath } from 'node:url';
import { ArtifactNotFoundError, DownloadTimeoutError, NetworkError } from './errors.js';

/** What the store reports while it works, for progress bars and logs. The library never prints. */
export type FetchEvent =
  | { type: 'cache-hit'; artifact: string; path: string }
  | { type: 'start'; artifact: string; url: string; total: number | undefined }
  | { type: 'progress'; artifact: string; url: string; received: number; total: number | undefined }
  | { type: 'done'; artifact: string; url: string; received: number }
  | { type: 'retry'; artifact: string; url: string; attempt: number; delayMs: number; error: Error };

/** Network behaviour of one download. */
export interface TransferOptions {
  /** Connect and idle timeout in milliseconds: the longest wait for the next byte. */
  timeoutMs: number;
  /** Extra attempts after a transient failure (5xx, 429, reset, cut-short body, timeout). */
  retries: number;
  /** First backoff delay in milliseconds; doubled after each failed attempt. */
  retryDelayMs: number;
  onProgress: ((event: FetchEvent) => void) | undefined;
  signal: AbortSignal | undefined;
  /** Description of the artifact, copied into progress events. */
  artifact: string;
}

/** Hashes and size of bytes streamed to a file. */
export interface Digest {
  size: number;
  sha256: string;
  sha512: string | undefined;
}

/** Failure of one attempt; `retry` tells whether another attempt can help. */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
    readonly kind: 'status' | 'network' | 'timeout' | 'not-found' | 'too-large',
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const MAX_REDIRECTS = 10;

/**
 * Downloads `url` into the file `destination` (truncated before each attempt), hashing as it goes.
 * Retries transient failures with exponential backoff; a 404/410 or a body larger than `maxSize`
 * is never retried. Throws `ArtifactNotFoundError`, `NetworkError` or `DownloadTimeoutError`.
 */
export async function downloadToFile(
  url: string,
  destination: string,
  options: TransferOptions & { sha512?: boolean; maxSize?: number; expectedSize?: number },
): Promise<Digest> {
  return withRetries(url, options, async () => {
    const handle = await open(destination, 'w');
    try {
      const sink = new HashingSink(handle, options.sha512 === true);
      await transfer(url, options, sink, options.maxSize, options.expectedSize);
      await handle.sync();
      return sink.digest();
    } finally {
      await handle.close();
    }
  });
}

/** Downloads a small document (a packument, a `.dsc`) into memory, with the same retry policy. */
export async function downloadToBuffer(
  url: string,
  options: TransferOptions & { headers?: Record<string, string>; maxSize?: number },
): Promise<Buffer> {
  return withRetries(url, options, async () => {
    const chunks: Buffer[] = [];
    await transfer(
      url,
      options,
      {
        write: async (chunk) => {
          chunks.push(chunk);
        },
      },
      options.maxSize ?? 64 * 1024 * 1024,
      undefined,
      options.headers,
    );
    return Buffer.concat(chunks);
  });
}

async function withRetries<T>(url: string, options: TransferOptions, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await run();
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!(error instanceof AttemptError)) throw error;
      if (error.kind === 'not-found') throw new ArtifactNotFoundError(url, error.message, error.status);
      if (!error.retry || attempt > options.retries) {
        if (error.kind === 'timeout') throw new DownloadTimeoutError(url, options.timeoutMs / 1000, attempt);
        throw new NetworkError(url, error.message, attempt, {
          ...(error.status === undefined ? {} : { status: error.status }),
          ...(error.cause === undefined ? {} : { cause: error.cause }),
        });
      }
      const delayMs = options.retryDelayMs * 2 ** (attempt - 1);
      options.onProgress?.({ type: 'retry', artifact: options.artifact, url, attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

interface Sink {
  write(chunk: Buffer): Promise<void>;
}

async function transfer(
  url: string,
  options: TransferOptions,
  sink: Sink,
  maxSize: number | undefined,
  expectedSize: number | undefined,
  headers: Record<string, string> = {},
): Promise<void> {
  if (url.startsWith('file:')) return readLocal(url, options, sink, maxSize);
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const response = await get(current, options, headers);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location !== undefined) {
      response.resume();
      if (redirects >= MAX_REDIRECTS)
        throw new AttemptError(`more than ${MAX_REDIRECTS} redirects`, false, 'status');
      const next = new URL(response.headers.location, current);
      if (new URL(current).protocol === 'https:' && next.protocol !== 'https:') {
        throw new AttemptError(
          `refusing a redirect from https to ${next.protocol} (${next.href})`,
          false,
          'status',
        );
      }
      current = next.href;
      continue;
    }
    if (status === 404 || status === 410) {
      response.resume();
      throw new AttemptError(`HTTP ${status}`, false, 'not-found', status);
    }
    if (status !== 200) {
      response.resume();
      const transient = status >= 500 || status === 429 || status === 408;
      throw new AttemptError(`HTTP ${status}`, transient, 'status', status);
    }
    const lengthHeader = response.headers['content-length'];
    const length = lengthHeader === undefined ? undefined : Number(lengthHeader);
    const total = length ?? expectedSize;
    if (maxSize !== undefined && length !== undefined && length > maxSize) {
      response.resume();
      throw new AttemptError(
        `the server announces ${length} bytes, more than the expected ${maxSize}`,
        false,
        'too-large',
      );
    }
    options.onProgress?.({ type: 'start', artifact: options.artifact, url, total });
    let received = 0;
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (maxSize !== undefined && received > maxSize) {
          throw new AttemptError(`the body is larger than the expected ${maxSize} bytes`, false, 'too-large');
        }
        await sink.write(chunk);
        options.onProgress?.({ type: 'progress', artifact: options.artifact, url, received, total });
      }
    } catch (error) {
      response.destroy();
      throw asAttemptError(error);
    }
    if (length !== undefined && received !== length) {
      throw new AttemptError(`connection closed after ${received} of ${length} bytes`, true, 'network');
    }
    options.onProgress?.({ type: 'done', artifact: options.artifact, url, received });
    return;
  }
}

function get(
  url: string,
  options: TransferOptions,
  headers: Record<string, string>,
): Promise<http.IncomingMessage> {
  const parsed = new URL(url);
  const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
  if (client === undefined) {
    return Promise.reject(new AttemptError(`unsupported URL scheme ${parsed.protocol}`, false, 'status'));
  }
  return new Promise((resolve, reject) => {
    const request = client.get(
      parsed,
      {
        agent: false,
        headers: { 'user-agent': 'wasm-runtime (artifact store)', ...headers },
        timeout: options.timeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      (response) => {
        // The request's socket timeout keeps firing while the body streams: a stall mid-body
        // destroys the response with this error, which the reading loop turns into a retry.
        request.on('timeout', () => {
          response.destroy(new AttemptError('timed out', true, 'timeout'));
        });
        resolve(response);
      },
    );
    request.on('timeout', () => {
      request.destroy(new AttemptError('timed out', true, 'timeout'));
    });
    request.on('error', (error) => reject(asAttemptError(error)));
  });
}

function asAttemptError(error: unknown): unknown {
  if (error instanceof AttemptError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ABORT_ERR' || (error as Error | undefined)?.name === 'AbortError') return error;
  if (code === 'ERR_FS_FILE_TOO_LARGE' || code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS')
    return error;
  if (code === 'ENOTFOUND') {
    // NXDOMAIN does not heal in seconds (unlike EAI_AGAIN): move on to the next location at once.
    return new AttemptError('host not found (DNS)', false, 'network', undefined, { cause: error });
  }
  const message = code === undefined ? String((error as Error)?.message ?? error) : `${code}`;
  const detail = message === 'aborted' ? 'connection closed before the body was complete' : message;
  return new AttemptError(detail, true, 'network', undefined, { cause: error });
}

async function readLocal(
  url: string,
  options: TransferOptions,
  sink: Sink,
  maxSize: number | undefined,
): Promise<void> {
  const path = fileURLToPath(url);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new AttemptError('no such file', false, 'not-found');
    throw error;
  }
  if (maxSize !== undefined && size > maxSize) {
    throw new AttemptError(
      `the file has ${size} bytes, more than the expected ${maxSize}`,
      false,
      'too-large',
    );
  }
  options.onProgress?.({ type: 'start', artifact: options.artifact, url, total: size });
  let received = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    received += chunk.length;
    await sink.write(chunk);
    options.onProgress?.({ type: 'progress', artifact: options.artifact, url, received, total: size });
  }
  options.onProgress?.({ type: 'done', artifact: options.artifact, url, received });
}

class HashingSink implements Sink {
  private readonly sha256: Hash = createHash('sha256');
  private readonly sha512: Hash | undefined;
  private size = 0;

  constructor(
    private readonly handle: FileHandle,
    withSha512: boolean,
  ) {
    this.sha512 = withSha512 ? createHash('sha512') : undefined;
  }

  async write(chunk: Buffer): Promise<void> {
    this.sha256.update(chunk);
    this.sha512?.update(chunk);
    this.size += chunk.length;
    await this.handle.write(chunk);
  }

  digest(): Digest {
    return { size: this.size, sha256: this.sha256.digest('hex'), sha512: this.sha512?.digest('base64') };
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
