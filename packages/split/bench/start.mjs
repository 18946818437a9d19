// Start of a split app vs the floor, and compile-once vs compile-per-app, for a synthetic
// snapshot with ~1 MiB of data. Run after `npx turbo run build --filter=@wasm-runtime/split`:
//   node packages/split/bench/start.mjs [--runs 7] [--functions 20000]
import { encodeU, i32Const, writeModule } from '@wasm-runtime/wasm';
import { EngineCache, linkSync, split } from '../dist/index.js';

const PAGE = 65536;
const DATA_BYTES = 1 << 20;
const SEGMENTS = 16;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const FUNCTIONS = arg('functions', 20000);
const runs = arg('runs', 7);

/** A synthetic pre-initialized runtime: FUNCTIONS small functions, 1 MiB of data, a mutable stack pointer. */
function syntheticSnapshot(appSeed) {
  const bodies = [];
  for (let f = 0; f < FUNCTIONS; f++) {
    // (local.get 0) then 12 × (i32.const k; i32.add; i32.const 3; i32.mul), load/store at the stack pointer.
    const code = [0x00, 0x20, 0x00];
    for (let k = 0; k < 12; k++) code.push(0x41, ...encodeU((f * 13 + k) & 0x3f), 0x6a, 0x41, 0x03, 0x6c);
    code.push(0x23, 0x00, 0x20, 0x00, 0x36, 0x02, 0x00, 0x23, 0x00, 0x28, 0x02, 0x00, 0x6a, 0x0b);
    bodies.push(Uint8Array.from(code));
  }
  const segments = [];
  const size = DATA_BYTES / SEGMENTS;
  let x = appSeed * 2654435761 + 1;
  for (let s = 0; s < SEGMENTS; s++) {
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      data[i] = (x >>> 16) | 1;
    }
    segments.push({ mode: 'active', memory: 0, offset: i32Const(PAGE + s * size), data });
  }
  const pages = 1 + DATA_BYTES / PAGE + 1;
  return writeModule({
    version: 1,
    sections: [
      { kind: 'type', types: [{ kind: 'func', params: ['i32'], results: ['i32'] }] },
      { kind: 'function', types: bodies.map(() => 0) },
      { kind: 'memory', memories: [{ min: pages, max: 65536, shared: false, memory64: false }] },
      {
        kind: 'global',
        globals: [{ type: { valType: 'i32', mutable: true }, init: i32Const(PAGE - 16 - appSeed) }],
      },
      {
        kind: 'export',
        exports: [
          { name: 'memory', kind: 'memory', index: 0 },
          { name: 'f0', kind: 'func', index: 0 },
        ],
      },
      { kind: 'code', bodies },
      { kind: 'data', segments },
    ],
  });
}

/** `bytes` plus a custom section with a never-seen name, so no cache of V8's can know it. */
function unique(bytes) {
  const name = new TextEncoder().encode(`bench-${process.hrtime.bigint()}-${Math.random()}`);
  const payload = [...encodeU(name.length), ...name];
  const out = new Uint8Array(bytes.length + 1 + encodeU(payload.length).length + payload.length);
  out.set(bytes);
  out.set([0, ...encodeU(payload.length), ...payload], bytes.length);
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const fmt = (x) => `${x.toFixed(3)} ms`;

const snapshot = syntheticSnapshot(1);
const { engine, app, manifest } = split(snapshot);
const segments = [];
{
  // The floor copies the same bytes the app module holds.
  const size = DATA_BYTES / SEGMENTS;
  const { parseModule } = await import('@wasm-runtime/wasm');
  for (const s of parseModule(snapshot).sections) if (s.kind === 'data') segments.push(...s.segments);
  if (segments.length !== SEGMENTS || segments[0].data.length !== size) throw new Error('unexpected fixture');
}
const pages = manifest.imports[0].pages;
console.log(
  `synthetic snapshot: ${snapshot.length} B (engine ${engine.length} B, app ${app.length} B, ${pages} pages, ${FUNCTIONS} functions)`,
);

// 1. Start of one app: floor vs split pair from a cached compiled engine.
const cache = new EngineCache();
cache.compileSync(engine);
const floorRuns = [];
const splitRuns = [];
const splitInstanceRuns = [];
const splitModuleRuns = [];
const appModule = new WebAssembly.Module(app);
for (let r = 0; r < runs; r++) {
  const floor = [];
  const pair = [];
  const pairInstance = [];
  const pairModule = [];
  for (let i = 0; i < 20; i++) {
    let t0 = process.hrtime.bigint();
    const memory = new WebAssembly.Memory({ initial: pages, maximum: 65536 });
    const view = new Uint8Array(memory.buffer);
    for (const [k, s] of segments.entries()) view.set(s.data, PAGE + k * s.data.length);
    floor.push(ms(t0));

    let appBytes = app.slice();
    t0 = process.hrtime.bigint();
    const linked = linkSync(engine, appBytes, {}, { cache });
    pair.push(ms(t0));
    if (linked.instance.exports.memory.buffer.byteLength !== pages * PAGE) throw new Error('bad link');

    appBytes = app.slice();
    t0 = process.hrtime.bigint();
    linkSync(engine, appBytes, {}, { cache, materializeApp: false });
    pairInstance.push(ms(t0));

    t0 = process.hrtime.bigint();
    linkSync(engine, appModule, {}, { cache });
    pairModule.push(ms(t0));
  }
  floorRuns.push(median(floor));
  splitRuns.push(median(pair));
  splitInstanceRuns.push(median(pairInstance));
  splitModuleRuns.push(median(pairModule));
}
const floor = median(floorRuns);
const report = (label, runs) => {
  const x = median(runs);
  console.log(`${label}: ${fmt(x)}  ${(x / floor).toFixed(2)}x floor`);
};
console.log(`floor (new Memory + copy the same bytes): ${fmt(floor)}`);
report(
  "split start from app bytes (default, materializeApp 'auto': large segments, so the JS API builds the app state)",
  splitRuns,
);
report(
  'split start from app bytes, app module compiled + instantiated by V8 (materializeApp: false)',
  splitInstanceRuns,
);
report('split start from a precompiled app module (instantiate app + engine)', splitModuleRuns);

// 2. 100 apps: compile the engine once + 100 app modules vs compile 100 monolithic snapshots.
// Every app has different data, so V8's module cache (keyed by wire bytes) cannot help either side.
const APPS = 100;
const snapshots = Array.from({ length: APPS }, (_, i) => syntheticSnapshot(i + 2));
const pairs = snapshots.map((s) => split(s));
if (new Set(pairs.map((p) => p.manifest.engine.sha256)).size !== 1) throw new Error('engines differ');
const compileSharedRuns = [];
const compileMonoRuns = [];
const sharedRuns = [];
const monoRuns = [];
const engineFile = pairs[0].engine; // the one engine-<sha>.wasm every app shares
const compileRounds = Math.max(3, Math.ceil(runs / 2));
for (let r = 0; r < compileRounds; r++) {
  // Compile only: one engine vs one monolithic module per app.
  // V8 keeps a cache of modules by wire bytes: a unique custom section makes this a real compile.
  const fresh = unique(engineFile);
  let t0 = process.hrtime.bigint();
  new WebAssembly.Module(fresh);
  compileSharedRuns.push(ms(t0));
  t0 = process.hrtime.bigint();
  for (const s of snapshots) new WebAssembly.Module(s.slice());
  compileMonoRuns.push(ms(t0));

  // End to end: every app started once.
  t0 = process.hrtime.bigint();
  const c = new EngineCache();
  for (const p of pairs) linkSync(engineFile, p.app, {}, { cache: c });
  sharedRuns.push(ms(t0));
  if (c.compilations !== 1) throw new Error('engine compiled more than once');
  t0 = process.hrtime.bigint();
  for (const s of snapshots) new WebAssembly.Instance(new WebAssembly.Module(s.slice()), {});
  monoRuns.push(ms(t0));
}
const compileShared = median(compileSharedRuns);
const compileMono = median(compileMonoRuns);
console.log(`compile for 100 apps, split: the engine once: ${fmt(compileShared)}`);
console.log(
  `compile for 100 apps, monolithic: 100 snapshots: ${fmt(compileMono)}  ${(compileMono / compileShared).toFixed(1)}x the split`,
);
const shared = median(sharedRuns);
const mono = median(monoRuns);
console.log(
  `start 100 apps, split (engine compiled once, 100 app states + engine instances): ${fmt(shared)}`,
);
console.log(
  `start 100 apps, monolithic (compile + instantiate 100 snapshots): ${fmt(mono)}  ${(mono / shared).toFixed(1)}x the split`,
);
