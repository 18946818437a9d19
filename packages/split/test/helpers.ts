import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { i32Const, parseModule, type Section, writeModule } from '@wasm-runtime/wasm';
import wabtInit from 'wabt';

const wabt = await wabtInit();
const dir = fileURLToPath(new URL('./fixtures/split/', import.meta.url));

/** Assembles WebAssembly text. */
export function assemble(text: string, name = 'fixture.wat'): Uint8Array {
  const features: Record<string, boolean> = { multi_memory: true, bulk_memory: true, reference_types: true };
  const parsed = wabt.parseWat(name, text, features);
  try {
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

/** Assembles `test/fixtures/split/<name>.wat`. */
export function fixture(name: string): Uint8Array {
  return assemble(readFileSync(`${dir}${name}.wat`, 'utf8'), `${name}.wat`);
}

/** The variable parts of a snapshot of the template runtime. */
export interface SnapshotState {
  min?: number;
  sp?: number;
  counter?: bigint;
  /** Function names filling the table from slot 0. */
  elem?: string;
  /** Extra module fields (e.g. an init export). */
  init?: string;
  /** Data segments as WAT fields. */
  data?: string;
}

/** A "pre-initialized" snapshot of the template runtime; the code is the same for every state. */
export function snapshot(state: SnapshotState = {}): Uint8Array {
  const text = readFileSync(`${dir}snapshot.template.wat`, 'utf8')
    .replace('{{MIN}}', String(state.min ?? 1))
    .replace('{{SP}}', String(state.sp ?? 65536))
    .replace('{{COUNTER}}', String(state.counter ?? 0n))
    .replace('{{ELEM}}', state.elem ?? '$double $triple')
    .replace('{{INIT}}', state.init ?? '')
    .replace('{{DATA}}', state.data ?? '');
  return assemble(text, 'snapshot.template.wat');
}

/** Two apps on the same runtime, with different heaps, globals and memory sizes. */
export const APP_A: SnapshotState = {
  min: 2,
  sp: 60000,
  counter: 41n,
  data: '(data (i32.const 1024) "hello from app A") (data (i32.const 70000) "\\ff\\fe\\fd")',
};
export const APP_B: SnapshotState = {
  min: 3,
  sp: 50000,
  counter: 9000000000n,
  data: '(data (i32.const 2048) "app B keeps different state here") (data (i32.const 150000) "\\01")',
};

/** Host imports the template runtime needs. */
export function hostImports(): WebAssembly.Imports {
  return {
    env: { seed: 1234 },
    wasi_snapshot_preview1: {
      proc_exit: (code: number) => {
        throw new Error(`exit ${code}`);
      },
    },
  };
}

/**
 * The module as the canonical writer writes it: every section but the code section re-encoded
 * with minimal LEB128s (wabt pads them). The code section is never re-encoded by anyone.
 */
export function canonical(bytes: Uint8Array): Uint8Array {
  const module = parseModule(bytes);
  const sections = module.sections.map((s): Section => (s.kind === 'code' ? s : { ...s }));
  return writeModule({ version: module.version, sections });
}

/** The multi-memory fixture with a data segment for each memory. */
export function multiMemorySnapshot(): Uint8Array {
  const module = parseModule(fixture('multi-memory'));
  const sections = module.sections.map((s): Section => {
    if (s.kind !== 'data') return s;
    const side = {
      mode: 'active' as const,
      memory: 1,
      offset: i32Const(4),
      data: new TextEncoder().encode('side data'),
    };
    return { kind: 'data', segments: [...s.segments, side] };
  });
  return writeModule({ version: module.version, sections });
}
