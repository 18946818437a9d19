// The Worker's runtime: bundled with the browser builds of @wasm-runtime/wasi and
// @wasm-runtime/split into one ES module (dist/worker-runtime.js) that every deployed Worker
// imports. No Node built-ins: it runs in workerd and on Cloudflare.

import type { DistManifest, EngineResetCheck, Pool } from '@wasm-runtime/pipeline/runner';
import { type FileSystem, MemoryFS } from '@wasm-runtime/wasi';
import { ARG_PARAM, argsOf, ERROR_HEADER, EXIT_CODE_HEADER, statusOf } from './http.js';
import { failed, type Outcome, poolOf, type RequestIO, runOnce, runPooled } from './run.js';

/** A directory the app sees, from a tar archive uploaded with the Worker as a data module. */
export interface WorkerMount {
  guest: string;
  /** Writable mounts get a fresh copy per request; writes never outlive their request. */
  writable: boolean;
  archive: ArrayBuffer;
}

/** Everything a deployed Worker's entry module hands to {@link createWorker}. */
export interface WorkerApp {
  /** The dist's manifest, checked at deploy. */
  manifest: DistManifest;
  /** The engine, uploaded as a Wasm module of the Worker (compiled by the platform, never here). */
  engine: WebAssembly.Module;
  /** The manifest entry of the engine form uploaded (`files.engine` or `files.engineExnref`). */
  engineFile: { path: string; sha256: string };
  /** The data-only app module, uploaded the same way. */
  data: WebAssembly.Module;
  mounts: readonly WorkerMount[];
  /**
   * Serve requests from a pool of instances reset to the snapshot after every request (see
   * `createPool`), instead of instantiating the snapshot anew per request. `engineCheck` is the
   * verdict `deploy` read from the engine's bytes: the Worker only has the engine compiled.
   */
  pool?: { size: number; engineCheck: EngineResetCheck } | undefined;
}

/** A Worker's module default export. */
export interface WorkerHandler {
  fetch(request: Request): Promise<Response>;
}

/**
 * The Worker of an app: every request gets an instance in the snapshot's state (a fresh one: the
 * data module instantiated anew, so the app's memory and globals are the snapshot's, then the
 * engine with them; or, with `app.pool`, one reset to exactly that state after an earlier
 * request), the request body as stdin and the `arg` query parameters as arguments; the response
 * is stdout, with the exit code in `x-exit-code` (status 200 for 0, 500 otherwise) and stderr in
 * the Worker's log.
 */
export function createWorker(app: WorkerApp): WorkerHandler {
  // Read-only mounts cannot be changed by a request, so one tree per isolate serves them all.
  const shared = new Map<string, FileSystem>();
  for (const mount of app.mounts) {
    if (!mount.writable) shared.set(mount.guest, fromArchive(mount, true));
  }
  let pool: Promise<Pool> | undefined;
  const run = (io: RequestIO): Promise<Outcome> => {
    if (app.pool === undefined) return runOnce(app, io);
    // Made by the first request (a Worker's top level may not instantiate), kept by the isolate.
    pool ??= poolOf(app, app.pool);
    const none = new Uint8Array(0);
    return pool.then(
      (p) => runPooled(p, io),
      (error: unknown) => failed(error, none, none),
    );
  };
  return {
    async fetch(request: Request): Promise<Response> {
      const parsed = argsOf(new URL(request.url));
      if ('problem' in parsed) return new Response(`${parsed.problem}\n`, { status: 400 });
      const stdin = new Uint8Array(await request.arrayBuffer());
      const preopens: Record<string, FileSystem> = {};
      for (const mount of app.mounts) {
        preopens[mount.guest] = shared.get(mount.guest) ?? fromArchive(mount, false);
      }
      const outcome = await run({ args: parsed.args, stdin, preopens });
      if (outcome.stderr.length > 0) console.error(new TextDecoder().decode(outcome.stderr));
      const headers = new Headers({ 'content-type': 'text/plain; charset=utf-8' });
      if (outcome.exitCode !== undefined) headers.set(EXIT_CODE_HEADER, String(outcome.exitCode));
      if (outcome.error !== undefined) {
        headers.set(ERROR_HEADER, outcome.error.code);
        console.error(`${app.manifest.name}: ${outcome.error.message}`);
      }
      return new Response(outcome.stdout as Uint8Array<ArrayBuffer>, {
        status: statusOf(outcome.exitCode),
        headers,
      });
    },
  };
}

function fromArchive(mount: WorkerMount, readOnly: boolean): MemoryFS {
  const fs = MemoryFS.fromTar(new Uint8Array(mount.archive));
  fs.readOnly = readOnly;
  return fs;
}

export { ARG_PARAM, ERROR_HEADER, EXIT_CODE_HEADER };
