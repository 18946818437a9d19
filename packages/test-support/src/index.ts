import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createPool,
  type DistManifest,
  loadDist,
  type RestoreContext,
  runDist,
} from '@wasm-runtime/pipeline';
import { ProcExit, WASI } from '@wasm-runtime/wasi';

/** What a user observes of one run. */
export interface Observed {
  code: number;
  stdout: string;
  stderr: string;
}

/** The run's side of every way: what a user passes to `wasm-runtime run`. */
export interface WayOptions {
  /** Arguments after the program name. */
  args?: readonly string[];
  /** The guest's whole environment at run time. */
  env?: Readonly<Record<string, string>>;
  /** Bytes or text on stdin (default: end of file at once). */
  stdin?: string | Uint8Array;
  /** Host directories preopened at run time, after the app's own mounts. */
  dirs?: ReadonlyArray<{ host: string; guest: string }>;
}

/** Imports beyond WASI preview1 that a runtime module needs, by module name. */
export type ExtraImports = Record<string, Record<string, WebAssembly.ImportValue>>;

/** How a runtime is run cold: without a snapshot, init and entry in one instance. */
export interface ColdSpec {
  /** The runtime module, before pre-initialization. */
  module: WebAssembly.Module;
  /** The guest's `argv[0]` (the app's name, as a build names its dist). */
  name: string;
  /** Exports called in order, as a build's init then a snapshot's start would: e.g. `_initialize`, `wizer-initialize`, the entry. */
  calls: readonly string[];
  /** Directories init reads (the staged app tree), preopened first. */
  preopens?: Readonly<Record<string, string | { dir: string; readOnly: boolean }>>;
  /** Environment init needs on top of the run's (e.g. where the entry file is). */
  initEnv?: Readonly<Record<string, string>>;
  /** Imports beyond WASI preview1. */
  imports?: ExtraImports;
}

function wasiFor(
  name: string,
  options: WayOptions,
  preopens: Record<string, string | { dir: string; readOnly: boolean }>,
  env: Record<string, string>,
  state?: DistManifest['hostState'],
): WASI {
  for (const d of options.dirs ?? []) preopens[d.guest] = d.host;
  return new WASI({
    args: [name, ...(options.args ?? [])],
    env,
    preopens,
    stdin: stdinOf(options.stdin),
    stdout: 'buffer',
    stderr: 'buffer',
    ...(state ? { state } : {}),
  });
}

function imports(wasi: WASI, extra: ExtraImports | undefined): WebAssembly.Imports {
  return { ...(wasi.imports as WebAssembly.Imports), ...extra };
}

/** Runs `body`, turning a `proc_exit` into its code; a trap keeps the guest's stderr in its message. */
function observe(wasi: WASI, body: () => number): Observed {
  let code: number;
  try {
    code = body();
  } catch (error) {
    if (error instanceof ProcExit) code = error.exitCode;
    else {
      if (error instanceof WebAssembly.RuntimeError) error.message += `\n${wasi.stderrText()}`;
      throw error;
    }
  }
  return { code, stdout: wasi.stdoutText(), stderr: wasi.stderrText() };
}

/**
 * The original runtime, cold: one instance runs init (the app's top level) and then the entry,
 * as if the build had never happened. The reference every snapshot way is compared with.
 */
export async function runCold(spec: ColdSpec, options: WayOptions = {}): Promise<Observed> {
  const wasi = wasiFor(spec.name, options, { ...spec.preopens }, { ...options.env, ...spec.initEnv });
  const instance = await WebAssembly.instantiate(spec.module, imports(wasi, spec.imports));
  const ex = instance.exports;
  const start = (): void => {
    for (const name of spec.calls) {
      const fn = ex[name];
      if (typeof fn !== 'function') throw new Error(`the runtime module has no export "${name}"`);
      (fn as () => unknown)();
    }
  };
  // `start` gives a command's exit semantics (exit 0 when the entry returns) to a reactor's calls.
  return observe(wasi, () =>
    wasi.start({ exports: { memory: ex['memory'], _start: start } } as unknown as WebAssembly.Instance),
  );
}

/** Extras the monolithic way needs where `runDist` would load them from the recipe. */
export interface MonolithicExtras {
  imports?: ExtraImports;
  /** The recipe's JS post-restore hook, when its manifest says it has one. */
  hook?: (instance: WebAssembly.Instance, context: RestoreContext) => void | Promise<void>;
}

/**
 * The monolithic snapshot (`dist/<name>.wasm`) as any WASI host runs it: the dist's run-time
 * mounts and saved descriptor table, the post-restore export (and hook), then `_start`.
 */
export async function runMonolithic(
  dist: string,
  options: WayOptions = {},
  extras: MonolithicExtras = {},
): Promise<Observed> {
  const { manifest, dir } = await loadDist(dist);
  const preopens: Record<string, { dir: string; readOnly: boolean }> = {};
  for (const mount of manifest.mounts) {
    if (mount.dir !== null) preopens[mount.guest] = { dir: join(dir, mount.dir), readOnly: true };
  }
  const wasi = wasiFor(manifest.name, options, preopens, { ...options.env }, manifest.hostState);
  const bytes = await readFile(join(dir, manifest.files.snapshot.path));
  const { instance } = await WebAssembly.instantiate(bytes, imports(wasi, extras.imports));
  wasi.bindMemory(instance.exports['memory'] as WebAssembly.Memory);
  if (manifest.postRestore.hook && extras.hook === undefined) {
    throw new Error(`${dist}: its recipe has a post-restore hook: pass it in extras.hook`);
  }
  const call = manifest.postRestore.call;
  if (call !== null) (instance.exports[call] as () => void)();
  await extras.hook?.(instance, { manifest, args: options.args ?? [], env: options.env ?? {} });
  return observe(wasi, () => {
    if (manifest.entry.kind === 'command') return wasi.start(instance);
    const result = (instance.exports[manifest.entry.export] as () => unknown)();
    return typeof result === 'number' ? result : 0;
  });
}

/** A way's stdin as the WASI host takes it: text is content, never a mode. */
function stdinOf(stdin: string | Uint8Array | undefined): Uint8Array | { text: string } | 'ignore' {
  if (stdin === undefined) return 'ignore';
  return typeof stdin === 'string' ? { text: stdin } : stdin;
}

/** The split pair through the pipeline's `runDist`: the engine compiled once per process. */
export async function runSplit(dist: string, options: WayOptions = {}): Promise<Observed> {
  const result = await runDist(dist, {
    args: [...(options.args ?? [])],
    dirs: [...(options.dirs ?? [])],
    env: { ...options.env },
    stdin: stdinOf(options.stdin),
    stdout: 'buffer',
    stderr: 'buffer',
  });
  const text = new TextDecoder();
  return { code: result.exitCode, stdout: text.decode(result.stdout), stderr: text.decode(result.stderr) };
}

/**
 * The split pair through a pool of one instance (`createPool`, with `verify`), on its second run:
 * the same run twice, the second on the instance the first left, reset. What a user of a pool sees.
 */
export async function runPooled(dist: string, options: WayOptions = {}): Promise<Observed> {
  const pool = await createPool(await loadDist(dist), {
    size: 1,
    verify: true,
    preopens: Object.fromEntries((options.dirs ?? []).map((d) => [d.guest, d.host])),
  });
  const run = () =>
    pool.run({
      args: [...(options.args ?? [])],
      env: { ...options.env },
      stdin: stdinOf(options.stdin),
      stdout: 'buffer',
      stderr: 'buffer',
    });
  await run().catch(() => undefined);
  const result = await run();
  if (pool.stats.reused !== 1)
    throw new Error(`${dist}: the pool did not reuse its instance (${JSON.stringify(pool.stats)})`);
  pool.close();
  const text = new TextDecoder();
  return { code: result.exitCode, stdout: text.decode(result.stdout), stderr: text.decode(result.stderr) };
}

/**
 * Where runs disagree: one line per field that differs from the first way's, naming both ways;
 * empty when every way observed the same. `expect(differences(results)).toEqual([])` fails with
 * the whole story.
 */
export function differences(results: Readonly<Record<string, Observed>>): string[] {
  const entries = Object.entries(results);
  const first = entries[0];
  if (first === undefined) return [];
  const [refName, ref] = first;
  const out: string[] = [];
  for (const [name, got] of entries.slice(1)) {
    for (const field of ['code', 'stdout', 'stderr'] as const) {
      if (got[field] !== ref[field]) {
        out.push(
          `${field}: ${refName} ${JSON.stringify(ref[field])} but ${name} ${JSON.stringify(got[field])}`,
        );
      }
    }
  }
  return out;
}

/** The engine files of several dists, by sha256: one entry when they all share one engine. */
export async function engineHashes(dists: readonly string[]): Promise<Set<string>> {
  const hashes = new Set<string>();
  for (const dist of dists) {
    const { manifest } = await loadDist(dist);
    hashes.add(manifest.files.engine.sha256);
  }
  return hashes;
}
