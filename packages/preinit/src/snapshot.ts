import {
  type ConstExpr,
  constExprFor,
  f32Const,
  f64Const,
  getSection,
  getTable,
  indexSpaces,
  refFunc,
  type ValType,
  v128Const,
  type WasmModule,
} from '@wasm-runtime/wasm';
import { type Analysis, decodeExpr, isFuncRef, isRef } from './analyze.js';
import { UnsnapshottableStateError, UnsupportedConstructError } from './errors.js';
import type { Instrumentation } from './instrument.js';

/** Passive segments init dropped, by index. */
export interface Dropped {
  data: Set<number>;
  elem: Set<number>;
}

/** Calls the drop probes: a probe traps exactly when its segment was dropped. */
export function probeDrops(
  names: Instrumentation,
  ex: WebAssembly.Exports,
  memory: unknown,
  analysis: Analysis,
): Dropped {
  const dropped: Dropped = { data: new Set(), elem: new Set() };
  if (names.dataProbes.size > 0) {
    if (!(memory instanceof WebAssembly.Memory) || memory.buffer.byteLength === 0) {
      throw new UnsupportedConstructError(
        'data.drop',
        'memory 0 is empty after init, so whether init dropped a passive data segment (which a snapshot must not resurrect) cannot be probed',
        analysis.firstDataDrop,
      );
    }
    const saved = new Uint8Array(memory.buffer)[0]!;
    for (const [index, name] of names.dataProbes) {
      try {
        (ex[name] as (dst: number) => void)(0);
      } catch {
        dropped.data.add(index);
      }
    }
    new Uint8Array(memory.buffer)[0] = saved;
  }
  for (const [index, name] of names.elemProbes) {
    try {
      (ex[name] as () => void)();
    } catch {
      dropped.elem.add(index);
    }
  }
  return dropped;
}

/** Everything read out of the instance after init. */
export interface Snapshot {
  memories: Map<number, Uint8Array>;
  globals: Map<number, ConstExpr>;
  tables: Map<number, Array<number | null>>;
}

export function takeSnapshot(
  module: WasmModule,
  analysis: Analysis,
  names: Instrumentation,
  ex: WebAssembly.Exports,
): Snapshot {
  const snap: Snapshot = { memories: new Map(), globals: new Map(), tables: new Map() };
  for (const [index, name] of names.memories) {
    const mem = ex[name] as WebAssembly.Memory;
    snap.memories.set(index, new Uint8Array(mem.buffer));
  }
  const funcIndex = new Map<unknown, number>();
  for (const [index, name] of names.funcs) funcIndex.set(ex[name], index);
  const refExpr = (value: unknown, what: string, type: ValType): ConstExpr => {
    if (value === null) return constExprFor(type, null);
    if (isFuncRef(type)) {
      const f = funcIndex.get(value);
      if (f !== undefined) return refFunc(f);
      const label = typeof value === 'function' ? ` (${value.name || 'anonymous'})` : '';
      throw new UnsnapshottableStateError(
        `${what} holds a function${label} that is not one of this module's functions or imports (a host function or another instance's function), which no module can express: keep such references out of state set during init`,
      );
    }
    throw new UnsnapshottableStateError(
      `${what} holds a non-null ${typeof type === 'string' ? type : 'reference'} after init, which no module can express: set it after restore instead`,
    );
  };
  const spaces = indexSpaces(module);
  const globals = getSection(module, 'global')?.globals ?? [];
  globals.forEach((g, local) => {
    const index = spaces.global.imported + local;
    if (!g.type.mutable) return;
    const type = g.type.valType;
    const getter = names.v128Getters.get(index);
    if (getter !== undefined) {
      const lanes = (ex[getter] as () => number[])();
      const bytes = new Uint8Array(16);
      const view = new DataView(bytes.buffer);
      for (const [k, v] of lanes.entries()) view.setInt32(k * 4, v, true);
      snap.globals.set(index, v128Const(bytes));
      return;
    }
    const bits = names.floatGetters.get(index);
    if (bits !== undefined) {
      const value = (ex[bits] as () => number | bigint)();
      snap.globals.set(index, type === 'f32' ? f32Const(value as number) : f64Const(value as bigint));
      return;
    }
    const value = (ex[names.globals.get(index)!] as WebAssembly.Global).value as unknown;
    if (isRef(type)) snap.globals.set(index, refExpr(value, `global ${index}`, type));
    else snap.globals.set(index, constExprFor(type, value));
  });
  if (analysis.mutatesTables) {
    for (const [index, name] of names.tables) {
      const table = ex[name] as WebAssembly.Table;
      const entries: Array<number | null> = [];
      const type = getTable(module, index)?.type.elemType ?? 'funcref';
      for (let i = 0; i < table.length; i++) {
        const value = table.get(i) as unknown;
        if (value === null) entries.push(null);
        else {
          const expr = refExpr(value, `table ${index} slot ${i}`, type);
          entries.push(funcIndex.get(value) ?? exprFunc(expr));
        }
      }
      snap.tables.set(index, entries);
    }
  }
  return snap;
}

function exprFunc(expr: ConstExpr): number {
  const [ins] = decodeExpr(expr);
  return ins?.index ?? -1;
}
