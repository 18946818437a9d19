import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getExports, indexSpaces, parseModule, setExports, writeModule } from '@wasm-runtime/wasm';
import { execa } from 'execa';
import wabtInit from 'wabt';

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabt: Wabt | undefined;

/** Assembles a fixture (path relative to test/fixtures) or inline .wat text, with every feature on and names kept. */
export async function wat(pathOrText: string): Promise<Uint8Array> {
  wabt ??= await wabtInit();
  const text = pathOrText.includes('(module')
    ? pathOrText
    : await readFile(join(fixturesDir, pathOrText), 'utf8');
  const features = {
    exceptions: true,
    multi_memory: true,
    bulk_memory: true,
    reference_types: true,
    simd: true,
  };
  const mod = wabt.parseWat(pathOrText.slice(0, 40), text, features);
  try {
    mod.resolveNames();
    (mod.validate as (f?: typeof features) => void)(features);
    return new Uint8Array(mod.toBinary({ write_debug_names: true }).buffer);
  } finally {
    mod.destroy();
  }
}

/** Path of the real Wizer 11 binary, if installed. */
export const wizerPath: string | undefined = (() => {
  try {
    const pkg = createRequire(import.meta.url).resolve('@bytecodealliance/wizer-linux-x64/package.json');
    const bin = join(dirname(pkg), 'wizer');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
})();

/** Whether the real Wizer binary is present and runs on this machine. */
export const wizerAvailable: boolean = await (async () => {
  if (wizerPath === undefined) return false;
  try {
    const r = await execa(wizerPath, ['--help'], { reject: false, timeout: 20_000 });
    return r.exitCode === 0;
  } catch {
    return false;
  }
})();

/** Runs the real Wizer on `bytes` with `args` (besides input and output); returns its output module. */
export async function runWizer(bytes: Uint8Array, args: string[] = []): Promise<Uint8Array> {
  if (wizerPath === undefined) throw new Error('the Wizer binary is not installed');
  const dir = await mkdtemp(join(tmpdir(), 'preinit-wizer-'));
  try {
    await writeFile(join(dir, 'in.wasm'), bytes);
    await execa(wizerPath, [...args, '-o', join(dir, 'out.wasm'), join(dir, 'in.wasm')], {
      timeout: 60_000,
      stdin: 'ignore',
      stdout: 'ignore',
    });
    return new Uint8Array(await readFile(join(dir, 'out.wasm')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Imports where every function throws: for instantiating snapshots whose imports are never called. */
export function throwingImports(module: WebAssembly.Module): WebAssembly.Imports {
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    const ns = imports[imp.module] ?? {};
    imports[imp.module] = ns;
    if (imp.kind === 'function') {
      ns[imp.name] = () => {
        throw new Error(`unexpected call to ${imp.module}::${imp.name}`);
      };
    }
  }
  return imports;
}

/**
 * The module with every defined memory, global and table exported too (as `__observe_<kind>_<i>`),
 * so a test can compare the whole state, not only what the module chose to export.
 */
export function exportEverything(bytes: Uint8Array): Uint8Array {
  const mod = parseModule(bytes);
  const spaces = indexSpaces(mod);
  const extra = (['memory', 'global', 'table'] as const).flatMap((kind) =>
    Array.from({ length: spaces[kind].defined }, (_, k) => ({
      name: `__observe_${kind}_${spaces[kind].imported + k}`,
      kind,
      index: spaces[kind].imported + k,
    })),
  );
  setExports(mod, [...getExports(mod), ...extra]);
  return writeModule(mod);
}

/** The state a test compares: memories' bytes, globals' values, tables' entries (function indices). */
export interface ObservableState {
  memories: Record<string, Uint8Array>;
  globals: Record<string, unknown>;
  tables: Record<string, string>;
}

/** Reads every exported memory, global (v128 ones excepted: JS cannot read them) and table. */
export function observe(instance: WebAssembly.Instance): ObservableState {
  const state: ObservableState = { memories: {}, globals: {}, tables: {} };
  for (const [name, value] of Object.entries(instance.exports)) {
    if (value instanceof WebAssembly.Memory) state.memories[name] = new Uint8Array(value.buffer.slice(0));
    else if (value instanceof WebAssembly.Global) {
      try {
        const v = value.value as unknown;
        // Functions of two instances differ as objects: compare their function indices.
        state.globals[name] = typeof v === 'function' ? `function ${v.name}` : v;
      } catch {
        // v128
      }
    } else if (value instanceof WebAssembly.Table) {
      const entries: string[] = [];
      for (let i = 0; i < value.length; i++) {
        const entry = value.get(i) as unknown;
        entries.push(typeof entry === 'function' ? entry.name : String(entry));
      }
      state.tables[name] = entries.join(',');
    }
  }
  return state;
}

/** Byte equality without vitest's slow deep diff of large typed arrays. */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/** Asserts-friendly comparison of two states: returns a list of differences (empty when equal). */
export function diffStates(a: ObservableState, b: ObservableState): string[] {
  const diffs: string[] = [];
  for (const name of new Set([...Object.keys(a.memories), ...Object.keys(b.memories)])) {
    const x = a.memories[name];
    const y = b.memories[name];
    if (x?.length !== y?.length) diffs.push(`memory ${name}: ${x?.length} vs ${y?.length} bytes`);
    else if (!sameBytes(x, y)) {
      let i = 0;
      while (x![i] === y![i]) i++;
      diffs.push(`memory ${name}: first difference at byte ${i}`);
    }
  }
  for (const name of new Set([...Object.keys(a.globals), ...Object.keys(b.globals)])) {
    const x = a.globals[name];
    const y = b.globals[name];
    if (!Object.is(x, y)) diffs.push(`global ${name}: ${String(x)} vs ${String(y)}`);
  }
  for (const name of new Set([...Object.keys(a.tables), ...Object.keys(b.tables)])) {
    if (a.tables[name] !== b.tables[name])
      diffs.push(`table ${name}: ${a.tables[name]} vs ${b.tables[name]}`);
  }
  return diffs;
}
