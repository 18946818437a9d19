// The state-leaking way, for comparison only (workers.bench.mjs): one instance of the app is made
// by the first request and kept for every later one, its entry called again per request. State
// written by one request is seen by the next; a deployed Worker never does this.

import { link } from '@wasm-runtime/split';
import { ProcExit, WASI } from '@wasm-runtime/wasi';

export function keptWorker({ manifest, engine, data }) {
  let kept;
  return {
    async fetch(request) {
      const args = new URL(request.url).searchParams.getAll('arg');
      if (kept === undefined) {
        const out = { chunks: [] };
        const wasi = new WASI({
          args: [manifest.name, ...args],
          env: {},
          stdin: 'ignore',
          stdout: (chunk) => out.chunks.push(chunk.slice()),
          stderr: () => {},
          ...(manifest.hostState ? { state: manifest.hostState } : {}),
        });
        const { instance } = await link(engine, data, wasi.imports, {
          manifest: manifest.split,
          cache: null,
        });
        wasi.bindMemory(instance.exports.memory);
        if (manifest.postRestore.call !== null) instance.exports[manifest.postRestore.call]();
        kept = { instance, out };
      }
      kept.out.chunks = [];
      let code = 0;
      try {
        kept.instance.exports[manifest.entry.kind === 'command' ? '_start' : manifest.entry.export]();
      } catch (error) {
        if (!(error instanceof ProcExit)) throw error;
        code = error.exitCode;
      }
      return new Response(new Blob(kept.out.chunks), {
        status: code === 0 ? 200 : 500,
        headers: { 'x-exit-code': String(code) },
      });
    },
  };
}
