// Runs a WASI command module under node:wasi or under our host with the same arguments,
// environment, preopens and stdin, and collects what a user observes: stdout, stderr, exit code.

import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one run is given. Guest paths map to host directories. */
export interface RunSpec {
  wasm: string;
  args: string[];
  env?: Record<string, string>;
  preopens?: Record<string, string>;
  stdin?: string;
}

/** What one run gave. */
export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const modules = new Map<string, WebAssembly.Module>();

/** Compiles a module once per test file. */
export async function compile(wasm: string): Promise<WebAssembly.Module> {
  let module = modules.get(wasm);
  if (!module) {
    module = await WebAssembly.compile(await readFile(wasm));
    modules.set(wasm, module);
  }
  return module;
}

/** A fresh temporary directory, removed by the returned function. */
export async function tempDir(prefix = 'wasi-test-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Runs under Node's own node:wasi, with stdio through temporary files (it only takes fds). */
export async function runNodeWasi(spec: RunSpec): Promise<RunResult> {
  const { WASI } = await import('node:wasi');
  const dir = await tempDir('node-wasi-stdio-');
  const inPath = join(dir.path, 'stdin');
  const outPath = join(dir.path, 'stdout');
  const errPath = join(dir.path, 'stderr');
  writeFileSync(inPath, spec.stdin ?? '');
  const fds = [openSync(inPath, 'r'), openSync(outPath, 'w'), openSync(errPath, 'w')] as const;
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: spec.args,
      env: spec.env ?? {},
      preopens: spec.preopens ?? {},
      returnOnExit: true,
      stdin: fds[0],
      stdout: fds[1],
      stderr: fds[2],
    });
    const instance = await WebAssembly.instantiate(
      await compile(spec.wasm),
      wasi.getImportObject() as WebAssembly.Imports,
    );
    const exitCode = wasi.start(instance);
    return {
      stdout: readFileSync(outPath, 'utf8'),
      stderr: readFileSync(errPath, 'utf8'),
      exitCode,
    };
  } finally {
    for (const fd of fds) closeSync(fd);
    await dir.remove();
  }
}

/** One entry of a directory tree as a test compares it. */
export type TreeEntry = string;

/**
 * The tree under `root` as sorted lines: `dir a/`, `file a/b.txt <content>`, `link a/c -> target`,
 * so two runs' written files compare with one `toEqual`.
 */
export async function snapshotTree(root: string): Promise<TreeEntry[]> {
  const lines: TreeEntry[] = [];
  const walk = async (rel: string) => {
    const names = (await readdir(join(root, rel))).sort();
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(root, path));
      if (st.isSymbolicLink()) lines.push(`link ${path} -> ${await readlink(join(root, path))}`);
      else if (st.isDirectory()) {
        lines.push(`dir  ${path}/`);
        await walk(path);
      } else lines.push(`file ${path} ${JSON.stringify(await readFile(join(root, path), 'utf8'))}`);
    }
  };
  await walk('');
  return lines;
}
