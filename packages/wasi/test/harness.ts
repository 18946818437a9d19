// Runs a WASI command module under node:wasi or under our host with the same arguments,
// environment, preopens and stdin, and collects what a user observes: stdout, stderr, exit code.

import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from '@wasm-runtime/wasi';

/** What one run is given. Guest paths map to host directories (or, for our host only, a file system). */
export interface RunSpec {
  wasm: string;
  args: string[];
  env?: Record<string, string>;
  preopens?: Record<string, string>;
  stdin?: string;
}

/** Extra options only our host has. */
export interface OursSpec extends Omit<RunSpec, 'preopens'> {
  preopens?: ConstructorParameters<typeof WASI>[0]['preopens'];
  deterministic?: ConstructorParameters<typeof WASI>[0]['deterministic'];
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

/** Runs under our host, stdio in memory. */
export async function runOurs(spec: OursSpec): Promise<RunResult> {
  const wasi = new WASI({
    args: spec.args,
    env: spec.env ?? {},
    preopens: spec.preopens ?? {},
    stdin: typeof spec.stdin === 'string' ? { text: spec.stdin } : (spec.stdin ?? 'ignore'),
    stdout: 'buffer',
    stderr: 'buffer',
    returnOnExit: true,
    ...(spec.deterministic === undefined ? {} : { deterministic: spec.deterministic }),
  });
  const instance = await WebAssembly.instantiate(
    await compile(spec.wasm),
    wasi.imports as WebAssembly.Imports,
  );
  const exitCode = wasi.start(instance);
  return { stdout: wasi.stdoutText(), stderr: wasi.stderrText(), exitCode };
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

/** The part of a `FileSystem` backend that `snapshotFileSystem` reads. */
interface ReadableFileSystem {
  readdir(path: string): { name: string; filetype: number }[] | number;
  readlink(path: string): string | number;
  open(
    path: string,
    flags: { create: boolean; exclusive: boolean; truncate: boolean; write: boolean },
  ): { read(into: Uint8Array, offset: number, length: number, position: number): number } | number;
}

const DIRECTORY = 3;
const SYMBOLIC_LINK = 7;

/** The same lines as `snapshotTree`, read from an in-memory file system through its backend API. */
export function snapshotFileSystem(fs: ReadableFileSystem): TreeEntry[] {
  const lines: TreeEntry[] = [];
  const walk = (rel: string) => {
    const entries = fs.readdir(rel);
    if (typeof entries === 'number') throw new Error(`readdir ${rel}: errno ${entries}`);
    for (const { name, filetype } of [...entries].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = rel ? `${rel}/${name}` : name;
      if (filetype === SYMBOLIC_LINK) lines.push(`link ${path} -> ${fs.readlink(path)}`);
      else if (filetype === DIRECTORY) {
        lines.push(`dir  ${path}/`);
        walk(path);
      } else {
        const handle = fs.open(path, { create: false, exclusive: false, truncate: false, write: false });
        if (typeof handle === 'number') throw new Error(`open ${path}: errno ${handle}`);
        const chunks: Uint8Array[] = [];
        for (let at = 0; ; ) {
          const chunk = new Uint8Array(4096);
          const n = handle.read(chunk, 0, chunk.length, at);
          if (n < 0) throw new Error(`read ${path}: errno ${-n}`);
          if (n === 0) break;
          chunks.push(chunk.subarray(0, n));
          at += n;
        }
        lines.push(`file ${path} ${JSON.stringify(Buffer.concat(chunks).toString('utf8'))}`);
      }
    }
  };
  walk('');
  return lines;
}
