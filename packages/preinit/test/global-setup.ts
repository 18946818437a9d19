import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const cDir = join(root, 'test', 'fixtures', 'c');

/** Builds the C fixtures with the wasm32-wasi clang, when it is installed (tests skip otherwise). */
async function buildCFixtures(): Promise<void> {
  const out = join(cDir, '.build');
  const clang = await execa('clang', ['--version'], { reject: false }).catch(() => undefined);
  if (clang === undefined || clang.exitCode !== 0) return;
  mkdirSync(out, { recursive: true });
  const builds: Array<[string, string[]]> = [
    ['app.wasm', ['app.c']],
    ['app-no-files.wasm', ['-DNO_FILES', 'app.c']],
    ['sjlj.wasm', ['-mllvm', '-wasm-enable-sjlj', `-I${cDir}`, 'sjlj.c', 'sjlj-runtime.c']],
  ];
  for (const [name, args] of builds) {
    const target = join(out, name);
    const sources = args.filter((a) => a.endsWith('.c')).map((a) => join(cDir, a));
    if (existsSync(target) && sources.every((s) => statSync(s).mtimeMs <= statSync(target).mtimeMs)) continue;
    await execa('clang', ['--target=wasm32-wasi', '-O2', '-mexec-model=reactor', '-o', target, ...args], {
      cwd: cDir,
    });
  }
}

/** The CLI tests run the real `bin/wizer.js`, which imports dist/: build it when src/ is newer. */
export default async function setup(): Promise<void> {
  await buildCFixtures();
  const built = join(root, 'dist', 'cli.js');
  const newest = Math.max(
    ...readdirSync(join(root, 'src'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => statSync(join(root, 'src', f)).mtimeMs),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root });
}
