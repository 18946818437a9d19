// Runs a dist built by `wasm-runtime build` the ways a Wasmtime user would, through the shared
// Wasmtime harness (packages/wasi/test/support/wasmtime.mjs): the monolithic snapshot
// (`wasmtime run -W exceptions=y <name>.wasm`), the split pair (`wasmtime run -W exceptions=y
// --preload wasm-runtime:app=<name>.data.wasm engine-<sha>.wasm`) and the component. Each picks the
// form Wasmtime runs (exnref where the build made one). Any runtime's tests call it.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWasmtime } from '../../../wasi/test/support/wasmtime.mjs';

const JCO = fileURLToPath(
  new URL('../../../../node_modules/@bytecodealliance/jco/src/jco.js', import.meta.url),
);

/** The dist's manifest, with what a plain WASI host cannot do refused. */
async function manifestOf(dist) {
  const manifest = JSON.parse(await readFile(join(dist, 'manifest.json'), 'utf8'));
  if (manifest.hostState !== null)
    throw new Error(`${dist}: init left files open (hostState), which only runDist restores`);
  if (manifest.postRestore.hook)
    throw new Error(`${dist}: its recipe has a JS post-restore hook, which only runDist runs`);
  return manifest;
}

/** The dist's run-time mounts as preopens, then the extra ones. */
function dirsOf(dist, manifest, options) {
  return [
    ...manifest.mounts
      .filter((m) => m.dir !== null)
      .map((m) => ({ host: join(dist, m.dir), guest: m.guest })),
    ...(options.dirs ?? []),
  ];
}

/**
 * Runs `dist` under Wasmtime `way` ('snapshot' | 'split' | 'component'), argv[0] the app's name as
 * runDist gives it. Resolves to { stdout, stderr, exitCode }.
 */
export async function runDistOnWasmtime(dist, way, options = {}) {
  const manifest = await manifestOf(dist);
  const files = manifest.files;
  const common = {
    argv0: manifest.name,
    args: options.args ?? [],
    env: options.env ?? {},
    stdin: options.stdin ?? '',
    dirs: dirsOf(dist, manifest, options),
  };
  switch (way) {
    case 'snapshot':
      return runWasmtime({ ...common, file: join(dist, (files.snapshotExnref ?? files.snapshot).path) });
    case 'split':
      return runWasmtime({
        ...common,
        file: join(dist, (files.engineExnref ?? files.engine).path),
        preload: { [manifest.split.importModule]: join(dist, files.data.path) },
      });
    case 'component':
      if (files.component === undefined)
        throw new Error(`${dist} has no component: build it with --component`);
      return runWasmtime({ ...common, file: join(dist, files.component.path), component: true });
    default:
      throw new Error(`unknown way ${way}`);
  }
}

/**
 * Runs the dist's component under `jco run` on this Node (jco transpiles it and runs it on its
 * preview2 shim). Resolves to { stdout, stderr, exitCode }.
 */
export async function runDistOnJco(dist, options = {}) {
  const manifest = await manifestOf(dist);
  if (manifest.files.component === undefined)
    throw new Error(`${dist} has no component: build it with --component`);
  const file = join(dist, manifest.files.component.path);
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [JCO, 'run', file, ...(options.args ?? [])],
      { env: { ...process.env, ...options.env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') reject(error);
        else resolve({ stdout, stderr, exitCode: error === null ? 0 : error.code });
      },
    );
    child.stdin?.end(options.stdin ?? '');
  });
}

/**
 * What a WASI 0.2 component's run gives for a preview1 exit status: wasi:cli/exit carries only
 * success or failure, so every non-zero status becomes 1.
 */
export function componentExitCode(code) {
  return code === 0 ? 0 : 1;
}

/**
 * Runs `dist` every Wasmtime way (snapshot, split pair, and the component when the dist has one)
 * and returns each result with the way's name, the component's exit code as its host reports it:
 * `expect(await allWaysOnWasmtime(dist, o)).toEqual(expectedWays(dist, ours))` in any runtime's test.
 */
export async function allWaysOnWasmtime(dist, options = {}) {
  const manifest = JSON.parse(await readFile(join(dist, 'manifest.json'), 'utf8'));
  const ways =
    manifest.files.component === undefined ? ['snapshot', 'split'] : ['snapshot', 'split', 'component'];
  const out = [];
  for (const way of ways) out.push({ way, ...(await runDistOnWasmtime(dist, way, options)) });
  return out;
}

/** What {@link allWaysOnWasmtime} must give when every way behaves as `ours` (runDist) did. */
export async function expectedWays(dist, ours) {
  const manifest = JSON.parse(await readFile(join(dist, 'manifest.json'), 'utf8'));
  const same = { stdout: ours.stdout, stderr: ours.stderr, exitCode: ours.exitCode };
  const out = [
    { way: 'snapshot', ...same },
    { way: 'split', ...same },
  ];
  if (manifest.files.component !== undefined)
    out.push({ way: 'component', ...same, exitCode: componentExitCode(ours.exitCode) });
  return out;
}
