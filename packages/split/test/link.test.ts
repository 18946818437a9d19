import { parseModule, type Section, writeModule } from '@wasm-runtime/wasm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  EngineCache,
  type LinkedPair,
  link,
  linkSync,
  PairMismatchError,
  SplitManifestError,
  split,
} from '../src/index.js';
import { APP_A, APP_B, fixture, hostImports, snapshot } from './helpers.js';

type Fn = (...args: number[]) => number | bigint;

/** Everything a user can observe of an instance of the template runtime. */
function observe(instance: WebAssembly.Instance): unknown {
  const f = (name: string) => instance.exports[name] as Fn;
  const memory = instance.exports['memory'] as WebAssembly.Memory;
  const before = {
    sp: f('sp')(),
    counter: f('counter')(),
    heapBase: f('heap_base')(),
    version: f('version')(),
    seeded: f('seeded')(),
    pages: f('pages')(),
    loads: [1024, 1030, 2048, 2060, 70000, 70002, 131071].map((p) => f('load')(p)),
    sum: f('sum')(1024, 4096),
    apply: [f('apply')(0, 7), f('apply')(1, 7)],
    counterGlobal: (instance.exports['counter_global'] as WebAssembly.Global).value,
    memory: Buffer.from(memory.buffer).toString('base64'),
  };
  return { ...before, bump: [f('bump')(), f('bump')()] };
}

function monolithic(bytes: Uint8Array): WebAssembly.Instance {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), hostImports());
}

describe('link', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('instantiates the pair so it behaves exactly like the monolithic snapshot', async () => {
    for (const state of [APP_A, APP_B]) {
      for (const materializeApp of [true, false]) {
        const bytes = snapshot(state);
        const { engine, app } = split(bytes);
        const pair = await link(engine, app, hostImports(), { cache: new EngineCache(), materializeApp });
        expect(observe(pair.instance)).toEqual(observe(monolithic(bytes)));
        // The engine re-exports the app's memory object: WASI hosts find it as "memory".
        expect(pair.instance.exports['memory']).toBe(pair.appExports['memory']);
        expect(pair.app === null).toBe(materializeApp);
        if (pair.app !== null) expect(pair.app.exports['memory']).toBe(pair.appExports['memory']);
      }
    }
  });

  it('instantiates the app module when the JS API cannot build its state, with the same errors', () => {
    const { engine, app } = split(snapshot(APP_A));
    // Data beyond the memory: instantiating the app module traps, materializing must not hide it.
    const module = parseModule(app);
    const sections = module.sections.map(
      (s): Section =>
        s.kind === 'memory' ? { kind: 'memory', memories: s.memories.map((m) => ({ ...m, min: 1 })) } : s,
    );
    const bad = writeModule({ version: 1, sections });
    for (const materializeApp of [true, false]) {
      expect(() => linkSync(engine, bad, hostImports(), { cache: null, materializeApp })).toThrow(
        WebAssembly.RuntimeError,
      );
    }
  });

  it('gives the caller imports to the engine (a trapping host call reaches the host)', () => {
    const { engine, app } = split(snapshot(APP_A));
    const pair = linkSync(engine, app, hostImports(), { cache: null });
    expect(() => (pair.instance.exports['exit'] as Fn)(3)).toThrow('exit 3');
  });

  it('accepts compiled modules as well as bytes', async () => {
    const bytes = snapshot(APP_B);
    const { engine, app } = split(bytes);
    const pair = await link(
      await WebAssembly.compile(engine as Uint8Array<ArrayBuffer>),
      await WebAssembly.compile(app as Uint8Array<ArrayBuffer>),
      hostImports(),
    );
    expect(observe(pair.instance)).toEqual(observe(monolithic(bytes)));
  });

  it('compiles an engine once and reuses it for every app of the runtime', async () => {
    const cache = new EngineCache();
    const a = split(snapshot(APP_A));
    const b = split(snapshot(APP_B));
    const compile = vi.spyOn(WebAssembly, 'compile');
    const pa = await link(a.engine, a.app, hostImports(), { cache, manifest: a.manifest });
    // b.engine is another array with the same bytes: the cache finds it by sha256.
    const pb = await link(b.engine, b.app, hostImports(), { cache, manifest: b.manifest });
    const engineCompiles = compile.mock.calls.filter(
      ([bytes]) => (bytes as Uint8Array).length === a.engine.length,
    );
    expect(engineCompiles).toHaveLength(1);
    expect(cache.compilations).toBe(1);
    expect(cache.hits).toBe(1);
    expect(pb.engineModule).toBe(pa.engineModule);
    expect((pa.instance.exports['sp'] as Fn)()).toBe(60000);
    expect((pb.instance.exports['sp'] as Fn)()).toBe(50000);
    const pc = linkSync(a.engine, b.app, hostImports(), { cache });
    expect(pc.engineModule).toBe(pa.engineModule);
    expect(cache.compilations).toBe(1);
  });

  it('takes engines compiled elsewhere and forgets them on clear', () => {
    const cache = new EngineCache();
    const a = split(snapshot(APP_A));
    const compiled = new WebAssembly.Module(a.engine as Uint8Array<ArrayBuffer>);
    cache.set(a.manifest.engine.sha256, compiled);
    expect(linkSync(a.engine, a.app, hostImports(), { cache }).engineModule).toBe(compiled);
    expect(cache.compilations).toBe(0);
    expect(cache.size).toBe(1);
    cache.clear();
    expect(cache.get(a.manifest.engine.sha256)).toBeUndefined();
    expect(linkSync(a.engine, a.app, hostImports(), { cache }).engineModule).not.toBe(compiled);
    expect(cache.compilations).toBe(1);
  });

  it('shares one compile between concurrent links', async () => {
    const cache = new EngineCache();
    const a = split(snapshot(APP_A));
    const b = split(snapshot(APP_B));
    const [pa, pb] = await Promise.all([
      link(a.engine, a.app, hostImports(), { cache }),
      link(b.engine, b.app, hostImports(), { cache }),
    ]);
    expect(cache.compilations).toBe(1);
    expect((pa as LinkedPair).engineModule).toBe((pb as LinkedPair).engineModule);
  });
});

describe('link refuses a pair that does not match', () => {
  const a = split(snapshot(APP_A));
  const other = split(fixture('no-globals'));

  it('refuses a manifest that is not one split wrote, naming each field (a typed error, never a TypeError)', async () => {
    const { manifest } = a;
    const bad = { ...manifest, imports: { length: 1 }, engine: { file: 'e.wasm', sha256: null } };
    const error = await link(a.engine, a.app, hostImports(), {
      cache: null,
      manifest: bad as unknown as typeof manifest,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SplitManifestError);
    expect(error).toMatchObject({
      code: 'ERR_SPLIT_MANIFEST_INVALID',
      issues: [
        'engine.sha256: expected a lowercase hex sha256, got null',
        'imports: expected an array, got an object',
      ],
    });
    for (const broken of [null, [], { ...manifest, imports: [null, { kind: 'table', name: 1 }] }]) {
      expect(() =>
        linkSync(a.engine, a.app, hostImports(), {
          cache: null,
          manifest: broken as unknown as typeof manifest,
        }),
      ).toThrow(SplitManifestError);
    }
    // The manifest split wrote links.
    expect((await link(a.engine, a.app, hostImports(), { cache: null, manifest })).instance).toBeDefined();
  });

  it('names the import the app does not provide', async () => {
    const error = await link(a.engine, other.app, hostImports(), { cache: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PairMismatchError);
    expect(error).toMatchObject({ code: 'ERR_SPLIT_PAIR_MISMATCH', item: 'global1' });
    expect((error as Error).message).toMatch(/imports global "global1" from "wasm-runtime:app"/);
  });

  it('names the export the engine does not import', () => {
    expect(() => linkSync(other.engine, a.app, {}, { cache: null })).toThrow(/the app exports "global1"/);
  });

  it('names the item whose type does not fit', () => {
    // An app whose memory may grow beyond the engine's maximum of 256 pages.
    const module = parseModule(a.app);
    const sections = module.sections.map(
      (s): Section =>
        s.kind === 'memory' ? { kind: 'memory', memories: s.memories.map((m) => ({ ...m, max: 300 })) } : s,
    );
    const bad = writeModule({ version: 1, sections });
    let error: unknown;
    try {
      linkSync(a.engine, bad, hostImports(), { cache: null });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ERR_SPLIT_PAIR_MISMATCH', item: 'memory' });
    expect((error as Error).message).toMatch(/rejected the app's memory "memory": .*maximum/);
  });

  it('checks the engine against the manifest', () => {
    expect(() => linkSync(other.engine, other.app, {}, { cache: null, manifest: a.manifest })).toThrow(
      /the engine's sha256 is [0-9a-f]{64}, the manifest names engine/,
    );
  });
});
