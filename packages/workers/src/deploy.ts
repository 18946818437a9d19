import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DistIntegrityError,
  type DistManifest,
  type DistModuleFile,
  type LoadedDist,
  loadDist,
  writeTar,
} from '@wasm-runtime/pipeline';
import { checkEngineForReset } from '@wasm-runtime/pipeline/runner';
import { sha256Hex } from '@wasm-runtime/split';
import { DEFAULT_ADDRESS, type WorkerModule, workerdConfig, workerName, wranglerConfig } from './config.js';
import { WorkersDeployError } from './errors.js';
import type { WorkerApp } from './worker/runtime.js';

/** Options of {@link deployWorker}, which are also those of `wasm-runtime deploy --target workers`. */
export interface DeployWorkerOptions {
  /** The dist directory `wasm-runtime build` wrote. */
  dist: string;
  /**
   * Where the Worker goes: created, or replaced when it holds a Worker this function wrote
   * before; any other non-empty directory is refused (`ERR_WORKERS_OUT_DIR`).
   */
  out: string;
  /** The Worker's name in `wrangler.toml`; default the app's name, made a valid Worker name. */
  name?: string | undefined;
  /**
   * The mounts the manifest marks writable are writable (each request writes to its own fresh
   * copy, gone with the request). Default false: every mount is read-only, as with `run`.
   */
  writableMounts?: boolean | undefined;
  /**
   * Which form of the engine to upload when the dist ships two (legacy exception handling, and
   * `files.engineExnref`): workerd's V8 runs both; default `exnref`, the standard form.
   */
  exceptions?: 'legacy' | 'exnref' | undefined;
  /** The address in `config.capnp` (default `127.0.0.1:8787`). */
  address?: string | undefined;
  /**
   * How a request gets its instance of the snapshot. `'pool'` (the default): from a pool of
   * instances reset to the snapshot after every request (every memory byte and mutable global put
   * back, a new WASI host, the reseed run again), so no request sees what another left, at a
   * fraction of a fresh start's cost. `'fresh'`: the snapshot instantiated anew per request. An
   * engine a reset cannot put back exactly (its code changes its tables) is served fresh.
   */
  instances?: 'pool' | 'fresh' | undefined;
  /**
   * Most pooled instances per isolate (requests beyond wait for one). Default 4, fewer for an app
   * whose memory is large: as many as keep the pool's memories within 64 MiB (at least one), so
   * that an isolate stays well inside the platform's 128 MB.
   */
  poolSize?: number | undefined;
}

/** What {@link deployWorker} wrote. */
export interface DeployWorkerResult {
  outDir: string;
  /** The Worker's name. */
  name: string;
  /** The engine file uploaded, and its exception-handling form. */
  engine: { file: string; exceptions: DistModuleFile['exceptions']; sha256: string };
  /**
   * How requests get their instance: `pool` (with its size) or `fresh`, and why fresh when a pool
   * was asked for and the engine's instances cannot be reset.
   */
  instances: { way: 'pool'; size: number } | { way: 'fresh'; why?: string };
  /** Every file of the Worker directory, with its size. */
  files: Array<{ path: string; size: number }>;
}

/** The file `deployWorker` writes first and checks for before replacing a directory. */
const MAIN = 'worker.js';
const RUNTIME = 'runtime.js';
const DATA = 'app.data.wasm';
const MARKER = 'wrangler.toml';

/**
 * Writes a Cloudflare Worker for a built app: `worker.js` (the entry module), `runtime.js` (the
 * runner, no Node built-ins), the engine and the data module as Wasm modules of the Worker, the
 * files the app reads at run time as tar data modules, `wrangler.toml` and a workerd
 * `config.capnp`. Each request gets a fresh instance of the snapshot. The dist is untrusted: it
 * is checked as `run` checks it (manifest, sandbox, sha256s), and a dist that needs a recipe's
 * JavaScript after restore is refused (`ERR_WORKERS_POST_RESTORE_HOOK`). The directory appears
 * whole or not at all.
 */
export async function deployWorker(options: DeployWorkerOptions): Promise<DeployWorkerResult> {
  const writableMounts = options.writableMounts === true;
  const dist = await loadDist(options.dist, { writableMounts });
  const { manifest, dir } = dist;
  if (manifest.postRestore.hook) {
    throw new WorkersDeployError(
      'ERR_WORKERS_POST_RESTORE_HOOK',
      dir,
      `the dist ${dir} needs its recipe's JavaScript hook after restore (${manifest.recipe ?? 'an inline recipe'}), which a Worker cannot run: only a post-restore \`call\` of an engine export can. Build the app with a recipe whose postRestore is a call, or run it with \`wasm-runtime run\``,
    );
  }
  const name = options.name ?? workerName(manifest.name);
  if (name === undefined || workerName(name) !== name) {
    throw new WorkersDeployError(
      'ERR_WORKERS_DEPLOY',
      dir,
      `${name === undefined ? `the app's name ${JSON.stringify(manifest.name)} makes no Worker name` : `${JSON.stringify(name)} is not a Worker name`}: give one with --name (lowercase letters, digits and dashes, at most 63)`,
    );
  }
  const engine = await engineFor(dist, options.exceptions ?? 'exnref');
  const engineFile = `engine-${engine.file.sha256.slice(0, 16)}.wasm`;
  const instances = instancesFor(dist, engine, options);

  const files = new Map<string, Uint8Array | string>();
  const modules: WorkerModule[] = [
    { name: MAIN, kind: 'esModule' },
    { name: RUNTIME, kind: 'esModule' },
    { name: engineFile, kind: 'wasm' },
    { name: DATA, kind: 'wasm' },
  ];
  files.set(RUNTIME, await readFile(fileURLToPath(new URL('./worker-runtime.js', import.meta.url))));
  files.set(engineFile, engine.bytes);
  files.set(DATA, dist.data);
  const mounts: Array<{ guest: string; writable: boolean; module: string }> = [];
  for (const mount of manifest.mounts) {
    const host = dist.mountDirs.get(mount.guest);
    if (host === undefined) continue;
    const module = `mount-${mounts.length}.bin`;
    files.set(module, await mountArchive(dir, host, mount.files));
    modules.push({ name: module, kind: 'data' });
    mounts.push({ guest: mount.guest, writable: writableMounts && !mount.readOnly, module });
  }
  files.set(MAIN, entryModule(manifest, engine.file, engineFile, mounts, instances.pool));
  files.set(MARKER, wranglerConfig(name, MAIN));
  files.set('config.capnp', workerdConfig(modules, options.address ?? DEFAULT_ADDRESS));

  const outDir = resolve(options.out);
  await writeDir(outDir, files);
  return {
    outDir,
    name,
    engine: { file: engineFile, exceptions: engine.file.exceptions, sha256: engine.file.sha256 },
    instances: instances.result,
    files: [...files].map(([path, content]) => ({
      path,
      size: typeof content === 'string' ? Buffer.byteLength(content) : content.length,
    })),
  };
}

/** The engine to upload, read and checked against its sha256 (loadDist checked the host's form). */
async function engineFor(
  dist: LoadedDist,
  wanted: 'legacy' | 'exnref',
): Promise<{ file: DistModuleFile; bytes: Uint8Array }> {
  const { engine, engineExnref } = dist.manifest.files;
  const file = wanted === 'exnref' && engineExnref !== undefined ? engineExnref : engine;
  if (wanted === 'legacy' && engine.exceptions === 'exnref') {
    throw new WorkersDeployError(
      'ERR_WORKERS_ENGINE_FORM',
      dist.dir,
      `the dist ${dist.dir} ships its engine only in the exnref form: deploy it without --exceptions legacy`,
    );
  }
  if (file.path === dist.engineFile.path) return { file, bytes: dist.engine };
  const path = join(dist.dir, file.path);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new WorkersDeployError(
      'ERR_WORKERS_DEPLOY',
      dist.dir,
      `${path} (the ${file.exceptions} engine the manifest names) cannot be read: rebuild the dist`,
      { cause },
    );
  }
  const actual = sha256Hex(bytes);
  if (actual !== file.sha256) throw new DistIntegrityError(path, file.sha256, actual);
  return { file, bytes };
}

/**
 * The Worker's instances: a pool, with the verdict on the engine's bytes the Worker cannot read
 * itself (it gets the engine compiled), or fresh ones.
 */
function instancesFor(
  { dir, manifest }: LoadedDist,
  engine: { file: DistModuleFile; bytes: Uint8Array },
  options: DeployWorkerOptions,
): { pool: WorkerApp['pool']; result: DeployWorkerResult['instances'] } {
  const size = options.poolSize ?? defaultPoolSize(manifest);
  if (!Number.isSafeInteger(size) || size < 1 || size > 64) {
    throw new WorkersDeployError(
      'ERR_WORKERS_DEPLOY',
      dir,
      `a pool of ${size} instances: give a whole number from 1 to 64 (each holds the app's memory)`,
    );
  }
  if (options.instances === 'fresh') return { pool: undefined, result: { way: 'fresh' } };
  const engineCheck = checkEngineForReset(engine.bytes, engine.file.sha256);
  if (engineCheck.blocker !== null) {
    return {
      pool: undefined,
      result: {
        way: 'fresh',
        why: `a reset cannot put this engine's state back: ${engineCheck.blocker.why}`,
      },
    };
  }
  return { pool: { size, engineCheck }, result: { way: 'pool', size } };
}

/** The memory the pool may hold by default, across its instances. */
const POOL_MEMORY_BUDGET = 64 * 1024 * 1024;

/** Up to 4 instances, as many as keep their memories within the budget, at least one. */
export function defaultPoolSize(manifest: Pick<DistManifest, 'split'>): number {
  let bytes = 0;
  for (const i of manifest.split.imports) if (i.kind === 'memory') bytes += i.pages * 65536;
  return Math.max(1, Math.min(4, Math.floor(POOL_MEMORY_BUDGET / Math.max(bytes, 1))));
}

/** A mount's files (checked by loadDist) as a tar archive, in the manifest's order. */
async function mountArchive(
  dir: string,
  host: string,
  list: DistManifest['mounts'][number]['files'],
): Promise<Uint8Array> {
  const entries = [];
  for (const file of list) {
    try {
      entries.push({ path: file.path, data: await readFile(join(host, file.path)) });
    } catch (cause) {
      throw new WorkersDeployError('ERR_WORKERS_DEPLOY', dir, `${join(host, file.path)} cannot be read`, {
        cause,
      });
    }
  }
  return writeTar(entries);
}

/** `worker.js`: imports the runtime and every module, hands them to `createWorker`. */
function entryModule(
  manifest: DistManifest,
  engine: DistModuleFile,
  engineFile: string,
  mounts: ReadonlyArray<{ guest: string; writable: boolean; module: string }>,
  pool: WorkerApp['pool'],
): string {
  const lines = [
    `// Generated by \`wasm-runtime deploy --target workers\` for the app ${JSON.stringify(manifest.name)}.`,
    pool === undefined
      ? '// Every request runs a fresh instance of its snapshot: see docs/workers.md.'
      : "// Every request runs an instance in its snapshot's state, pooled and reset after each request: see docs/workers.md.",
    `import { createWorker } from './${RUNTIME}';`,
    `import engine from './${engineFile}';`,
    `import data from './${DATA}';`,
    ...mounts.map((m, i) => `import mount${i} from './${m.module}';`),
    '',
    `const manifest = ${JSON.stringify(manifest)};`,
    '',
    'export default createWorker({',
    '  manifest,',
    '  engine,',
    `  engineFile: ${JSON.stringify({ path: engine.path, sha256: engine.sha256 })},`,
    '  data,',
    `  mounts: [${mounts.map((m, i) => `{ guest: ${JSON.stringify(m.guest)}, writable: ${m.writable}, archive: mount${i} }`).join(', ')}],`,
    ...(pool === undefined ? [] : [`  pool: ${JSON.stringify(pool)},`]),
    '});',
    '',
  ];
  return lines.join('\n');
}

/**
 * Writes the directory beside its final place and renames it there, so `out` is never half
 * written; an existing `out` is replaced only when it is empty or holds a Worker written here.
 */
async function writeDir(outDir: string, files: ReadonlyMap<string, Uint8Array | string>): Promise<void> {
  const existing = await readdir(outDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new WorkersDeployError(
      'ERR_WORKERS_OUT_DIR',
      outDir,
      `${outDir} cannot be read (${error.code}): choose another --out`,
      { cause: error },
    );
  });
  if (existing !== undefined && existing.length > 0) {
    const ours = existing.includes(MAIN) && existing.includes(MARKER) && existing.includes('config.capnp');
    if (!ours) {
      throw new WorkersDeployError(
        'ERR_WORKERS_OUT_DIR',
        outDir,
        `${outDir} is not empty and holds no Worker written by wasm-runtime deploy: choose an empty or new --out directory`,
      );
    }
  }
  await mkdir(dirname(outDir), { recursive: true });
  const tag = randomBytes(6).toString('hex');
  const tmp = join(dirname(outDir), `.${basename(outDir)}.${tag}.tmp`);
  const old = join(dirname(outDir), `.${basename(outDir)}.${tag}.old`);
  try {
    await mkdir(tmp);
    for (const [path, content] of files) await writeFile(join(tmp, path), content);
    if (existing !== undefined) await rename(outDir, old);
    await rename(tmp, outDir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    if (existing !== undefined && (await lstat(outDir).catch(() => undefined)) === undefined) {
      await rename(old, outDir).catch(() => undefined);
    }
    throw error;
  }
  await rm(old, { recursive: true, force: true });
}
