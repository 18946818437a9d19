import { describe, expect, it } from 'vitest';
import { debianPoolUrl, dscFileName, parseDscChecksums } from './debian.js';
import { InvalidArtifactSourceError } from './errors.js';
import { mirrorUrls, parseMirrors } from './mirror.js';
import { packumentUrl, readDist, tarballFileName } from './npm.js';
import { validateSource } from './sources.js';

const sha = '164c7849653b80ae67bec4b7473b884bf5cc8d2dca05653475ec2ed27b9ebf61';

describe('validateSource', () => {
  it('accepts the pinned sources of the recipes', () => {
    expect(() =>
      validateSource({
        kind: 'url',
        url: 'https://www.lua.org/ftp/lua-5.4.4.tar.gz',
        urls: ['https://deb.debian.org/debian/pool/main/l/lua5.4/lua5.4_5.4.4.orig.tar.gz'],
        sha256: sha,
      }),
    ).not.toThrow();
    expect(() =>
      validateSource({
        kind: 'npm',
        package: '@ruby/3.4-wasm-wasi',
        version: '2.10.1',
        path: 'dist/ruby+stdlib.wasm',
      }),
    ).not.toThrow();
    expect(() =>
      validateSource({
        kind: 'debian-source',
        package: 'python3.11',
        version: '3.11.2-6+deb12u8',
        file: 'python3.11_3.11.2.orig.tar.gz',
        sha256: '2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849',
      }),
    ).not.toThrow();
  });

  it('refuses bad checksums, ranges, unsafe paths and unknown kinds', () => {
    const bad = [
      { kind: 'url', url: 'https://x/y', sha256: sha.toUpperCase() },
      { kind: 'url', url: 'ftp://x/y', sha256: sha },
      { kind: 'npm', package: 'x', version: '^1.0.0' },
      { kind: 'npm', package: 'x', version: '1.0.0', path: '../etc/passwd' },
      { kind: 'npm', package: 'x', version: '1.0.0', path: '/abs' },
      { kind: 'git', url: 'x' },
    ];
    for (const source of bad) {
      expect(() => validateSource(source as never)).toThrow(InvalidArtifactSourceError);
    }
  });
});

describe('Debian pool', () => {
  it('computes pool URLs, including lib* prefixes and the security archive', () => {
    expect(debianPoolUrl('https://deb.debian.org/debian', 'lua5.4')).toBe(
      'https://deb.debian.org/debian/pool/main/l/lua5.4/',
    );
    expect(debianPoolUrl('https://deb.debian.org/debian/', 'libffi')).toBe(
      'https://deb.debian.org/debian/pool/main/libf/libffi/',
    );
    expect(debianPoolUrl('https://deb.debian.org/debian-security', 'python3.11')).toBe(
      'https://deb.debian.org/debian-security/pool/updates/main/p/python3.11/',
    );
    expect(dscFileName('foo', '1:2.0-1')).toBe('foo_2.0-1.dsc');
  });

  it('parses Checksums-Sha256 and nothing else', () => {
    const dsc = [
      'Format: 3.0 (quilt)',
      'Checksums-Sha1:',
      ' 0123456789012345678901234567890123456789 1 lua5.4_5.4.4.orig.tar.gz',
      'Checksums-Sha256:',
      ` ${sha} 360876 lua5.4_5.4.4.orig.tar.gz`,
      ` ${'a'.repeat(64)} 10 lua5.4_5.4.4-3+deb12u1.debian.tar.xz`,
      'Files:',
      ` ${'b'.repeat(32)} 360876 lua5.4_5.4.4.orig.tar.gz`,
    ].join('\r\n');
    const files = parseDscChecksums(dsc);
    expect([...files.keys()]).toEqual(['lua5.4_5.4.4.orig.tar.gz', 'lua5.4_5.4.4-3+deb12u1.debian.tar.xz']);
    expect(files.get('lua5.4_5.4.4.orig.tar.gz')).toEqual({ sha256: sha, size: 360876 });
  });
});

describe('mirrors and npm names', () => {
  it('parses directories and HTTP bases and lists lookups by name then by sha256', () => {
    const [dir, web] = parseMirrors('/srv/mirror; https://mirror.example/files');
    expect(dir).toEqual({ kind: 'directory', path: '/srv/mirror' });
    expect(mirrorUrls(web!, ['lua-5.4.4.tar.gz', '../x', 'a/b'], sha)).toEqual([
      'https://mirror.example/files/lua-5.4.4.tar.gz',
      `https://mirror.example/files/sha256/${sha}`,
    ]);
    expect(mirrorUrls(dir!, ['f+g.tgz'], undefined)).toEqual(['file:///srv/mirror/f+g.tgz']);
  });

  it('names packuments and tarballs like npm', () => {
    expect(packumentUrl('https://registry.npmjs.org', '@ruby/3.4-wasm-wasi')).toBe(
      'https://registry.npmjs.org/@ruby%2f3.4-wasm-wasi',
    );
    expect(tarballFileName('@ruby/3.4-wasm-wasi', '2.10.1')).toBe('3.4-wasm-wasi-2.10.1.tgz');
    expect(
      readDist(
        { versions: { '1.0.0': { dist: { tarball: 't', integrity: 'sha1-x sha512-abc= sha512-def=' } } } },
        '1.0.0',
      ),
    ).toEqual({ tarball: 't', sha512: ['abc=', 'def='] });
    expect(readDist({ versions: {} }, '1.0.0')).toBeUndefined();
  });
});
