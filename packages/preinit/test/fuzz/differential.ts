import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWasmRuntimeError } from '@wasm-runtime/errors';
import {
  addFunctions,
  encodeU,
  type FuncType,
  functionType,
  getExports,
  getSection,
  type Import,
  indexSpaces,
  parseModule,
  setExports,
  type ValType,
  writeModule,
} from '@wasm-runtime/wasm';
import { execa } from 'execa';
import { preinitialize } from '../../src/index.js';
import { wizerPath } from '../helpers.js';
import { HANG_LIMIT_EXPORT, zero } from './generate.js';

/** The import module of binaryen's fuzzer (its logging functions). */
export const FUZZ_IMPORTS = 'fuzzing-support';

/** How one module went. */
export type Outcome =
  | { kind: 'invalid-input'; reason: string }
  | { kind: 'compared-with-wizer' | 'compared-with-v8'; calls: number }
  | { kind: 'both-refused'; ours: string; wizer: string }
  | { kind: 'divergence'; detail: string };

/**
 * A preload for the fuzzer's imports: each one a function doing nothing and returning zeros,
 * so that both pre-initializers and the V8 reference run see the same deterministic host.
 */
export function fuzzSupport(bytes: Uint8Array): Uint8Array {
  const module = parseModule(bytes);
  const imports = (getSection(module, 'import')?.imports ?? []).filter(
    (i): i is Import & { desc: { kind: 'func' } } => i.module === FUZZ_IMPORTS && i.desc.kind === 'func',
  );
  const types: FuncType[] = [];
  let funcs = 0;
  for (const imp of getSection(module, 'import')?.imports ?? []) {
    if (imp.desc.kind !== 'func') continue;
    const type = functionType(module, funcs++)!;
    if (imp.module === FUZZ_IMPORTS) types.push(type);
  }
  const preload = parseModule(writeModule({ version: 1, sections: [] }));
  const indices = addFunctions(
    preload,
    types.map((type) => ({
      type,
      body: Uint8Array.from([0x00, ...type.results.flatMap(zero), 0x0b]),
    })),
  );
  setExports(
    preload,
    imports.map((imp, k) => ({ name: imp.name, kind: 'func' as const, index: indices[k]! })),
  );
  return writeModule(preload);
}

const OBSERVE = '__observe_';

/**
 * `bytes` with its whole state readable from JS: every memory and table exported, and for every
 * global a generated getter returning its bits (f32/f64 reinterpreted as i32/i64, v128 as four
 * i32 lanes), so a NaN payload shows. Reference globals are exported as they are.
 */
export function observable(bytes: Uint8Array): Uint8Array {
  const module = parseModule(bytes);
  const spaces = indexSpaces(module);
  const extra: Array<{ name: string; kind: 'memory' | 'table' | 'global' | 'func'; index: number }> = [];
  for (const kind of ['memory', 'table'] as const) {
    for (let i = 0; i < spaces[kind].total; i++)
      extra.push({ name: `${OBSERVE}${kind}_${i}`, kind, index: i });
  }
  const globalTypes: ValType[] = [
    ...(getSection(module, 'import')?.imports ?? []).flatMap((i) =>
      i.desc.kind === 'global' ? [i.desc.type.valType] : [],
    ),
    ...(getSection(module, 'global')?.globals ?? []).map((g) => g.type.valType),
  ];
  const getters: Array<{ global: number; type: FuncType; body: Uint8Array }> = [];
  globalTypes.forEach((t, g) => {
    const get = [0x23, ...encodeU(g)];
    let body: number[];
    let results: ValType[];
    if (t === 'i32' || t === 'i64') [body, results] = [get, [t]];
    else if (t === 'f32') [body, results] = [[...get, 0xbc], ['i32']];
    else if (t === 'f64') [body, results] = [[...get, 0xbd], ['i64']];
    else if (t === 'v128') {
      body = [];
      for (let lane = 0; lane < 4; lane++) body.push(...get, 0xfd, 0x1b, lane);
      results = ['i32', 'i32', 'i32', 'i32'];
    } else {
      extra.push({ name: `${OBSERVE}global_${g}`, kind: 'global', index: g });
      return;
    }
    getters.push({
      global: g,
      type: { kind: 'func', params: [], results },
      body: Uint8Array.from([0x00, ...body, 0x0b]),
    });
  });
  const indices = addFunctions(module, getters);
  getters.forEach((g, k) => {
    extra.push({ name: `${OBSERVE}global_${g.global}`, kind: 'func', index: indices[k]! });
  });
  setExports(module, [...getExports(module), ...extra]);
  return writeModule(module);
}

/** The state of an observable instance as comparable text: memories (hashed), globals' bits, tables. */
export function state(instance: WebAssembly.Instance): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(instance.exports)) {
    if (!name.startsWith(OBSERVE)) continue;
    if (value instanceof WebAssembly.Memory) {
      const bytes = Buffer.from(value.buffer);
      parts.push(`${name}: ${bytes.length} bytes, sha1 ${fingerprint(bytes)}`);
    } else if (value instanceof WebAssembly.Table) {
      const entries: string[] = [];
      for (let i = 0; i < value.length; i++) entries.push(describe(value.get(i)));
      parts.push(`${name}: [${entries.join(',')}]`);
    } else if (value instanceof WebAssembly.Global) parts.push(`${name}: ${describe(value.value)}`);
    else if (typeof value === 'function') parts.push(`${name}: ${describe((value as () => unknown)())}`);
  }
  return parts.join('\n');
}

function fingerprint(bytes: Buffer): string {
  // FNV-1a over 32-bit words: enough to tell two memories apart, and fast.
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  for (let i = words.length * 4; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return (h >>> 0).toString(16);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `func ${value.name}`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(',')}]`;
  return typeof value;
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.constructor.name}: ${err.message}` : `thrown ${String(err)}`;
}

/** Calls `fn`, giving its result or its error as comparable text. */
function outcome(fn: () => unknown): string {
  try {
    return `returned ${describe(fn())}`;
  } catch (err) {
    return `threw ${errorText(err)}`;
  }
}

export function instantiate(bytes: Uint8Array, support: WebAssembly.Instance): WebAssembly.Instance {
  return new WebAssembly.Instance(new WebAssembly.Module(observable(bytes) as Uint8Array<ArrayBuffer>), {
    [FUZZ_IMPORTS]: support.exports,
  });
}

/**
 * Compares two instances: their state, then each of the `calls` exports called on both in turn
 * (zero arguments, the fuzzer's hang limit reset first), results or traps and the state after each.
 * Returns the first difference, or undefined.
 */
export function compare(
  a: WebAssembly.Instance,
  b: WebAssembly.Instance,
  calls: readonly string[],
): string | undefined {
  const before = [state(a), state(b)];
  if (before[0] !== before[1]) return `state after init differs:\n${before[0]}\n---\n${before[1]}`;
  for (const name of calls) {
    const run = (i: WebAssembly.Instance) => {
      const hang = i.exports[HANG_LIMIT_EXPORT] as (() => void) | undefined;
      hang?.();
      return outcome(() => (i.exports[name] as (...args: unknown[]) => unknown)());
    };
    const [x, y] = [run(a), run(b)];
    if (x !== y) return `export ${name}: ${x} vs ${y}`;
    const [sa, sb] = [state(a), state(b)];
    if (sa !== sb) return `state after ${name} differs:\n${sa}\n---\n${sb}`;
  }
  return undefined;
}

async function wizer(
  bytes: Uint8Array,
  preload: Uint8Array,
): Promise<{ module?: Uint8Array; error?: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'preinit-fuzz-wizer-'));
  try {
    await writeFile(join(dir, 'in.wasm'), bytes);
    await writeFile(join(dir, 'support.wasm'), preload);
    const r = await execa(
      wizerPath!,
      [
        `--preload=${FUZZ_IMPORTS}=${join(dir, 'support.wasm')}`,
        '-o',
        join(dir, 'out.wasm'),
        join(dir, 'in.wasm'),
      ],
      { reject: false, stdin: 'ignore', timeout: 60_000, encoding: 'buffer' },
    );
    if (r.exitCode !== 0) {
      const text = Buffer.from(r.stderr as Uint8Array).toString('utf8');
      const cut = text.indexOf('Stack backtrace:');
      return { error: (cut >= 0 ? text.slice(0, cut) : text).trim() || `exit ${r.exitCode}` };
    }
    const { readFile } = await import('node:fs/promises');
    return { module: new Uint8Array(await readFile(join(dir, 'out.wasm'))) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Pre-initializes `bytes` (whose init export is `wizer-initialize`) with ours and with the real
 * Wizer 11, and compares what comes out. Where Wizer refuses and ours accepts, ours is compared
 * with the original module run in V8 (init, then the exports).
 */
export async function differential(bytes: Uint8Array): Promise<Outcome> {
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) {
    return {
      kind: 'invalid-input',
      reason: outcome(() => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)),
    };
  }
  const preload = fuzzSupport(bytes);
  const support = new WebAssembly.Instance(new WebAssembly.Module(preload as Uint8Array<ArrayBuffer>));
  let ours: Uint8Array | undefined;
  let oursError: unknown;
  try {
    ({ module: ours } = await preinitialize(bytes, { preloads: [{ name: FUZZ_IMPORTS, module: preload }] }));
  } catch (err) {
    if (!isWasmRuntimeError(err))
      return { kind: 'divergence', detail: `ours threw an untyped ${errorText(err)}` };
    oursError = err;
  }
  if (ours !== undefined && !WebAssembly.validate(ours as Uint8Array<ArrayBuffer>)) {
    return {
      kind: 'divergence',
      detail: `ours wrote an invalid module: ${outcome(() => new WebAssembly.Module(ours as Uint8Array<ArrayBuffer>))}`,
    };
  }
  const theirs = await wizer(bytes, preload);
  const calls = getExports(parseModule(bytes))
    .filter((e) => e.kind === 'func' && e.name !== 'wizer-initialize' && e.name !== HANG_LIMIT_EXPORT)
    .map((e) => e.name);

  // The original in V8: init, then the exports. The reference where Wizer refuses.
  const reference = (): { instance?: WebAssembly.Instance; initError?: string } => {
    const instance = instantiate(bytes, support);
    const init = outcome(() => (instance.exports['wizer-initialize'] as () => void)());
    return init.startsWith('threw') ? { initError: init } : { instance };
  };

  if (ours === undefined) {
    const why = errorText(oursError);
    const code = (oursError as { code?: string }).code;
    if (code === 'ERR_PREINIT_INVALID_OUTPUT' || code === 'ERR_INTERNAL') {
      return { kind: 'divergence', detail: `ours failed with a bug of its own: ${why}` };
    }
    if (theirs.module !== undefined)
      return { kind: 'divergence', detail: `Wizer accepted, ours refused: ${why}` };
    // Both refused; a trap in ours must be a trap of the original too.
    if (code === 'ERR_PREINIT_TRAP' && reference().initError === undefined) {
      return { kind: 'divergence', detail: `ours reported a trap during init, V8 ran init fine: ${why}` };
    }
    return { kind: 'both-refused', ours: why, wizer: theirs.error ?? '' };
  }
  if (theirs.module !== undefined) {
    const detail = compare(instantiate(theirs.module, support), instantiate(ours, support), calls);
    return detail === undefined
      ? { kind: 'compared-with-wizer', calls: calls.length }
      : { kind: 'divergence', detail: `against Wizer: ${detail}` };
  }
  const ref = reference();
  if (ref.instance === undefined)
    return { kind: 'divergence', detail: `ours accepted, but init traps in V8: ${ref.initError}` };
  const detail = compare(ref.instance, instantiate(ours, support), calls);
  return detail === undefined
    ? { kind: 'compared-with-v8', calls: calls.length }
    : { kind: 'divergence', detail: `against the original in V8 (Wizer: ${theirs.error}): ${detail}` };
}
