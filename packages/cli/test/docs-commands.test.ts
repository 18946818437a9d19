// Every shell block of the README and docs/ marked `<!-- runnable -->` (or `<!-- runnable
// cwd=DIR -->`, DIR relative to the repository's root) is run as written, so the commands users
// copy cannot drift from what works. Blocks run in place: what they write (dist/) is git-ignored.
// `npx X` and bare `wasm-runtime` resolve to this workspace's bins, as after `npm install`.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const cacheDir = fileURLToPath(new URL('./.build/docs-store/', import.meta.url));

interface Block {
  file: string;
  line: number;
  cwd: string;
  script: string;
}

async function markdownFiles(): Promise<string[]> {
  const files = [join(root, 'README.md')];
  for (const dir of ['docs', 'packages', 'runtimes', 'templates']) {
    for (const entry of await readdir(join(root, dir), { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      if (entry.isFile() && entry.name.endsWith('.md') && !/[/\\](node_modules|dist)[/\\]/.test(path))
        files.push(path);
    }
  }
  return files.sort();
}

/** The runnable blocks of a Markdown text: a marker line, then a fenced `sh` block. */
function runnableBlocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  lines.forEach((line, i) => {
    const marker = /^<!-- runnable(?: cwd=(\S+))? -->$/.exec(line.trim());
    if (marker === null) return;
    if (lines[i + 1]?.trim() !== '```sh')
      throw new Error(`${file}:${i + 1}: a runnable marker must precede a sh block`);
    const end = lines.findIndex((l, j) => j > i + 1 && l.trim() === '```');
    blocks.push({
      file,
      line: i + 1,
      cwd: join(root, marker[1] ?? '.'),
      script: lines.slice(i + 2, end).join('\n'),
    });
  });
  return blocks;
}

const blocks = (
  await Promise.all((await markdownFiles()).map(async (f) => runnableBlocks(f, await readFile(f, 'utf8'))))
).flat();

describe('runnable commands in the README and docs', () => {
  it('there are some (the README quick start at least)', () => {
    expect(blocks.some((b) => b.file === join(root, 'README.md'))).toBe(true);
  });

  it.each(blocks.map((b) => [`${relative(root, b.file)}:${b.line}`, b] as const))(
    '%s runs',
    async (_, block) => {
      const bin = join(root, 'node_modules', '.bin');
      const env = {
        ...process.env,
        PATH: `${bin}:${process.env['PATH'] ?? ''}`,
        WASM_RUNTIME_CACHE: cacheDir,
        WASM_RUNTIME_MIRROR: join(root, '.cache', 'mirror'),
        npm_config_offline: 'true',
      };
      // `npx X` runs the workspace's bin X, never the registry's.
      const script = `set -euo pipefail\nnpx() { "$@"; }\n${block.script}`;
      const result = await run('bash', ['-c', script], {
        cwd: block.cwd,
        env,
        maxBuffer: 64 * 1024 * 1024,
      }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(
          `${relative(root, block.file)}:${block.line} failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`,
        );
      });
      // Exit status 0 is the claim; a typed error on stderr would be a failure that still exited 0.
      expect(result.stderr).not.toMatch(/^error\[/m);
    },
    300_000,
  );
});
