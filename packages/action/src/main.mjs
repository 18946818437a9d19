// @ts-check
// The steps of the wasm-runtime GitHub Action (action.yml runs them as a composite action):
//   node main.mjs cache-key   outputs the artifact cache directory and a key made of the recipe's pins
//   node main.mjs build       runs the app's own `wasm-runtime` (fetch, then build), one log group
//                             per stage, outputs dist/sizes/engine-sha256, failures as ::error annotations
// Inputs come as INPUT_* variables and outputs go to the file $GITHUB_OUTPUT, as the runner does.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const env = process.env;

/** @param {string} name */
function input(name) {
  return (env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`] ?? '').trim();
}

/** Escapes a workflow command's message (the runner reads % CR LF specially). @param {string} s */
function escapeData(s) {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value. @param {string} s */
function escapeProperty(s) {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** @param {Record<string, string>} outputs */
function setOutputs(outputs) {
  const file = env['GITHUB_OUTPUT'];
  const lines = Object.entries(outputs).map(([k, v]) => {
    if (!v.includes('\n')) return `${k}=${v}\n`;
    const delimiter = `EOF_${createHash('sha256').update(v).digest('hex').slice(0, 16)}`;
    return `${k}<<${delimiter}\n${v}\n${delimiter}\n`;
  });
  if (file) appendFileSync(file, lines.join(''));
  else for (const line of lines) process.stdout.write(line);
}

/**
 * An error annotation. `file` is shown relative to the workspace, as GitHub links it.
 * @param {string} message @param {{ file?: string, line?: number, title?: string }} [where]
 */
function annotate(message, where = {}) {
  const props = [];
  if (where.file !== undefined) {
    const workspace = env['GITHUB_WORKSPACE'] || process.cwd();
    props.push(`file=${escapeProperty(relative(workspace, where.file) || where.file)}`);
  }
  if (where.line !== undefined) props.push(`line=${where.line}`);
  if (where.title !== undefined) props.push(`title=${escapeProperty(where.title)}`);
  process.stdout.write(`::error${props.length ? ` ${props.join(',')}` : ''}::${escapeData(message)}\n`);
}

/** @param {string} title @param {() => void} body */
function group(title, body) {
  process.stdout.write(`::group::${escapeData(title)}\n`);
  try {
    body();
  } finally {
    process.stdout.write('::endgroup::\n');
  }
}

const appDir = resolve(input('working-directory') || '.');
const configInput = input('config');
/** What to give `wasm-runtime build/fetch`: the config file when one is named, else the app dir. */
const target = configInput ? resolve(appDir, configInput) : appDir;
/** The config file the annotations point at. */
function configFile() {
  if (configInput) return target;
  for (const name of ['wasm-runtime.config.json', 'wasm-runtime.config.mjs']) {
    if (existsSync(join(appDir, name))) return join(appDir, name);
  }
  return join(appDir, 'wasm-runtime.config.json');
}

/** Resolves a package installed in the app (its own dependencies, as `npx` would). @param {string} specifier */
function resolveInApp(specifier) {
  return createRequire(join(appDir, 'package.json')).resolve(specifier);
}

/** The line of a config's dot path (its last key), when the config is JSON and the key is there. */
function lineOf(/** @type {string} */ file, /** @type {string | undefined} */ path) {
  if (path === undefined || path === '' || !file.endsWith('.json') || !existsSync(file)) return undefined;
  const key = path.split('.').at(-1);
  const at = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(`"${key}"`));
  return at < 0 ? undefined : at + 1;
}

async function cacheKey() {
  const platform = `${process.platform}-${process.arch}`;
  const cacheDir = env['WASM_RUNTIME_CACHE'] || join(env['RUNNER_TEMP'] || appDir, 'wasm-runtime-cache');
  let pins = 'unknown';
  let runtime = 'unknown';
  try {
    /** @type {any} */
    const pipeline = await import(pathToFileURL(resolveInApp('@wasm-runtime/pipeline')).href);
    const loaded = await pipeline.loadConfig(configInput ? dirname(target) : appDir);
    const recipe = loaded.value?.recipe;
    if (recipe !== undefined) {
      runtime = `${recipe.runtime.name}-${recipe.runtime.version}`;
      // The source's pins (URLs, versions, sha256s); functions (build hooks) drop out of the JSON.
      pins = createHash('sha256')
        .update(JSON.stringify({ runtime: recipe.runtime, source: recipe.source }))
        .digest('hex')
        .slice(0, 16);
    }
  } catch (error) {
    // The build step reports what is wrong with the app; the cache just gets a key that never hits.
    process.stdout.write(
      `cannot read the recipe's pins yet: ${error instanceof Error ? error.message : error}\n`,
    );
  }
  const restoreKey = `wasm-runtime-${platform}-${runtime}-`;
  setOutputs({ 'cache-dir': cacheDir, key: `${restoreKey}${pins}`, 'restore-key': restoreKey });
}

/** Runs the app's wasm-runtime CLI with --json; returns its report (or null) and exit status. */
function cli(/** @type {string[]} */ args) {
  let bin;
  try {
    bin = join(dirname(resolveInApp('@wasm-runtime/cli/package.json')), 'bin', 'wasm-runtime.js');
  } catch {
    annotate(
      `@wasm-runtime/cli is not installed in ${appDir}: add it (npm install --save-dev @wasm-runtime/cli) and run npm ci before this step`,
      { file: join(appDir, 'package.json'), title: 'ERR_ACTION_NO_CLI' },
    );
    return { report: null, status: 1 };
  }
  const r = spawnSync(process.execPath, [bin, ...args, '--json'], { cwd: appDir, encoding: 'utf8', env });
  if (r.stderr) process.stdout.write(r.stderr);
  /** @type {any} */
  let report = null;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    process.stdout.write(r.stdout);
  }
  return { report, status: r.status ?? 1 };
}

/** Annotates every error of a failed report at the config; true when it failed. @param {any} report @param {number} status */
function failed(report, status) {
  if (status === 0 && report?.ok) return false;
  const file = report?.configFile || configFile();
  const errors = report?.errors?.length
    ? report.errors
    : [{ code: 'ERR_ACTION_CLI', message: `wasm-runtime exited with status ${status}` }];
  for (const e of errors) {
    const line = lineOf(file, e.path);
    annotate(`${e.path ? `${e.path}: ` : ''}${e.message}`, {
      file,
      ...(line ? { line } : {}),
      title: e.code,
    });
  }
  process.exitCode = 1;
  return true;
}

function build() {
  /** @type {any} */
  let fetched;
  group('fetch the runtime', () => {
    const { report, status } = cli(['fetch', target]);
    fetched = { report, status };
    if (report?.ok) {
      const how = report.fromCache ? 'from the cache' : 'built or downloaded';
      process.stdout.write(
        `${report.runtime.name} ${report.runtime.version}: ${how} in ${Math.round(report.ms)} ms\n`,
      );
      process.stdout.write(`sha256 ${report.sha256}, ${report.size} bytes, cache ${report.cacheDir}\n`);
    }
  });
  if (failed(fetched.report, fetched.status)) return;

  /** @type {any} */
  let built;
  group('pre-initialize, split, emit', () => {
    const out = input('out');
    built = cli(['build', target, ...(out ? ['--out', resolve(appDir, out)] : [])]);
    const r = built.report;
    if (r?.ok) {
      for (const [stage, ms] of Object.entries(r.timings ?? {}))
        process.stdout.write(`${stage}: ${Math.round(Number(ms))} ms\n`);
      for (const line of r.initOutput?.stdout?.split?.('\n') ?? [])
        if (line) process.stdout.write(`init stdout: ${line}\n`);
    }
  });
  if (failed(built.report, built.status)) return;

  const r = built.report;
  group(`outputs: ${r.outDir}`, () => {
    for (const f of r.files) process.stdout.write(`${f.path}  ${f.size} bytes  sha256 ${f.sha256}\n`);
  });
  setOutputs({
    dist: r.outDir,
    sizes: JSON.stringify(r.sizes),
    'engine-sha256': r.manifest?.split?.engine?.sha256 ?? '',
  });
}

const step = process.argv[2];
if (step === 'cache-key') await cacheKey();
else if (step === 'build') build();
else {
  process.stderr.write(`usage: node main.mjs cache-key|build (got ${step})\n`);
  process.exitCode = 2;
}
