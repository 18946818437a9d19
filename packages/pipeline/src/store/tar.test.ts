import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MalformedArchiveError } from './errors.js';
import { readTar, type TarEntry, writeTar } from './tar.js';

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function entries(bytes: Buffer, chunkSize = 7): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  for await (const entry of readTar(chunks(bytes, chunkSize), 'test.tar')) out.push(entry);
  return out;
}

describe('tar', () => {
  it('round-trips files, directories, links and long names (pax) through odd chunk sizes', async () => {
    const long = `lua-5.4.4/${'deep/'.repeat(30)}file.c`;
    const tar = writeTar([
      { path: 'lua-5.4.4/', type: 'directory', mtime: 1_650_000_000 },
      {
        path: 'lua-5.4.4/src/lua.c',
        data: 'int main(void) { return 0; }\n',
        mode: 0o755,
        mtime: 1_650_000_001,
      },
      { path: long, data: 'x' },
      { path: 'lua-5.4.4/link', type: 'symlink', linkTarget: 'src/lua.c' },
      { path: 'lua-5.4.4/hard', type: 'hardlink', linkTarget: 'lua-5.4.4/src/lua.c' },
      { path: 'lua-5.4.4/empty', data: '' },
    ]);
    expect(tar.length % 512).toBe(0);
    const read = await entries(tar);
    expect(read.map((e) => [e.path, e.type, e.linkTarget])).toEqual([
      ['lua-5.4.4/', 'directory', undefined],
      ['lua-5.4.4/src/lua.c', 'file', undefined],
      [long, 'file', undefined],
      ['lua-5.4.4/link', 'symlink', 'src/lua.c'],
      ['lua-5.4.4/hard', 'hardlink', 'lua-5.4.4/src/lua.c'],
      ['lua-5.4.4/empty', 'file', undefined],
    ]);
    expect(read[1]).toMatchObject({ mode: 0o755, mtime: 1_650_000_001 });
    expect(read[1]?.data.toString()).toBe('int main(void) { return 0; }\n');
    expect(await entries(tar, 100_000)).toHaveLength(6);
  });

  it('is deterministic', () => {
    expect(writeTar([{ path: 'a', data: 'b' }])).toEqual(writeTar([{ path: 'a', data: 'b' }]));
  });

  it('reads GNU long names and ustar prefixes', async () => {
    const name = `${'n'.repeat(150)}.txt`;
    const gnu = writeTar([
      { path: '././@LongLink', data: `${name}\0` },
      { path: 'short', data: 'gnu' },
    ]);
    gnu[156] = 'L'.charCodeAt(0);
    fixChecksum(gnu, 0);
    const [entry] = await entries(gnu);
    expect(entry).toMatchObject({ path: name, type: 'file' });
    expect(entry?.data.toString()).toBe('gnu');

    const ustar = writeTar([{ path: 'base.c', data: 'p' }]);
    ustar.write('some/prefix', 345, 'latin1');
    fixChecksum(ustar, 0);
    expect((await entries(ustar))[0]?.path).toBe('some/prefix/base.c');
  });

  it('rejects a damaged header and a truncated archive with a typed error', async () => {
    const tar = writeTar([{ path: 'a.txt', data: 'hello' }]);
    const damaged = Buffer.from(tar);
    damaged[0] = 'b'.charCodeAt(0);
    await expect(entries(damaged)).rejects.toBeInstanceOf(MalformedArchiveError);
    await expect(entries(tar.subarray(0, 600))).rejects.toThrow(/unexpected end of archive/);
  });

  it('is fed gzip by openArchive callers: the gzip magic is what they look for', () => {
    expect([...gzipSync(writeTar([])).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
  });
});

function fixChecksum(block: Buffer, offset: number): void {
  block.fill(0x20, offset + 148, offset + 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += block[offset + i] ?? 0;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, offset + 148, 'latin1');
}
