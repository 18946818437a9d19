import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addFunctions,
  encodeU,
  type FuncType,
  functionType,
  getExports,
  parseModule,
  setExports,
  type ValType,
  writeModule,
} from '@wasm-runtime/wasm';
import { execa } from 'execa';

/**
 * Features of the generated modules: what Node 20's V8 and Wizer 11 both run. binaryen 108's
 * reference types are the old `anyref` draft, which V8 rejects, so they stay off.
 */
export const FUZZ_FEATURES = [
  '--enable-bulk-memory',
  '--enable-sign-ext',
  '--enable-nontrapping-float-to-int',
  '--enable-mutable-globals',
  '--enable-simd',
  '--enable-multivalue',
];

/** Bytes of random input binaryen's translate-to-fuzz mode reads per module. */
const RANDOM_BYTES = 4000;

/** Whether binaryen's `wasm-opt` (Debian's `binaryen` package) runs here, and its version line. */
export const wasmOpt: { available: boolean; version: string } = await execa('wasm-opt', ['--version'], {
  reject: false,
}).then(
  (r) => ({ available: r.exitCode === 0, version: r.stdout.trim() }),
  () => ({ available: false, version: '' }),
);

/** xorshift32: the same stream for the same seed on every machine. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/**
 * The module of `seed`: binaryen's translate-to-fuzz mode (`wasm-opt -ttf`) reading random bytes
 * drawn from the seed, plus a `wizer-initialize` export calling one or two of its exported
 * functions (with zero arguments, results dropped, the fuzzer's hang limit reset before each).
 * Deterministic for a given wasm-opt version.
 */
export async function generate(seed: number): Promise<Uint8Array> {
  const next = rng(seed);
  const random = new Uint8Array(RANDOM_BYTES);
  for (let i = 0; i < random.length; i++) random[i] = next() & 0xff;
  const dir = await mkdtemp(join(tmpdir(), 'preinit-ttf-'));
  try {
    await writeFile(join(dir, 'random.bin'), random);
    await execa(
      'wasm-opt',
      ['-ttf', join(dir, 'random.bin'), '-o', join(dir, 'out.wasm'), ...FUZZ_FEATURES],
      {
        stdin: 'ignore',
        timeout: 60_000,
      },
    );
    return withInit(new Uint8Array(await readFile(join(dir, 'out.wasm'))), next);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The fuzzer's export that resets its loop and recursion budget. */
export const HANG_LIMIT_EXPORT = 'hangLimitInitializer';

/** The instructions pushing a zero (or null) of type `t`. */
export function zero(t: ValType): number[] {
  switch (t) {
    case 'i32':
      return [0x41, 0x00];
    case 'i64':
      return [0x42, 0x00];
    case 'f32':
      return [0x43, 0, 0, 0, 0];
    case 'f64':
      return [0x44, 0, 0, 0, 0, 0, 0, 0, 0];
    case 'v128':
      return [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
    case 'funcref':
      return [0xd0, 0x70];
    case 'externref':
      return [0xd0, 0x6f];
    default:
      throw new Error(`no zero value for ${JSON.stringify(t)}`);
  }
}

function withInit(bytes: Uint8Array, next: () => number): Uint8Array {
  const module = parseModule(bytes);
  const exports = getExports(module);
  const hang = exports.find((e) => e.name === HANG_LIMIT_EXPORT && e.kind === 'func');
  const candidates = exports.filter((e) => e.kind === 'func' && e !== hang);
  const body: number[] = [0x00];
  const calls = candidates.length === 0 ? 0 : 1 + (next() % 2);
  for (let k = 0; k < calls; k++) {
    const target = candidates[next() % candidates.length]!;
    const type = functionType(module, target.index) as FuncType;
    if (hang !== undefined) body.push(0x10, ...encodeU(hang.index));
    for (const p of type.params) body.push(...zero(p));
    body.push(0x10, ...encodeU(target.index));
    for (const _ of type.results) body.push(0x1a);
  }
  body.push(0x0b);
  const [init] = addFunctions(module, [
    { type: { kind: 'func', params: [], results: [] }, body: Uint8Array.from(body) },
  ]);
  setExports(module, [...exports, { name: 'wizer-initialize', kind: 'func', index: init! }]);
  return writeModule(module);
}
