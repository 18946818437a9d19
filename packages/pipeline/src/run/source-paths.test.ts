import { describe, expect, it } from 'vitest';
import { distSourcePaths, sourcePathRewriter, sourcePathsOutput } from './source-paths.js';

const encoder = new TextEncoder();

const MOUNTS = [
  { guest: '/app', source: 'src', files: ['main.lua', 'lib/cfg.lua', 'ü.lua'] },
  { guest: '/app/vendor', source: 'third_party', files: ['v.lua'] },
  { guest: '/data', source: '', files: ['in.txt'] },
];

/** Feeds `chunks` through a source-paths output; returns what was written before end(), and in all. */
function through(chunks: Array<string | Uint8Array>) {
  const writes: string[] = [];
  const decoder = new TextDecoder();
  const output = sourcePathsOutput(sourcePathRewriter(MOUNTS), (chunk) =>
    writes.push(decoder.decode(chunk, { stream: true })),
  );
  for (const chunk of chunks) output.write(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
  const before = writes.join('');
  output.end();
  return { before, text: writes.join('') };
}

describe('sourcePathRewriter', () => {
  it("rewrites the paths of the mounts' files where a path starts, the longest mount first", () => {
    const { rewrite } = sourcePathRewriter(MOUNTS);
    expect(rewrite('lua: /app/lib/cfg.lua:4: attempt\n\t/app/vendor/v.lua:1: in main chunk')).toBe(
      'lua: src/lib/cfg.lua:4: attempt\n\tthird_party/v.lua:1: in main chunk',
    );
    expect(
      rewrite('/app/main.lua:1: "/app/main.lua" (/app/main.lua) @/app/main.lua <function /app/main.lua:2>'),
    ).toBe('src/main.lua:1: "src/main.lua" (src/main.lua) @src/main.lua <function src/main.lua:2>');
  });

  it('leaves alone paths that are not files of the app, and paths not at a start', () => {
    const { rewrite } = sourcePathRewriter([...MOUNTS, { guest: '/', source: 'all', files: ['etc/passwd'] }]);
    for (const text of [
      "no file '/app/lib/x.lua'",
      '/app/out.txt: Read-only file system',
      '/app/main.lua.bak /app/main.luac /app/lib /app',
      'x/app/main.lua',
      '/etc/passwd',
    ])
      expect(rewrite(text)).toBe(text);
  });

  it("takes a dist's mounts that record their source", () => {
    const paths = distSourcePaths({
      mounts: [
        {
          guest: '/app',
          readOnly: true,
          dir: null,
          files: [{ path: 'main.py', size: 1, sha256: '0'.repeat(64) }],
          source: 'src',
        },
        {
          guest: '/usr/lib/python',
          readOnly: true,
          dir: null,
          files: [{ path: 'os.py', size: 1, sha256: '0'.repeat(64) }],
        },
      ],
    });
    expect(paths.rewrite('File "/usr/lib/python/os.py", File "/app/main.py"')).toBe(
      'File "/usr/lib/python/os.py", File "src/main.py"',
    );
    expect(distSourcePaths({ mounts: [] }).empty).toBe(true);
  });
});

describe('sourcePathsOutput', () => {
  it('rewrites paths split across writes, and passes on at once what cannot become one', () => {
    const r = through([
      'lua: /a',
      'pp/lib/cfg.lua:4: attempt to index a nil value\n',
      'stack traceback:\n\t/app/ma',
      'in.lua: in main chunk\n\t/app/main.lu',
    ]);
    expect(r.text).toBe(
      'lua: src/lib/cfg.lua:4: attempt to index a nil value\nstack traceback:\n\tsrc/main.lua: in main chunk\n\t/app/main.lu',
    );
    // Only a tail that may still become a path waits for end(), which passes it on as it is.
    expect(r.before).toBe(
      'lua: src/lib/cfg.lua:4: attempt to index a nil value\nstack traceback:\n\tsrc/main.lua: in main chunk\n\t',
    );
    expect(through(['progress 10%', ' (', 'x']).before).toBe('progress 10% (x');
    expect(through(['partial line with no newline', ' /tmp/x']).before).toBe(
      'partial line with no newline /tmp/x',
    );
    expect(through(['written to /app/out.txt']).before).toBe('written to /app/out.txt');
  });

  it('keeps the context of a write: a path continues, or starts, across the boundary', () => {
    expect(through(['x', '/app/main.lua']).text).toBe('x/app/main.lua');
    expect(through(['x ', '/app/main.lua']).text).toBe('x src/main.lua');
    expect(through(['x\n', '/app/main.lua']).text).toBe('x\nsrc/main.lua');
    expect(through(['/data/in.txt']).text).toBe('in.txt');
    expect(through(['/app', '/vendor/v.lua']).text).toBe('third_party/v.lua');
    expect(through(['/app/main.lua', '.bak']).text).toBe('/app/main.lua.bak');
  });

  it('keeps a UTF-8 character split across writes whole', () => {
    const bytes = encoder.encode('é /app/ü.lua');
    expect(through([bytes.subarray(0, 1), bytes.subarray(1, 9), bytes.subarray(9)]).text).toBe('é src/ü.lua');
  });
});
