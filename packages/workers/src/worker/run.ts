import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { link } from '@wasm-runtime/split';
import { type FileSystem, ProcExit, WASI } from '@wasm-runtime/wasi';
import type { WorkerApp } from './runtime.js';

/** What one request's run left. */
export interface Outcome {
  /** The exit code; undefined when the app did not exit (it trapped, or the host failed). */
  exitCode: number | undefined;
  stdout: Uint8Array;
  stderr: Uint8Array;
  error?: { code: string; message: string };
}

/** One run of the app in a fresh instance, from the Worker's compiled modules. */
export async function runOnce(
  app: WorkerApp,
  io: { args: string[]; stdin: Uint8Array; preopens: Record<string, FileSystem> },
): Promise<Outcome> {
  const { manifest } = app;
  const preview2 = [...new Set(WebAssembly.Module.imports(app.engine).map((i) => i.module))].filter((m) =>
    m.startsWith('wasi:'),
  );
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
  const ended = (exitCode: number | undefined, error?: Outcome['error']): Outcome => ({
    exitCode,
    stdout: wasi.stdout,
    stderr: wasi.stderr,
    ...(error === undefined ? {} : { error }),
  });
  try {
    const { instance } = await link(app.engine, app.data, wasi.imports as WebAssembly.Imports, {
      manifest: manifest.split,
      cache: null,
    });
    const exports = instance.exports;
    const call = manifest.postRestore.call;
    if (call !== null || manifest.entry.kind === 'export') {
      const memory = exports['memory'];
      if (memory instanceof WebAssembly.Memory) wasi.bindMemory(memory, exports['cabi_realloc']);
    }
    if (call !== null) (exports[call] as () => unknown)();
    if (manifest.entry.kind === 'command') return ended(wasi.start(instance));
    const result = (exports[manifest.entry.export] as (...a: number[]) => unknown)(
      ...(manifest.entry.args ?? []),
    );
    return ended(typeof result === 'number' ? result : 0);
  } catch (error) {
    if (error instanceof ProcExit) return ended(error.exitCode);
    const code = isWasmRuntimeError(error)
      ? error.code
      : error instanceof WebAssembly.RuntimeError
        ? 'trap'
        : 'ERR_INTERNAL';
    return ended(undefined, { code, message: error instanceof Error ? error.message : String(error) });
  }
}
