// The inputs of the pre-initializer benchmark, each with the exact Wizer flags both tools get.
// Built or downloaded inputs are cached: the Lua build in the Lua build cache, the StarlingMonkey
// engine in the artifact store, Ruby-with-an-init-export next to the store's cache.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLua } from '@wasm-runtime/lua';
import { ArtifactStore } from '@wasm-runtime/pipeline';
import wabtInit from 'wabt';
import { addRubyInitExport, RUBY_INIT_EXPORT, RUBY_NOOP_EXPORT } from './ruby-init.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');
const requireFromRoot = createRequire(join(repoRoot, 'package.json'));

/** `wasm-runtime-wizer`, run as `node <this file>`. */
export const OURS_BIN = join(
  dirname(requireFromRoot.resolve('@wasm-runtime/preinit/package.json')),
  'bin',
  'wizer.js',
);
/** The Wizer 11 binary from npm. */
export const WIZER_BIN = join(
  dirname(requireFromRoot.resolve('@bytecodealliance/wizer-linux-x64/package.json')),
  'wizer',
);

export const COMPONENTIZE_JS = { package: '@bytecodealliance/componentize-js', version: '0.23.0' };
const RUBY_WASM = requireFromRoot.resolve('@ruby/3.4-wasm-wasi/dist/ruby+stdlib.wasm');
const LUA_EXAMPLES = join(dirname(requireFromRoot.resolve('@wasm-runtime/lua/package.json')), 'examples');

/**
 * @typedef {object} BenchInput
 * @property {string} id
 * @property {string} label
 * @property {boolean} large        3 rounds instead of 5
 * @property {string} input         the module both tools read
 * @property {string[]} flags       Wizer flags (without the input and -o)
 * @property {string} [stdin]
 * @property {NodeJS.ProcessEnv} env
 * @property {string} cwd
 * @property {string} [note]
 * @property {(ours: string | undefined, wizer: string | undefined) => { fn: string, args: unknown[] } | undefined} check
 *   which function of checks.mjs to run on the outputs (run in a child process by check-runner.mjs)
 */

/** The outputs that exist, by tool. */
const present = (paths) => Object.fromEntries(Object.entries(paths).filter(([, p]) => p));

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

function writeOnce(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

async function fixture(scratch) {
  const wabt = await wabtInit();
  const text = readFileSync(join(here, 'fixture.wat'), 'utf8');
  const wasm = wabt.parseWat('fixture.wat', text, { bulk_memory: true }).toBinary({}).buffer;
  const input = join(scratch, 'fixture.wasm');
  writeFileSync(input, wasm);
  return {
    id: 'fixture',
    label: `small .wat fixture (${wasm.length} B)`,
    large: false,
    input,
    flags: [],
    env: process.env,
    cwd: scratch,
    check: (ours, wizer) => (ours && wizer ? { fn: 'checkFixture', args: [ours, wizer] } : undefined),
  };
}

async function lua(app, fn, arg) {
  const { wasmPath } = await buildLua();
  const appDir = join(LUA_EXAMPLES, app);
  return {
    id: `lua-${app}`,
    label: `Lua 5.4 reactor, ${app} app`,
    large: app !== 'hello',
    input: wasmPath,
    flags: ['--allow-wasi', '--mapdir', `/app::${appDir}`, '-r', '_start=wasm-runtime.run'],
    env: process.env,
    cwd: appDir,
    note: "Wizer cannot parse wasm exception handling, which Lua's setjmp/longjmp lowers to",
    check: (ours) => (ours ? { fn: 'checkLua', args: [wasmPath, ours, appDir, fn, arg] } : undefined),
  };
}

const SM_APP = {
  'hello.js': `import { summarize } from './lib.js';
const greeting = ['Hello', 'from', 'StarlingMonkey'].join(' ');
globalThis.items = Array.from({ length: 2000 }, (_, i) => ({ i, square: i * i, name: \`item-\${i}\` }));
globalThis.index = new Map(items.map((item) => [item.name, item]));
console.log(\`\${greeting}: \${summarize(items)}\`);
`,
  'lib.js': `export function summarize(items) {
  const total = items.reduce((sum, item) => sum + item.square, 0);
  return \`\${items.length} items, sum of squares \${total}\`;
}
`,
  // componentize-js writes the JS glue of the component's WIT world here (spliceBindings); with no
  // world there is none to write.
  'initializer.js': '// no bindings\n',
};

async function starlingMonkey(scratch, store) {
  const engine = await store.fetch({
    kind: 'npm',
    ...COMPONENTIZE_JS,
    path: 'lib/starlingmonkey_embedding.wasm',
  });
  const sources = join(scratch, 'sm', 'sources');
  mkdirSync(sources, { recursive: true });
  for (const [name, text] of Object.entries(SM_APP)) writeFileSync(join(sources, name), text);
  return {
    id: 'starlingmonkey',
    label: `StarlingMonkey (componentize-js ${COMPONENTIZE_JS.version}), small JS app`,
    large: true,
    input: engine.path,
    // componentize-js 0.23.0's own wizer invocation, with the source directory mapped as `/`.
    flags: [
      '--allow-wasi',
      '--init-func',
      'componentize.wizer',
      `--dir=${sources}`,
      `--mapdir=/::${sources}`,
      '--wasm-bulk-memory=true',
      '--inherit-env=true',
    ],
    stdin: `--initializer-script-path ${join(sources, 'initializer.js')} --strip-path-prefix ${sources}/ hello.js`,
    // --inherit-env hands the guest the whole environment: keep it to what componentize-js sets.
    env: {
      PATH: process.env.PATH,
      SOURCE_NAME: 'hello.js',
      EXPORT_CNT: '0',
      IMPORT_CNT: '0',
      FEATURE_CLOCKS: '1',
      DEBUG: '',
    },
    cwd: scratch,
    check: (ours, wizer) => ({ fn: 'checkStarlingMonkey', args: [present({ ours, wizer })] }),
  };
}

async function ruby(store) {
  const original = readFileSync(RUBY_WASM);
  const helper = readFileSync(join(here, 'ruby-init.mjs'));
  const key = sha256(Buffer.concat([Buffer.from(sha256(original)), helper])).slice(0, 16);
  const input = join(store.cacheDir, 'bench', 'preinit', `ruby+stdlib.init-${key}.wasm`);
  if (!existsSync(input)) writeOnce(input, addRubyInitExport(new Uint8Array(original)));
  return {
    id: 'ruby',
    label: 'Ruby 3.4 ruby+stdlib.wasm (npm) + init export',
    large: true,
    input,
    flags: ['--allow-wasi', '-f', RUBY_INIT_EXPORT, '-r', `_initialize=${RUBY_NOOP_EXPORT}`],
    env: process.env,
    cwd: dirname(input),
    check: (ours, wizer) => ({ fn: 'checkRuby', args: [present({ ours, wizer })] }),
  };
}

/** Prepares the inputs named in `only` (all when empty), in table order. */
export async function prepareInputs(scratch, only) {
  const store = new ArtifactStore();
  const makers = {
    fixture: () => fixture(scratch),
    'lua-hello': () => lua('hello', 'greet', 'bench'),
    'lua-large': () => lua('large', 'info', ''),
    starlingmonkey: () => starlingMonkey(scratch, store),
    ruby: () => ruby(store),
  };
  const inputs = [];
  for (const [id, make] of Object.entries(makers)) {
    if (only.length > 0 && !only.includes(id)) continue;
    inputs.push(await make());
  }
  return inputs;
}
