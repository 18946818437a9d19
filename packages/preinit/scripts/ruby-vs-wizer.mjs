#!/usr/bin/env node
// Measures wasm-runtime-wizer against the real Wizer 11 on CRuby 3.4 (npm @ruby/3.4-wasm-wasi):
// adds a `wizer-initialize` export that runs `ruby-init(["ruby", "-e_=0"])` and
// `ruby-init-loadpath`, pre-initializes it with both, and compares the snapshots. Ruby's init reads
// 20 random bytes (hash seed) and the clock: Wizer uses real ones and wasm-runtime-wizer seeded
// ones, so the heaps differ where those values landed.
// Run after `npm run build`: node scripts/ruby-vs-wizer.mjs (needs ~1 GB and ~30 s).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  encodeS,
  encodeU,
  getExports,
  getSection,
  parseModule,
  setExports,
  setSection,
  writeModule,
} from '@wasm-runtime/wasm';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ruby = require.resolve
  .paths('@ruby/3.4-wasm-wasi')
  .map((d) => join(d, '@ruby/3.4-wasm-wasi/dist/ruby+stdlib.wasm'))
  .find((f) => existsSync(f));
const wizer = join(dirname(require.resolve('@bytecodealliance/wizer-linux-x64/package.json')), 'wizer');
const mod = parseModule(new Uint8Array(readFileSync(ruby)));
const exp = (prefix) => getExports(mod).find((e) => e.name.startsWith(prefix)).index;
const realloc = exp('cabi_realloc');
const init = exp('ruby-init:');
const loadpath = exp('ruby-init-loadpath');

const types = getSection(mod, 'type').types;
const voidType = types.findIndex((t) => t.kind === 'func' && t.params.length === 0 && t.results.length === 0);
if (voidType < 0) throw new Error('no [] -> [] type');
const i32 = (n) => [0x41, ...encodeS(n)];
const store = (align, offset) => [0x36, align, ...encodeU(offset)];
const body = [
  0x01,
  0x01,
  0x7f, // one i32 local: the argument block
  ...i32(0),
  ...i32(0),
  ...i32(4),
  ...i32(32),
  0x10,
  ...encodeU(realloc),
  0x21,
  0x00,
  0x20,
  0x00,
  ...i32(0x79627572),
  ...store(2, 16), // "ruby"
  0x20,
  0x00,
  ...i32(0x3d5f652d),
  ...store(2, 20), // "-e_="
  0x20,
  0x00,
  ...i32(0x30),
  0x3a,
  0x00,
  0x18, // "0"
  0x20,
  0x00,
  0x20,
  0x00,
  ...i32(16),
  0x6a,
  ...store(2, 0),
  0x20,
  0x00,
  ...i32(4),
  ...store(2, 4),
  0x20,
  0x00,
  0x20,
  0x00,
  ...i32(20),
  0x6a,
  ...store(2, 8),
  0x20,
  0x00,
  ...i32(5),
  ...store(2, 12),
  0x20,
  0x00,
  ...i32(2),
  0x10,
  ...encodeU(init),
  0x10,
  ...encodeU(loadpath),
  0x0b,
];
const funcs = getSection(mod, 'function').types;
const imported = getSection(mod, 'import').imports.filter((i) => i.desc.kind === 'func').length;
setSection(mod, { kind: 'function', types: [...funcs, voidType] });
setSection(mod, { kind: 'code', bodies: [...getSection(mod, 'code').bodies, Uint8Array.from(body)] });
setExports(mod, [
  ...getExports(mod),
  { name: 'wizer-initialize', kind: 'func', index: imported + funcs.length },
]);

const dir = mkdtempSync(join(tmpdir(), 'ruby-vs-wizer-'));
writeFileSync(join(dir, 'in.wasm'), writeModule(mod));
const timed = (label, cmd, args) => {
  const r = spawnSync('/usr/bin/time', ['-f', '%e s %M KB', cmd, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr}`);
  const line = r.stderr.toString().trim().split('\n').at(-1);
  console.log(`${label}: ${line}`);
};
timed('wasm-runtime-wizer', process.execPath, [
  join(here, '..', 'bin', 'wizer.js'),
  '--allow-wasi',
  join(dir, 'in.wasm'),
  '-o',
  join(dir, 'ours.wasm'),
]);
timed('wizer 11          ', wizer, ['--allow-wasi', join(dir, 'in.wasm'), '-o', join(dir, 'theirs.wasm')]);

const instantiate = (file) => {
  const m = new WebAssembly.Module(readFileSync(file));
  const imports = {};
  for (const i of WebAssembly.Module.imports(m)) {
    imports[i.module] ??= {};
    imports[i.module][i.name] = () => {
      throw new Error(i.name);
    };
  }
  return new WebAssembly.Instance(m, imports);
};
const a = new Uint8Array(instantiate(join(dir, 'ours.wasm')).exports.memory.buffer);
const b = new Uint8Array(instantiate(join(dir, 'theirs.wasm')).exports.memory.buffer);
let diffs = 0;
for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) diffs++;
console.log(
  `sizes: ours ${readFileSync(join(dir, 'ours.wasm')).length} B, wizer ${readFileSync(join(dir, 'theirs.wasm')).length} B`,
);
console.log(`memory: ${a.length} vs ${b.length} bytes, ${diffs} bytes differ`);

// The snapshot is a working Ruby: evaluate code in it without running init again.
const { WASI } = await import('@wasm-runtime/wasi');
const snapshot = new WebAssembly.Module(readFileSync(join(dir, 'ours.wasm')));
const wasi = new WASI({ stdout: 'buffer' });
const imports = { ...wasi.imports };
for (const i of WebAssembly.Module.imports(snapshot)) {
  if (i.module === 'wasi_snapshot_preview1') continue;
  imports[i.module] ??= {};
  imports[i.module][i.name] = () => 1; // resource handles of the legacy JS ABI: unused here
}
const t0 = performance.now();
const rb = new WebAssembly.Instance(snapshot, imports).exports;
wasi.bindMemory(rb.memory);
const t1 = performance.now();
const source = new TextEncoder().encode('puts "#{RUBY_VERSION}: #{[1, 2, 3].sum}"; $stdout.flush');
const at = rb.cabi_realloc(0, 0, 1, source.length);
new Uint8Array(rb.memory.buffer).set(source, at);
Object.entries(rb).find(([name]) => name.startsWith('rb-eval-string-protect'))[1](at, source.length);
console.log(
  `snapshot: instantiated in ${(t1 - t0).toFixed(1)} ms, evaluated in ${(performance.now() - t1).toFixed(1)} ms, printed ${JSON.stringify(wasi.stdoutText())}`,
);
