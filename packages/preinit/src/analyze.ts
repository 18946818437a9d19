import {
  type ConstExpr,
  decodeConstExpr,
  functionName,
  getExports,
  getSection,
  InstructionReader,
  indexSpaces,
  MalformedModuleError,
  type ValType,
  type WasmModule,
} from '@wasm-runtime/wasm';
import { MalformedInputError, UnsupportedConstructError } from './errors.js';

const TABLE_MUTATORS = new Set(['table.set', 'table.grow', 'table.fill', 'table.copy', 'table.init']);

/** What the module's code can do, found by one scan. */
export interface Analysis {
  usesMemoryInit: boolean;
  /** `data.drop` / `elem.drop` appear: passive segments init may have dropped are probed. */
  usesDataDrop: boolean;
  usesElemDrop: boolean;
  /** Where the first `data.drop` is, for messages. */
  firstDataDrop: { funcIndex: number; offset: number } | undefined;
  /** Init could change a table (a table-mutating instruction exists). */
  mutatesTables: boolean;
  /**
   * Functions that can be references: imported, exported, in element segments, global or table
   * initializers (a `ref.func` in code can only name one of these).
   */
  referenceable: Set<number>;
}

export function analyze(module: WasmModule, hostInit: boolean): Analysis {
  for (const imp of getSection(module, 'import')?.imports ?? []) {
    const where = `\`${imp.module}::${imp.name}\``;
    if (imp.desc.kind === 'memory') {
      throw new UnsupportedConstructError(
        'imported memory',
        `${where} is imported, so its contents after init belong to another module and cannot be snapshotted; define the memory in the module instead`,
      );
    }
    if (imp.desc.kind === 'table') {
      throw new UnsupportedConstructError(
        'imported table',
        `${where} is imported, so init's changes to it cannot be snapshotted; define the table in the module instead`,
      );
    }
    if (imp.desc.kind === 'global' && imp.desc.type.mutable) {
      throw new UnsupportedConstructError(
        'imported mutable global',
        `${where} is a mutable imported global, so its value after init cannot be snapshotted; define it in the module instead`,
      );
    }
  }
  const analysis: Analysis = {
    usesMemoryInit: false,
    usesDataDrop: false,
    usesElemDrop: false,
    firstDataDrop: undefined,
    mutatesTables: false,
    referenceable: new Set(),
  };
  const spaces = indexSpaces(module);
  for (let i = 0; i < spaces.func.imported; i++) analysis.referenceable.add(i);
  for (const e of getExports(module)) if (e.kind === 'func') analysis.referenceable.add(e.index);
  for (const seg of getSection(module, 'element')?.segments ?? []) {
    for (const f of seg.funcs ?? []) analysis.referenceable.add(f);
    for (const expr of seg.exprs ?? []) addRefFuncs(expr, analysis.referenceable);
  }
  for (const g of getSection(module, 'global')?.globals ?? []) addRefFuncs(g.init, analysis.referenceable);
  for (const t of getSection(module, 'table')?.tables ?? [])
    if (t.init !== undefined) addRefFuncs(t.init, analysis.referenceable);

  // A `ref.func` in code is valid only for a function declared outside code (an element segment, an
  // export, a global's or table's initializer: all added above), so bodies are not searched for it. Each
  // instruction looked for starts with byte 0xfc (then a sub-opcode: memory.init, data.drop,
  // elem.drop, table.init/copy/grow/fill) or 0x26 (table.set, then a table index). A body without
  // such a byte pair has none of them and is not decoded (V8 validates every body); the others are
  // decoded from their start, since the bytes may be immediates.
  const bodies = getSection(module, 'code')?.bodies ?? [];
  const tables = spaces.table.total;
  const scan = (b: number): void => {
    const body = bodies[b]!;
    const source = module.source;
    const base =
      source !== undefined && body.buffer === source.buffer ? body.byteOffset - source.byteOffset : 0;
    r.reset(body, spaces.func.imported + b, base);
    while (r.next()) {
      const op = r.opcode;
      if (op !== 0xfc && op !== 0x26) continue;
      const name = r.name;
      if (name === 'memory.init') analysis.usesMemoryInit = true;
      else if (TABLE_MUTATORS.has(name)) analysis.mutatesTables = true;
      else if (name === 'data.drop') {
        analysis.usesDataDrop = true;
        analysis.firstDataDrop ??= { funcIndex: r.funcIndex, offset: r.offset };
      } else if (name === 'elem.drop') analysis.usesElemDrop = true;
    }
  };
  const r = new InstructionReader();
  r.describe = (i) => {
    const name = functionName(module, i);
    return name === undefined ? '' : ` (${name})`;
  };
  try {
    for (let b = 0; b < bodies.length; b++) {
      const body = bodies[b]!;
      if (hasPair(body, 0xfc, (next) => FC_WANTED[next & 0x7f] === 1)) scan(b);
      else if (tables > 0 && hasPair(body, 0x26, (next) => next >= 0x80 || next < tables)) scan(b);
    }
    if (hostInit) analysis.mutatesTables = true;
  } catch (err) {
    if (err instanceof MalformedModuleError)
      throw new MalformedInputError('the input', err.message, { cause: err });
    throw err;
  }
  return analysis;
}

/** Sub-opcodes after 0xfc that {@link analyze} looks for: 8, 9, 12-15, 17 (low 7 bits). */
const FC_WANTED = (() => {
  const t = new Uint8Array(128);
  for (const sub of [8, 9, 12, 13, 14, 15, 17]) t[sub] = 1;
  return t;
})();

/** Whether `body` holds byte `first` followed by a byte `accept` takes. */
function hasPair(body: Uint8Array, first: number, accept: (next: number) => boolean): boolean {
  for (let i = body.indexOf(first); i >= 0 && i + 1 < body.length; i = body.indexOf(first, i + 1)) {
    if (accept(body[i + 1]!)) return true;
  }
  return false;
}

function addRefFuncs(expr: ConstExpr, into: Set<number>): void {
  for (const ins of decodeExpr(expr)) if (ins.op === 'ref.func') into.add(ins.index);
}

export function decodeExpr(expr: ConstExpr): Array<{ op: string; index: number }> {
  return decodeConstExpr(expr).map((i) => ({
    op: i.op,
    index: 'index' in i && typeof i.index === 'number' ? i.index : -1,
  }));
}

export function isFuncRef(t: ValType): boolean {
  return t === 'funcref' || (typeof t === 'object' && (t.ref === 'func' || typeof t.ref === 'number'));
}

export function isRef(t: ValType): boolean {
  return typeof t === 'object' || t.endsWith('ref');
}
