// Wrangler, Cloudflare's CLI (the `wrangler` root devDependency, pinned), run for real on a Worker
// directory that `deployWorker` wrote: `wrangler deploy --dry-run` and `wrangler dev` (local mode:
// miniflare running workerd), offline. Shared by runtimes/lua/test/wrangler.test.ts and
// packages/cli/test/wrangler.test.ts.
//
// Wrangler 4.164's launcher (bin/wrangler.js) refuses Node.js older than 22.12 and otherwise spawns
// `node --no-warnings wrangler-dist/cli.js ...`; the project runs on Node.js 20.19+, so this helper
// spawns that module itself, as the launcher would (wrangler then prints a warning about the
// version and carries on). Nothing reaches the network: no login, metrics off, the `Request.cf`
// download off, wrangler's config and logs in a temporary directory.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { captureOutput, requester } from './workerd.mjs';

/** The module the `wrangler` launcher runs. */
export function wranglerCli() {
  const pkg = createRequire(import.meta.url).resolve('wrangler/package.json');
  return join(dirname(pkg), 'wrangler-dist', 'cli.js');
}

/** Wrangler's output without colour codes (it colours some lines even with NO_COLOR). */
export function plain(text) {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/** Starts wrangler in `cwd` with an environment that keeps it offline and out of the user's home. */
function start(args, cwd) {
  const home = mkdtempSync(join(tmpdir(), 'wrangler-home-'));
  const child = spawn(process.execPath, ['--no-warnings', wranglerCli(), ...args], {
    cwd,
    // Its own process group, so closing it ends the workerd that `wrangler dev` starts too.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      CI: 'true',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      XDG_CONFIG_HOME: home,
      WRANGLER_LOG_PATH: join(home, 'logs'),
    },
  });
  const captured = captureOutput(child);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      rmSync(home, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  return {
    child,
    exited,
    output: () => {
      const { stdout, stderr } = captured();
      return { stdout: plain(stdout), stderr: plain(stderr) };
    },
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      }
    },
  };
}

/**
 * Runs `wrangler <args>` in `cwd` to its end; resolves to its exit code and output. Killed (and
 * rejected) after `timeout` ms.
 */
export async function wrangler(args, { cwd, timeout = 180_000 }) {
  const run = start(args, cwd);
  const timer = setTimeout(() => run.kill('SIGKILL'), timeout);
  const { code, signal } = await run.exited;
  clearTimeout(timer);
  if (code === null) {
    throw new Error(
      `wrangler ${args.join(' ')} ended by ${signal} (timeout ${timeout} ms)\n${run.output().stderr}`,
    );
  }
  return { code, ...run.output() };
}

/** A port on 127.0.0.1 free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs `wrangler dev` (local mode) in the Worker directory `dir` on 127.0.0.1; resolves once it
 * says it is ready, to a served Worker as `serveWorker` gives it.
 */
export async function wranglerDev(dir, { startTimeout = 180_000 } = {}) {
  const port = await freePort();
  const inspector = await freePort();
  const run = start(
    ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector)],
    dir,
  );
  const origin = `http://127.0.0.1:${port}`;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      run.kill('SIGKILL');
      reject(
        new Error(
          `wrangler dev was not ready within ${startTimeout} ms; its output:\n${run.output().stdout}${run.output().stderr}`,
        ),
      );
    }, startTimeout);
    const poll = setInterval(() => {
      if (run.output().stdout.includes(`Ready on ${origin}`)) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      }
    }, 100);
    run.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(
        new Error(
          `wrangler dev exited (${code ?? signal}) before it was ready; its output:\n${run.output().stdout}${run.output().stderr}`,
        ),
      );
    });
  });
  return {
    origin,
    request: requester(origin),
    /** What wrangler printed so far (the app's stderr among it), colour codes removed. */
    logs: run.output,
    async close() {
      run.kill('SIGTERM');
      const timer = setTimeout(() => run.kill('SIGKILL'), 10_000);
      await run.exited;
      clearTimeout(timer);
    },
  };
}
