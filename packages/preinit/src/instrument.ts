import {
  addFunctions,
  type Export,
  type ExternKind,
  encodeU,
  type FuncType,
  getDataSegments,
  getExports,
  getSection,
  indexSpaces,
  removeStart,
  setExports,
  setSection,
  type WasmModule,
  writeModule,
} from '@wasm-runtime/wasm';
import { type Analysis, isFuncRef } from './analyze.js';

/** Internal export names of the instrumented module. */
export interface Instrumentation {
  memories: Map<number, string>;
  globals: Map<number, string>;
  /** v128 globals are read through a generated function returning four i32s. */
  v128Getters: Map<number, string>;
  /**
   * f32 and f64 globals are read as their bits (i32, i64) through a generated function: a JS number
   * would canonicalize a NaN's payload.
   */
  floatGetters: Map<number, string>;
  tables: Map<number, string>;
  funcs: Map<number, string>;
  /** The start function, exported instead of run by instantiation so that WASI has its memory. */
  start: string | undefined;
  /** Bytes appended after the original function bodies (generated getters and probes). */
  appendedCodeBytes: number;
  /** Probes telling whether init dropped a passive segment: they trap on a dropped one. */
  dataProbes: Map<number, string>;
  elemProbes: Map<number, string>;
}

/** Adds exports for every defined memory, mutable global and table, and the referenceable functions. */
export function instrument(
  module: WasmModule,
  analysis: Analysis,
): { bytes: Uint8Array; names: Instrumentation } {
  const copy: WasmModule = { version: module.version, sections: [...module.sections], source: module.source };
  const spaces = indexSpaces(copy);
  const taken = new Set(getExports(copy).map((e) => e.name));
  const fresh = (base: string): string => {
    let name = `__wasm_runtime_preinit_${base}`;
    for (let k = 1; taken.has(name); k++) name = `__wasm_runtime_preinit_${base}_${k}`;
    taken.add(name);
    return name;
  };
  const names: Instrumentation = {
    memories: new Map(),
    globals: new Map(),
    v128Getters: new Map(),
    floatGetters: new Map(),
    tables: new Map(),
    funcs: new Map(),
    start: undefined,
    appendedCodeBytes: 0,
    dataProbes: new Map(),
    elemProbes: new Map(),
  };
  const added: Export[] = [];
  const add = (kind: ExternKind, index: number, base: string, into: Map<number, string>): void => {
    const name = fresh(base);
    added.push({ name, kind, index });
    into.set(index, name);
  };
  for (let i = spaces.memory.imported; i < spaces.memory.total; i++)
    add('memory', i, `memory_${i}`, names.memories);
  const globals = getSection(copy, 'global')?.globals ?? [];
  const v128: number[] = [];
  const f32: number[] = [];
  const f64: number[] = [];
  globals.forEach((g, local) => {
    const index = spaces.global.imported + local;
    if (!g.type.mutable) return;
    if (g.type.valType === 'v128') v128.push(index);
    else if (g.type.valType === 'f32') f32.push(index);
    else if (g.type.valType === 'f64') f64.push(index);
    else add('global', index, `global_${index}`, names.globals);
  });
  if (analysis.mutatesTables) {
    for (let i = spaces.table.imported; i < spaces.table.total; i++)
      add('table', i, `table_${i}`, names.tables);
  }
  const needFuncs =
    analysis.mutatesTables || globals.some((g) => g.type.mutable && isFuncRef(g.type.valType));
  if (needFuncs) {
    for (const f of [...analysis.referenceable].sort((a, b) => a - b))
      add('func', f, `func_${f}`, names.funcs);
  }
  const exporter: Exporter = { fresh, added, names };
  if (v128.length > 0) addV128Getters(copy, v128, exporter);
  if (f32.length > 0) addFloatGetters(copy, f32, 'f32', exporter);
  if (f64.length > 0) addFloatGetters(copy, f64, 'f64', exporter);
  if (analysis.usesDataDrop && analysis.usesMemoryInit) addDataProbes(copy, exporter);
  if (analysis.usesElemDrop && analysis.mutatesTables) addElemProbes(copy, exporter);
  const start = removeStart(copy);
  if (start !== undefined) {
    names.start = fresh('start');
    added.push({ name: names.start, kind: 'func', index: start });
  }
  setExports(copy, [...getExports(copy), ...added]);
  return { bytes: writeModule(copy), names };
}

/** What the instrumentation adds exports with: fresh names, the exports so far, the name maps. */
interface Exporter {
  fresh: (base: string) => string;
  added: Export[];
  names: Instrumentation;
}

/**
 * Appends one function of `type` per entry of `bodies` (keyed by the global or segment it serves)
 * after the module's own, reusing an identical type, and exports each as `${base}_${key}`,
 * recorded in `into`. Counts their code bytes, which come after every original body.
 */
function appendExported(
  module: WasmModule,
  type: FuncType,
  bodies: ReadonlyMap<number, number[]>,
  base: string,
  into: Map<number, string>,
  { fresh, added, names }: Exporter,
): void {
  const [first] = addFunctions(
    module,
    [...bodies.values()].map((b) => ({ type, body: Uint8Array.from(b) })),
  );
  let index = first!;
  for (const [key, body] of bodies) {
    names.appendedCodeBytes += encodeU(body.length).length + body.length;
    const name = fresh(`${base}_${key}`);
    added.push({ name, kind: 'func', index: index++ });
    into.set(key, name);
  }
}

/**
 * JS cannot read a v128 global, so each mutable v128 global gets a generated getter returning
 * its four 32-bit lanes (multi-value), appended after the module's own functions.
 */
function addV128Getters(module: WasmModule, globals: number[], exporter: Exporter): void {
  const bodies = new Map<number, number[]>();
  for (const g of globals) {
    const body: number[] = [0x00];
    for (let lane = 0; lane < 4; lane++) body.push(0x23, ...encodeU(g), 0xfd, 0x1b, lane);
    body.push(0x0b);
    bodies.set(g, body);
  }
  const type: FuncType = { kind: 'func', params: [], results: ['i32', 'i32', 'i32', 'i32'] };
  appendExported(module, type, bodies, 'v128', exporter.names.v128Getters, exporter);
}

/**
 * Each mutable f32 (f64) global gets a generated getter returning its bits as an i32 (i64):
 * `global.get` then `i32.reinterpret_f32` (`i64.reinterpret_f64`), so NaN payloads survive.
 */
function addFloatGetters(
  module: WasmModule,
  globals: number[],
  type: 'f32' | 'f64',
  exporter: Exporter,
): void {
  const bodies = new Map<number, number[]>();
  for (const g of globals) bodies.set(g, [0x00, 0x23, ...encodeU(g), type === 'f32' ? 0xbc : 0xbd, 0x0b]);
  const getter: FuncType = { kind: 'func', params: [], results: [type === 'f32' ? 'i32' : 'i64'] };
  appendExported(module, getter, bodies, `${type}_bits`, exporter.names.floatGetters, exporter);
}

/**
 * One probe per non-empty passive data segment: `memory.init` of one byte at the given address
 * traps exactly when init dropped the segment (the caller restores the byte).
 */
function addDataProbes(module: WasmModule, exporter: Exporter): void {
  if (indexSpaces(module).memory.total === 0) return;
  const bodies = new Map<number, number[]>();
  getDataSegments(module).forEach((seg, index) => {
    if (seg.mode !== 'passive' || seg.data.length === 0) return;
    bodies.set(index, [
      0x00,
      0x20,
      0x00, // destination: the parameter
      0x41,
      0x00, // source offset 0
      0x41,
      0x01, // one byte
      0xfc,
      0x08,
      ...encodeU(index),
      0x00,
      0x0b,
    ]);
  });
  const type: FuncType = { kind: 'func', params: ['i32'], results: [] };
  appendExported(module, type, bodies, 'data_probe', exporter.names.dataProbes, exporter);
}

/**
 * One probe per non-empty passive element segment: `table.init` of one entry into a private
 * one-slot table (added after the module's own) traps exactly when init dropped the segment.
 */
function addElemProbes(module: WasmModule, exporter: Exporter): void {
  const tables = [...(getSection(module, 'table')?.tables ?? [])];
  const firstTable = indexSpaces(module).table.total;
  const tableFor = new Map<string, number>();
  const bodies = new Map<number, number[]>();
  (getSection(module, 'element')?.segments ?? []).forEach((seg, index) => {
    if (seg.mode !== 'passive' || (seg.funcs?.length ?? seg.exprs?.length ?? 0) === 0) return;
    const key = JSON.stringify(seg.elemType);
    let table = tableFor.get(key);
    if (table === undefined) {
      table = firstTable + tableFor.size;
      tableFor.set(key, table);
      tables.push({ type: { elemType: seg.elemType, min: 1, max: undefined, table64: false } });
    }
    bodies.set(index, [
      0x00,
      0x41,
      0x00,
      0x41,
      0x00,
      0x41,
      0x01,
      0xfc,
      0x0c,
      ...encodeU(index),
      ...encodeU(table),
      0x0b,
    ]);
  });
  if (bodies.size === 0) return;
  setSection(module, { kind: 'table', tables });
  const type: FuncType = { kind: 'func', params: [], results: [] };
  appendExported(module, type, bodies, 'elem_probe', exporter.names.elemProbes, exporter);
}
