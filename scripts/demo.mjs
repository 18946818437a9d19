#!/usr/bin/env node
// The demo: `npm ci && npm run demo` on a fresh machine. Makes sure the toolchain and the pinned
// sources are there, builds the example app of every language whose recipe is installed (the
// `@wasm-runtime/<lang>` packages; the apps are templates/<lang> and the recipe package's examples/),
// runs each app both ways and prints how long a start takes:
//   cold      the original runtime (compiled once): instantiate, init (the app's top level), run
//   snapshot  the split pair from `wasm-runtime build` (engine compiled once): instantiate the app's
//             memory and the engine, run
// Needs the packages built (`turbo run build`). Options: --runs N (default 15).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const RUNS = Math.max(1, Number(values.runs));

function fail(message) {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(1);
}

// Both scripts are idempotent and silent when there is nothing to do; they print what they do.
for (const script of ['setup-toolchain', 'fetch-sources']) {
  const r = spawnSync('bash', [join(REPO, 'scripts', script)], { stdio: 'inherit' });
  if (r.status !== 0) fail(`scripts/${script} failed (see above)`);
}
if (!process.env.WASM_RUNTIME_MIRROR) process.env.WASM_RUNTIME_MIRROR = join(REPO, '.cache', 'mirror');

let pipeline;
let split;
let wasi;
try {
  pipeline = await import('@wasm-runtime/pipeline');
  split = await import('@wasm-runtime/split');
  wasi = await import('@wasm-runtime/wasi');
} catch (error) {
  fail(`the packages are not built (${error.message}): run \`npx turbo run build\` first`);
}
const { ArtifactStore, build, fetchRuntime, findRecipe, listInstalledRecipes, loadConfig, resolveConfig } =
  pipeline;
const { link } = split;
const { WASI, ProcExit } = wasi;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** Runs `body` (which calls exports) as a command under `host`, returning the exit code. */
function runCommand(host, memory, body) {
  try {
    return host.start({ exports: { memory, _start: body } });
  } catch (error) {
    if (error instanceof ProcExit) return error.exitCode;
    throw error;
  }
}

/** Calls an entry: a command (`_start` through the host) or an export returning an exit code. */
function callEntry(host, instance, entry, exportName) {
  const fn = instance.exports[exportName];
  if (entry.kind === 'command') return runCommand(host, instance.exports.memory, () => fn());
  host.bindMemory(instance.exports.memory);
  const result = fn();
  return typeof result === 'number' ? result : 0;
}

function newHost(args, env, preopens, output, state) {
  return new WASI({
    args,
    env,
    preopens,
    stdin: 'ignore',
    stdout: output ?? 'ignore',
    stderr: output ?? 'ignore',
    ...(state ? { state } : {}),
  });
}

/** The original runtime, compiled once: per start, instantiate, `_initialize`, init, entry. */
function coldRunner(module, resolved, recipe) {
  const context = {
    name: resolved.name,
    entry: resolved.entry,
    entryGuestPath: `/app/${resolved.entry}`,
    options: resolved.options,
  };
  const spec = typeof recipe.init === 'function' ? recipe.init(context) : (recipe.init ?? {});
  const initExport = spec.export ?? 'wizer-initialize';
  const env = { ...spec.env, ...resolved.init.env };
  const entryExport = recipe.entry.export ?? '_start';
  return async (output) => {
    const host = newHost([resolved.name], env, { '/app': { dir: resolved.root, readOnly: true } }, output);
    const instance = await WebAssembly.instantiate(module, host.imports);
    const ex = instance.exports;
    return runCommand(host, ex.memory, () => {
      ex._initialize?.();
      ex[initExport]();
      if (recipe.entry.kind === 'command') ex[entryExport]();
      else {
        const code = ex[entryExport]();
        if (typeof code === 'number' && code !== 0) throw new ProcExit(code);
      }
    });
  };
}

/** The split pair, engine compiled once: per start, link (app memory + engine), post-restore, entry. */
function snapshotRunner(engineModule, data, manifest) {
  return async (output) => {
    const host = newHost([manifest.name], {}, {}, output, manifest.hostState);
    const { instance } = await link(engineModule, data, host.imports, { cache: null });
    if (manifest.postRestore.call !== null) {
      host.bindMemory(instance.exports.memory);
      instance.exports[manifest.postRestore.call]();
    }
    if (manifest.entry.kind === 'command') {
      try {
        return host.start(instance);
      } catch (error) {
        if (error instanceof ProcExit) return error.exitCode;
        throw error;
      }
    }
    return callEntry(host, instance, manifest.entry, manifest.entry.export);
  };
}

async function timeIt(run) {
  await run(); // warm-up: first-call costs of the host's JS, not of the start
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return median(times);
}

const store = new ArtifactStore();
const languages = await listInstalledRecipes({ cwd: REPO });
if (languages.length === 0) fail('no recipe package (@wasm-runtime/<lang>) is installed: run npm ci');

/** The apps of a language: its starter template, then its recipe package's examples. */
async function appsOf(lang) {
  const apps = [];
  const template = join(REPO, 'templates', lang);
  if (existsSync(template)) apps.push({ label: `templates/${lang}`, dir: template, config: true });
  let pkgDir;
  try {
    pkgDir = dirname(createRequire(join(REPO, 'noop.js')).resolve(`@wasm-runtime/${lang}/package.json`));
  } catch {
    return apps;
  }
  const examples = join(pkgDir, 'examples');
  for (const name of (await readdir(examples).catch(() => [])).sort()) {
    if (
      existsSync(join(examples, name, 'main.lua')) ||
      existsSync(join(examples, name, 'wasm-runtime.config.json'))
    )
      apps.push({
        label: relative(REPO, join(examples, name)),
        dir: join(examples, name),
        name,
        config: false,
      });
  }
  return apps;
}

const rows = [];
for (const lang of languages) {
  const apps = await appsOf(lang);
  if (apps.length === 0) process.stderr.write(`demo: ${lang}: no templates/${lang} nor examples; skipped\n`);
  const { recipe } = await findRecipe(lang, { cwd: REPO });
  const runtime = await fetchRuntime(recipe, store, { baseDir: REPO });
  const runtimeModule = await WebAssembly.compile(runtime.bytes);
  for (const app of apps) {
    const started = performance.now();
    const out = join(REPO, '.cache', 'demo', lang, app.name ?? 'template', 'dist');
    const loaded = app.config
      ? await loadConfig(app.dir, { overrides: { out } })
      : await resolveConfig({ name: app.name, lang, root: '.', out }, { baseDir: app.dir });
    if (loaded.value === undefined) fail(`${app.label}: ${loaded.errors.map((e) => e.message).join('; ')}`);
    const resolved = loaded.value;
    let result;
    try {
      result = await build(resolved, { store });
    } catch (error) {
      fail(
        `building ${app.label} failed: ${error.message}${error.cause ? `\n  ${error.cause.message}` : ''}`,
      );
    }
    const buildMs = performance.now() - started;
    const read = (f) => readFile(join(result.outDir, f.path)).then((b) => new Uint8Array(b));
    const engineModule = await WebAssembly.compile(await read(result.manifest.files.engine));
    const cold = coldRunner(runtimeModule, resolved, recipe);
    const snap = snapshotRunner(engineModule, await read(result.manifest.files.data), result.manifest);

    // One run each with output, to show the app works and both ways agree on the exit code.
    const chunks = [];
    const snapCode = await snap((c) => chunks.push(Buffer.from(c)));
    const output = Buffer.concat(chunks).toString('utf8').trimEnd();
    const coldCode = await cold(() => {});
    if (coldCode !== snapCode)
      fail(`${app.label}: exit code ${coldCode} cold but ${snapCode} from the snapshot`);

    const coldMs = await timeIt(() => cold());
    const snapMs = await timeIt(() => snap());
    rows.push({ lang, label: app.label, buildMs, coldMs, snapMs, output, code: snapCode });
  }
}

const MAX_LINES = 4;
for (const r of rows) {
  const lines = r.output.split('\n');
  console.log(`${r.label} (${r.lang}, built in ${(r.buildMs / 1000).toFixed(1)} s), exit ${r.code}:`);
  console.log(lines.slice(0, MAX_LINES).join('\n').replace(/^/gm, '  '));
  if (lines.length > MAX_LINES) console.log(`  … (${lines.length - MAX_LINES} more lines)`);
  console.log('');
}
const header = ['language', 'app', 'cold start', 'snapshot start', 'speed-up'];
const cells = rows.map((r) => [
  r.lang,
  r.label,
  `${fmt(r.coldMs)} ms`,
  `${fmt(r.snapMs)} ms`,
  `${(r.coldMs / r.snapMs).toFixed(1)}x`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (c) =>
  `| ${c.map((x, i) => (i < 2 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const c of cells) console.log(line(c));
console.log(
  `\ncold: the original runtime, compiled once; per start: instantiate, init, run. snapshot: the split pair, ` +
    `engine compiled once; per start: instantiate the app's memory and the engine, run. Medians of ${RUNS}.`,
);
