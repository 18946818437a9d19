// Runs WASI programs under a real Wasmtime: scripts/wasmtime/run.py on the `wasmtime` Python
// package that scripts/setup-wasmtime installs into <repo>/.cache/wasmtime/venv. Shared by the
// WASI host's differential test and every runtime's Wasmtime test. A missing install is an error
// that says how to fix it, never a skipped test.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

/** The pinned version scripts/setup-wasmtime installs. */
export const WASMTIME_VERSION = '49.0.0';
/** The harness script. */
export const WASMTIME_RUN = join(REPO, 'scripts/wasmtime/run.py');
/** The virtual environment's Python. */
export const WASMTIME_PYTHON = join(
  process.env.WASM_RUNTIME_WASMTIME_VENV || join(REPO, '.cache/wasmtime/venv'),
  'bin/python',
);

/** Where the harness keeps compiled code between runs (by the sha256 of each file). */
export const WASMTIME_CACHE = join(REPO, '.cache/wasmtime/compiled');

function checkInstalled() {
  if (!existsSync(WASMTIME_PYTHON)) {
    throw new Error(
      `Wasmtime ${WASMTIME_VERSION} for the tests is not installed (${WASMTIME_PYTHON} is missing): run \`bash scripts/setup-wasmtime\` from the repository root (npm test runs it)`,
    );
  }
}

function specArgs(spec) {
  const argv = [];
  for (const [name, file] of Object.entries(spec.preload ?? {})) argv.push('--preload', `${name}=${file}`);
  for (const d of spec.dirs ?? []) argv.push('--dir', `${d.host}::${d.guest}`);
  for (const [k, v] of Object.entries(spec.env ?? {})) argv.push('--env', `${k}=${v}`);
  if (spec.component) argv.push('--component');
  if (spec.argv0 !== undefined) argv.push('--argv0', spec.argv0);
  return argv;
}

async function harness(spec, extra) {
  checkInstalled();
  const dir = await mkdtemp(join(tmpdir(), 'wasmtime-run-'));
  try {
    const files = {
      stdin: join(dir, 'stdin'),
      stdout: join(dir, 'stdout'),
      stderr: join(dir, 'stderr'),
      result: join(dir, 'result.json'),
    };
    await writeFile(files.stdin, spec.stdin ?? '');
    const argv = [
      WASMTIME_RUN,
      ...specArgs(spec),
      ...extra,
      '--stdin',
      files.stdin,
      '--stdout',
      files.stdout,
      '--stderr',
      files.stderr,
      '--result',
      files.result,
      spec.file,
      ...(spec.args ?? []),
    ];
    const own = await new Promise((resolve) => {
      const env = { ...process.env, WASM_RUNTIME_WASMTIME_CACHE: WASMTIME_CACHE };
      execFile(WASMTIME_PYTHON, argv, { env, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
        resolve({ error, stdout, stderr }),
      );
    });
    let result;
    try {
      result = JSON.parse(await readFile(files.result, 'utf8'));
    } catch {
      throw new Error(`the Wasmtime harness failed before running ${spec.file}:\n${own.stderr}`);
    }
    const text = async (f) => (existsSync(f) ? readFile(f, 'utf8') : '');
    return { ...result, stdout: await text(files.stdout), stderr: await text(files.stderr) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `spec.file` (a command module; with `preload`, an engine whose imports those modules
 * define; with `component`, a WASI 0.2 command component) once under Wasmtime. Resolves to what a
 * user observes: stdout, stderr, exitCode. A trap or a harness failure (a module Wasmtime refuses)
 * rejects with Wasmtime's message.
 */
export async function runWasmtime(spec) {
  const r = await harness(spec, []);
  if (r.error !== null) throw new Error(`Wasmtime refused ${spec.file}: ${r.error}`);
  if (r.trap !== null) throw new Error(`${spec.file} trapped under Wasmtime: ${r.trap}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
}

/** Like {@link runWasmtime}, but a refusal or trap resolves to `{ error }` / `{ trap }` for a test to check. */
export async function tryWasmtime(spec) {
  return harness(spec, []);
}

/**
 * Compiles the program once, then instantiates and runs it `starts` times inside one Python
 * process (so process start is excluded); resolves to the seconds of each start.
 */
export async function benchWasmtime(spec, starts) {
  const r = await harness(spec, ['--bench', String(starts)]);
  if (r.error !== null || r.trap !== null) throw new Error(`Wasmtime: ${r.error ?? r.trap}`);
  return r.starts;
}
