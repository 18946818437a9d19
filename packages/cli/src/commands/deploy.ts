import type { DeployWorkerOptions, DeployWorkerResult } from '@wasm-runtime/workers';
import { UsageError } from '../errors.js';
import { type CommandStreams, formatBytes, last, processStreams, readArgs, table } from './format.js';

/** The platforms `deploy` writes for. */
export const DEPLOY_TARGETS = ['workers'] as const;

/** Options of `wasm-runtime deploy`, which are also its programmatic API. */
export interface DeployOptions extends DeployWorkerOptions {
  target: (typeof DEPLOY_TARGETS)[number];
  /** Print the result as JSON on stdout. */
  json?: boolean | undefined;
}

/** `wasm-runtime deploy --help`. */
export const DEPLOY_HELP = `Usage: wasm-runtime deploy --target workers --out <dir> [dist] [options]

Writes a Cloudflare Worker for a built app (dist defaults to ./dist): worker.js, the runner
(runtime.js), the engine and the app's data module as Wasm modules of the Worker, the files the app
reads at run time as data modules, wrangler.toml and a workerd config.capnp. Every request runs
an instance in the snapshot's state, from a pool of instances reset after every request (every
memory byte and global put back, a new WASI host, the reseed run again), or with --fresh a new
instance of the snapshot: its body is stdin, its repeated ?arg= parameters the arguments,
stdout the response body; the exit code is in the x-exit-code header (status 200 for 0, 500
otherwise) and stderr goes to the Worker's log. Serve it locally with
\`npx workerd serve <dir>/config.capnp\`, deploy it with \`npx wrangler deploy\` in <dir>.

Options:
  --target workers      the platform (required; Cloudflare Workers is the one there is)
  --out DIR             where the Worker goes: a new or empty directory, or one deploy wrote
  --name NAME           the Worker's name (default: the app's name)
  --writable-mounts     mounts the manifest marks writable are writable, each request writing
                        to its own copy (default: every mount is read-only)
  --exceptions FORM     the engine form to upload when the dist ships two: exnref (default) or
                        legacy; workerd runs both
  --address HOST:PORT   where config.capnp listens (default 127.0.0.1:8787)
  --pool-size N         most pooled instances per isolate, each holding the app's memory
                        (default 4, fewer when their memories would pass 64 MiB)
  --fresh               instantiate the snapshot anew for every request instead of pooling
  --json                print the result as JSON on stdout
  -h, --help            show this help
`;

/** Parses the arguments after `deploy`. Throws `UsageError`. */
export function parseDeployArgs(argv: readonly string[]): DeployOptions {
  const { values, flags, positionals } = readArgs('deploy', argv, {
    values: ['--target', '--out', '--name', '--exceptions', '--address', '--pool-size'],
    flags: ['--writable-mounts', '--json', '--fresh'],
    aliases: { '-o': '--out' },
  });
  const target = last(values, '--target');
  if (target === undefined) throw new UsageError('deploy needs --target workers', 'deploy');
  if (!(DEPLOY_TARGETS as readonly string[]).includes(target)) {
    throw new UsageError(`--target ${target}: deploy writes for ${DEPLOY_TARGETS.join(', ')}`, 'deploy');
  }
  const out = last(values, '--out');
  if (out === undefined || out === '') throw new UsageError('deploy needs --out <dir>', 'deploy');
  if (positionals.length > 1) throw new UsageError('deploy takes one dist directory', 'deploy');
  const exceptions = last(values, '--exceptions');
  if (exceptions !== undefined && exceptions !== 'exnref' && exceptions !== 'legacy') {
    throw new UsageError(`--exceptions ${exceptions}: give exnref or legacy`, 'deploy');
  }
  const poolSize = last(values, '--pool-size');
  if (poolSize !== undefined && !/^[1-9][0-9]*$/.test(poolSize)) {
    throw new UsageError(`--pool-size ${poolSize}: give a whole number of instances, 1 or more`, 'deploy');
  }
  if (poolSize !== undefined && flags.has('--fresh')) {
    throw new UsageError('--pool-size and --fresh: a fresh instance per request has no pool', 'deploy');
  }
  return {
    target: 'workers',
    dist: positionals[0] ?? 'dist',
    out,
    name: last(values, '--name'),
    writableMounts: flags.has('--writable-mounts'),
    exceptions,
    address: last(values, '--address'),
    instances: flags.has('--fresh') ? 'fresh' : 'pool',
    poolSize: poolSize === undefined ? undefined : Number(poolSize),
    json: flags.has('--json'),
  };
}

/** `wasm-runtime deploy`: writes the Worker; resolves to the exit status. */
export async function deployCommand(
  options: DeployOptions,
  streams: CommandStreams = processStreams(),
): Promise<number> {
  const { deployWorker } = await import('@wasm-runtime/workers');
  const { target: _target, json, ...workerOptions } = options;
  const result = await deployWorker(workerOptions);
  if (json) {
    streams.stdout(
      `${JSON.stringify({ format: 'wasm-runtime-deploy@1', ok: true, target: 'workers', ...result }, null, 2)}\n`,
    );
    return 0;
  }
  streams.stdout(
    table([['file', 'size'], ...result.files.map((f) => [f.path, formatBytes(f.size)])], [false, true]) +
      `Worker "${result.name}" in ${result.outDir} (engine: ${result.engine.exceptions === 'none' ? 'no' : result.engine.exceptions} exception handling)\n` +
      `${instancesLine(result.instances)}\n` +
      `serve it: npx workerd serve ${result.outDir}/config.capnp   deploy it: cd ${result.outDir} && npx wrangler deploy\n`,
  );
  return 0;
}

function instancesLine(instances: DeployWorkerResult['instances']): string {
  if (instances.way === 'pool') {
    return `requests: a pool of up to ${instances.size} instances per isolate, reset to the snapshot after each`;
  }
  return `requests: a fresh instance of the snapshot each${instances.why === undefined ? '' : ` (${instances.why})`}`;
}
