// A deployed Worker served by the real workerd (Cloudflare's open-source Workers runtime, from the
// `workerd` npm package) on 127.0.0.1 at a port the kernel picks. Shared by this package's tests,
// the runtimes' Worker tests (runtimes/<lang>/test/workers.test.ts) and bench/workers.bench.mjs.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Deploys a dist as a Worker into `out` (`deployWorker`) and serves it; resolves to the served
 * Worker with the deploy result beside it.
 */
export async function deployAndServe(dist, out, options = {}) {
  const { deployWorker } = await import('@wasm-runtime/workers');
  const deployed = await deployWorker({ dist, out, ...options });
  const served = await serveWorker(deployed.outDir);
  return { ...served, deployed };
}

/** The workerd binary of the pinned `workerd` package (its platform package's executable). */
export function workerdBinary() {
  return createRequire(import.meta.url)('workerd').default;
}

/**
 * Runs `workerd serve <dir>/config.capnp` with the HTTP socket moved to 127.0.0.1:0; resolves
 * once it listens (workerd reports the port on its control descriptor).
 */
export async function serveWorker(dir, { startTimeout = 60_000 } = {}) {
  const child = spawn(
    workerdBinary(),
    ['serve', join(dir, 'config.capnp'), '--socket-addr', 'http=127.0.0.1:0', '--control-fd=3', '--verbose'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] },
  );
  const logs = captureOutput(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    let control = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`workerd did not listen within ${startTimeout} ms; its stderr:\n${logs().stderr}`));
    }, startTimeout);
    child.stdio[3].setEncoding('utf8').on('data', (d) => {
      control += d;
      for (const line of control.split('\n')) {
        if (line.trim() === '') continue;
        const event = JSON.parse(line);
        if (event.event === 'listen' && event.socket === 'http') {
          clearTimeout(timer);
          resolve(event.port);
        }
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`workerd exited (${code ?? signal}) before listening; its stderr:\n${logs().stderr}`));
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    request: requester(origin),
    /** What workerd printed so far (console.log on stdout, console.error on stderr). */
    logs,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * One request to a served Worker at `origin`: `args` become `arg` query parameters, `stdin` the
 * body (POST when given); resolves to the status, the exit-code and error headers and the body.
 */
export function requester(origin) {
  return async ({ args = [], stdin, query } = {}) => {
    const url = new URL('/', origin);
    for (const a of args) url.searchParams.append('arg', a);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.append(k, v);
    const response = await fetch(url, stdin === undefined ? {} : { method: 'POST', body: stdin });
    return {
      status: response.status,
      exitCode: response.headers.get('x-exit-code'),
      error: response.headers.get('x-wasm-runtime-error'),
      body: await response.text(),
    };
  };
}

/** Collects a child's stdout and stderr as text; returns what it has printed so far. */
export function captureOutput(child) {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d) => {
    stderr += d;
  });
  return () => ({ stdout, stderr });
}
