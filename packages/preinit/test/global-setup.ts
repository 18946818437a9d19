import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The CLI tests run the real `bin/wizer.js`, which imports dist/: build it when src/ is newer. */
export default async function setup(): Promise<void> {
  const built = join(root, 'dist', 'cli.js');
  const newest = Math.max(
    ...readdirSync(join(root, 'src'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => statSync(join(root, 'src', f)).mtimeMs),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root });
}
