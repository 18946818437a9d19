import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { MalformedArchiveError } from './errors.js';

/** One entry of a tar archive, with pax and GNU long names already applied. */
export interface TarEntry {
  /** Path as stored (may be unsafe: callers that write to disk must check it). */
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';
  mode: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  /** Target of a symlink or hardlink. */
  linkTarget: string | undefined;
  /** File contents (empty for other types). */
  data: Buffer;
}

const BLOCK = 512;

/** A file entry for `writeTar`: contents, or a directory, or a link. */
export interface TarInput {
  path: string;
  type?: 'file' | 'directory' | 'symlink' | 'hardlink';
  data?: Uint8Array | string;
  linkTarget?: string;
  mode?: number;
  mtime?: number;
}

/**
 * Builds an uncompressed POSIX tar (ustar, with a pax `path`/`linkpath` record when a name does
 * not fit). Deterministic: uid/gid 0, no user names, `mtime` 0 unless given.
 */
export function writeTar(entries: readonly TarInput[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const data = type === 'file' ? Buffer.from(entry.data ?? '') : Buffer.alloc(0);
    const link = entry.linkTarget ?? '';
    const pax: string[] = [];
    if (Buffer.byteLength(entry.path) > 100) pax.push(paxRecord('path', entry.path));
    if (Buffer.byteLength(link) > 100) pax.push(paxRecord('linkpath', link));
    if (pax.length > 0) {
      const body = Buffer.from(pax.join(''));
      blocks.push(header(`PaxHeaders/${entry.path.slice(-80)}`, 'x', body.length, 0o644, 0, ''), pad(body));
    }
    const flag = { file: '0', directory: '5', symlink: '2', hardlink: '1' }[type];
    const mode = entry.mode ?? (type === 'directory' ? 0o755 : 0o644);
    blocks.push(header(entry.path, flag, data.length, mode, entry.mtime ?? 0, link), pad(data));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(blocks);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length++;
  return `${length}${body}`;
}

function header(path: string, flag: string, size: number, mode: number, mtime: number, link: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(truncateUtf8(path, 100), 0, 'utf8');
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtime);
  block.fill(0x20, 148, 156);
  block.write(flag, 156, 'latin1');
  block.write(truncateUtf8(link, 100), 157, 'utf8');
  block.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  return block;
}

function truncateUtf8(text: string, bytes: number): string {
  let out = text;
  while (Buffer.byteLength(out) > bytes) out = out.slice(1);
  return out;
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, 'latin1');
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

/** Streams the bytes of a `.tar` or `.tar.gz`/`.tgz` file, decompressing when it starts with the gzip magic. */
export async function openArchive(path: string): Promise<AsyncIterable<Buffer>> {
  const handle = await open(path, 'r');
  const magic = Buffer.alloc(2);
  try {
    await handle.read(magic, 0, 2, 0);
  } finally {
    await handle.close();
  }
  const raw = createReadStream(path);
  if (magic[0] === 0x1f && magic[1] === 0x8b) return raw.pipe(createGunzip());
  return raw;
}

/**
 * Reads the entries of a tar stream one at a time (each entry's data is buffered, the archive is
 * not). Understands ustar, pax extended headers (`path`, `linkpath`, `size`) and GNU long names.
 * `name` is used in errors.
 */
export async function* readTar(source: AsyncIterable<Buffer>, name: string): AsyncGenerator<TarEntry> {
  const reader = new ChunkReader(source, name);
  let pax: Record<string, string> = {};
  let globalPax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const offset = reader.offset;
    const block = await reader.read(BLOCK);
    if (block === undefined || block.every((byte) => byte === 0)) return;
    verifyChecksum(block, name, offset);
    const flag = String.fromCharCode(block[156] ?? 0);
    const paxSize = 'xgLK'.includes(flag) ? undefined : pax['size'];
    const size = paxSize === undefined ? readSize(block, name, offset) : Number(paxSize);
    if (!Number.isSafeInteger(size) || size < 0)
      throw new MalformedArchiveError(name, offset, 'bad entry size');
    const data = (await reader.read(size)) ?? truncated(name, reader.offset);
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (padding > 0 && (await reader.read(padding)) === undefined) truncated(name, reader.offset);
    switch (flag) {
      case 'x':
        pax = parsePax(data, name, offset);
        continue;
      case 'g':
        globalPax = { ...globalPax, ...parsePax(data, name, offset) };
        continue;
      case 'L':
        longName = cString(data);
        continue;
      case 'K':
        longLink = cString(data);
        continue;
    }
    const magic = block.toString('latin1', 257, 263);
    const prefix = magic === 'ustar\u0000' ? cString(block.subarray(345, 500)) : '';
    const stored = cString(block.subarray(0, 100));
    const fields = { ...globalPax, ...pax };
    const path = fields['path'] ?? longName ?? (prefix === '' ? stored : `${prefix}/${stored}`);
    const linkTarget = fields['linkpath'] ?? longLink ?? cString(block.subarray(157, 257));
    pax = {};
    longName = undefined;
    longLink = undefined;
    const type = entryType(flag, path);
    yield {
      path,
      type,
      mode: parseOctal(block.subarray(100, 108)),
      mtime: parseOctal(block.subarray(136, 148)),
      linkTarget: type === 'symlink' || type === 'hardlink' ? linkTarget : undefined,
      data: type === 'file' ? data : Buffer.alloc(0),
    };
  }
}

function entryType(flag: string, path: string): TarEntry['type'] {
  switch (flag) {
    case '0':
    case '\u0000':
    case '7':
      // Pre-POSIX archives mark directories only by a trailing slash.
      return path.endsWith('/') ? 'directory' : 'file';
    case '5':
      return 'directory';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    default:
      return 'other';
  }
}

function truncated(name: string, offset: number): never {
  throw new MalformedArchiveError(name, offset, 'unexpected end of archive');
}

function verifyChecksum(block: Buffer, name: string, offset: number): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  const stored = parseOctal(block.subarray(148, 156));
  if (stored !== sum) throw new MalformedArchiveError(name, offset, 'bad tar header checksum');
}

function readSize(block: Buffer, name: string, offset: number): number {
  const field = block.subarray(124, 136);
  if (((field[0] ?? 0) & 0x80) !== 0) {
    // GNU base-256 encoding for sizes of 8 GiB and more.
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    if (!Number.isSafeInteger(value)) throw new MalformedArchiveError(name, offset, 'entry size too large');
    return value;
  }
  return parseOctal(field);
}

function parseOctal(field: Buffer): number {
  const text = field
    .toString('latin1')
    .replace(/[\u0000 ].*$/s, '')
    .trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.toString('utf8', 0, end === -1 ? bytes.length : end);
}

function parsePax(data: Buffer, name: string, offset: number): Record<string, string> {
  const fields: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = space === -1 ? Number.NaN : Number(data.toString('latin1', at, space));
    if (!Number.isInteger(length) || length <= 0 || at + length > data.length) {
      throw new MalformedArchiveError(name, offset, 'bad pax extended header');
    }
    const record = data.toString('utf8', space + 1, at + length - 1);
    const equals = record.indexOf('=');
    if (equals > 0) fields[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }
  return fields;
}

class ChunkReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private buffered: Buffer[] = [];
  private available = 0;
  offset = 0;

  constructor(
    source: AsyncIterable<Buffer>,
    private readonly name: string,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Exactly `length` bytes, or undefined at the end of the stream. */
  async read(length: number): Promise<Buffer | undefined> {
    if (length === 0) return Buffer.alloc(0);
    while (this.available < length) {
      let next: IteratorResult<Buffer>;
      try {
        next = await this.iterator.next();
      } catch (error) {
        throw new MalformedArchiveError(this.name, this.offset, (error as Error).message, { cause: error });
      }
      if (next.done) return undefined;
      this.buffered.push(next.value);
      this.available += next.value.length;
    }
    const joined = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
    const out = joined.subarray(0, length);
    const rest = joined.subarray(length);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.available = rest.length;
    this.offset += length;
    return out;
  }
}
