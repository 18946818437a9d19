import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { enginePreview2, runSplitPair } from '@wasm-runtime/pipeline/runner';
import { type FileSystem, WASI } from '@wasm-runtime/wasi';
import type { WorkerApp } from './runtime.js';

/** What one request's run left. */
export interface Outcome {
  /** The exit code; undefined when the app did not exit (it trapped, or the run failed). */
  exitCode: number | undefined;
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** Why there is no exit code: `trap`, or the code of the error. */
  error?: { code: string; message: string };
}

/**
 * One run of the app in a fresh instance, through the runner's core (`runSplitPair`, the code
 * `runDist` and the browser runner use) given the Worker's compiled modules: the data module is
 * instantiated anew, then the engine with its memory and globals; nothing compiles here.
 */
export async function runOnce(
  app: WorkerApp,
  io: { args: string[]; stdin: Uint8Array; preopens: Record<string, FileSystem> },
): Promise<Outcome> {
  const { manifest } = app;
  const preview2 = enginePreview2(app.engine);
  const wasi = new WASI({
    ...(preview2.length === 0 ? {} : { preview2 }),
    args: [manifest.name, ...io.args],
    env: {},
    preopens: io.preopens,
    stdin: io.stdin,
    stdout: 'buffer',
    stderr: 'buffer',
    ...(manifest.hostState === null || manifest.hostState === undefined ? {} : { state: manifest.hostState }),
  });
  try {
    const exitCode = await runSplitPair(
      {
        where: `the Worker of ${manifest.name}`,
        manifest,
        engine: app.engine,
        engineFile: app.engineFile,
        data: app.data,
      },
      wasi,
      { args: io.args, engineCache: null },
    );
    return { exitCode, stdout: wasi.stdout, stderr: wasi.stderr };
  } catch (error) {
    const code = isWasmRuntimeError(error)
      ? error.code
      : error instanceof WebAssembly.RuntimeError || error instanceof RangeError
        ? 'trap'
        : 'ERR_INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    return { exitCode: undefined, stdout: wasi.stdout, stderr: wasi.stderr, error: { code, message } };
  }
}
