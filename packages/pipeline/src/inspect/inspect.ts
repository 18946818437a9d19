import { APP_IMPORT_MODULE, DEFAULT_INIT_EXPORTS } from '@wasm-runtime/split';
import {
  constExprValue,
  type ExceptionForm,
  encodeSection,
  exceptionForm,
  type GlobalType,
  type MemoryType,
  originalSectionBytes,
  parseModule,
  readNames,
  type Section,
  type TableType,
  type TypeDef,
  type ValType,
} from '@wasm-runtime/wasm';

/** One section and its size in bytes (id, size field and payload). */
export interface SectionInfo {
  /** Section kind, or `custom:<name>`. */
  name: string;
  size: number;
  /** Entries it holds (functions, imports, segments...), when that is meaningful. */
  count?: number;
}

/**
 * A function's or a tag's type: its type index and, when that index names a function type, its
 * parameter and result value types (`null` for a GC type the report does not decode).
 */
export interface FuncTypeInfo {
  typeIndex: number;
  params: string[] | null;
  results: string[] | null;
}

/** A memory's limits in pages of `pageSize` bytes (65536 unless the module says otherwise). */
export interface MemoryTypeInfo {
  min: number;
  max: number | null;
  shared: boolean;
  memory64: boolean;
  pageSize: number;
}

/** A global's value type and mutability. */
export interface GlobalTypeInfo {
  valType: string;
  mutable: boolean;
}

/** A table's element type and limits (in elements). */
export interface TableTypeInfo {
  elemType: string;
  min: number;
  max: number | null;
  table64: boolean;
}

/** The type of an import or export, by its `kind`. */
export type ExternTypeInfo = FuncTypeInfo | MemoryTypeInfo | GlobalTypeInfo | TableTypeInfo;

/** An import and the type it must have. */
export type ImportInfo = { module: string; name: string } & (
  | { kind: 'func'; type: FuncTypeInfo }
  | { kind: 'memory'; type: MemoryTypeInfo }
  | { kind: 'global'; type: GlobalTypeInfo }
  | { kind: 'table'; type: TableTypeInfo }
  | { kind: 'tag'; type: FuncTypeInfo }
);

/**
 * An export: `index` in the index space of its kind, and the type of what it names (`null` when
 * the index names nothing in the module, which V8 then rejects).
 */
export type ExportInfo = { name: string; index: number } & (
  | { kind: 'func'; type: FuncTypeInfo | null }
  | { kind: 'memory'; type: MemoryTypeInfo | null }
  | { kind: 'global'; type: GlobalTypeInfo | null }
  | { kind: 'table'; type: TableTypeInfo | null }
  | { kind: 'tag'; type: FuncTypeInfo | null }
);

/** What {@link inspectModule} reports. */
export interface ModuleReport {
  size: number;
  sections: SectionInfo[];
  imports: ImportInfo[];
  exports: ExportInfo[];
  functions: { imported: number; defined: number; codeBytes: number };
  memories: Array<{
    index: number;
    imported: boolean;
    min: number;
    max: number | null;
    shared: boolean;
    memory64: boolean;
  }>;
  globals: Array<{
    index: number;
    imported: boolean;
    name: string | null;
    type: string;
    mutable: boolean;
    value: string | null;
  }>;
  data: { segments: number; active: number; passive: number; bytes: number; nonZeroBytes: number };
  /** Whether the module looks like a pre-initialized snapshot, and why. */
  snapshot: {
    verdict: 'snapshot' | 'not-initialized' | 'unknown';
    reason: string;
    /** Memory the data segments initialize (highest end offset), in bytes. */
    dataEnd: number;
    /** Non-zero bytes over the memory's initial size: how much of it the data defines. */
    density: number;
  };
  /** Which part of a split pair this is, if any. */
  split: { role: 'engine' | 'app' | 'none'; importModule: string | null };
  /**
   * Whether this engine (V8) accepts the module; when not, its compile error. The rest of the
   * report is what could be read anyway.
   */
  validation: { valid: boolean; error: string | null };
  /**
   * The exception-handling form of its code: `legacy` runs in V8 only, `exnref` in Wasmtime (and
   * V8 13.x+), `none` in both. (An exnref module reads as not valid in Node 20's V8.)
   */
  exceptions: ExceptionForm;
}

/** V8's reason for refusing `bytes`, or null when it compiles them. */
function compileError(bytes: Uint8Array): string | null {
  if (WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return null;
  try {
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return 'WebAssembly.validate rejected it';
}

function valTypeName(type: ValType): string {
  if (typeof type === 'string') return type;
  return `(ref ${type.nullable ? 'null ' : ''}${String(type.ref)})`;
}

/** The type definitions by type index (a GC recursion group defines several indices). */
function typeIndexSpace(mod: { sections: readonly Section[] }): Array<TypeDef | undefined> {
  const out: Array<TypeDef | undefined> = [];
  for (const section of mod.sections) {
    if (section.kind !== 'type') continue;
    for (const def of section.types) {
      if (def.kind === 'func') out.push(def);
      // A GC group kept raw defines `count` indices, none of them read here.
      else for (let i = 0; i < def.count; i++) out.push(undefined);
    }
  }
  return out;
}

function funcTypeInfo(types: ReadonlyArray<TypeDef | undefined>, typeIndex: number): FuncTypeInfo {
  const def = types[typeIndex];
  return def?.kind === 'func'
    ? { typeIndex, params: def.params.map(valTypeName), results: def.results.map(valTypeName) }
    : { typeIndex, params: null, results: null };
}

function memoryTypeInfo(m: MemoryType): MemoryTypeInfo {
  return {
    min: m.min,
    max: m.max ?? null,
    shared: m.shared,
    memory64: m.memory64,
    pageSize: 2 ** (m.pageSizeLog2 ?? 16),
  };
}

function globalTypeInfo(g: GlobalType): GlobalTypeInfo {
  return { valType: valTypeName(g.valType), mutable: g.mutable };
}

function tableTypeInfo(t: TableType): TableTypeInfo {
  return { elemType: valTypeName(t.elemType), min: t.min, max: t.max ?? null, table64: t.table64 };
}

function sectionSize(section: Section): number {
  return (originalSectionBytes(section) ?? encodeSection(section)).length;
}

function countOf(section: Section): number | undefined {
  switch (section.kind) {
    case 'type':
      return section.types.length;
    case 'import':
      return section.imports.length;
    case 'function':
      return section.types.length;
    case 'table':
      return section.tables.length;
    case 'memory':
      return section.memories.length;
    case 'tag':
      return section.tags.length;
    case 'global':
      return section.globals.length;
    case 'export':
      return section.exports.length;
    case 'element':
      return section.segments.length;
    case 'code':
      return section.bodies.length;
    case 'data':
      return section.segments.length;
    default:
      return undefined;
  }
}

function constText(expr: Uint8Array): string | null {
  const v = constExprValue(expr);
  if (v === undefined) return null;
  if ('value' in v) return String(v.value);
  return v.op;
}

/**
 * Reads a module and reports what is in it: sections with sizes, imports, exports, memories,
 * globals, data segments, whether it looks pre-initialized, and whether it is a split engine
 * or app module. Throws `MalformedModuleError` for bytes that are not a module.
 */
export function inspectModule(bytes: Uint8Array): ModuleReport {
  const mod = parseModule(bytes);
  const names = (() => {
    try {
      return readNames(mod);
    } catch {
      return undefined;
    }
  })();
  const report: ModuleReport = {
    size: bytes.length,
    sections: [],
    imports: [],
    exports: [],
    functions: { imported: 0, defined: 0, codeBytes: 0 },
    memories: [],
    globals: [],
    data: { segments: 0, active: 0, passive: 0, bytes: 0, nonZeroBytes: 0 },
    snapshot: { verdict: 'unknown', reason: '', dataEnd: 0, density: 0 },
    split: { role: 'none', importModule: null },
    validation: { valid: true, error: null },
    exceptions: exceptionForm(mod),
  };
  const error = compileError(bytes);
  if (error !== null) report.validation = { valid: false, error };
  const types = typeIndexSpace(mod);
  /** The type of every index of each index space, imports first. */
  const spaces = {
    func: [] as FuncTypeInfo[],
    memory: [] as MemoryTypeInfo[],
    global: [] as GlobalTypeInfo[],
    table: [] as TableTypeInfo[],
    tag: [] as FuncTypeInfo[],
  };
  let hasStart = false;
  let dataStart = Number.POSITIVE_INFINITY;
  let hasCode = false;
  for (const section of mod.sections) {
    const count = countOf(section);
    report.sections.push({
      name: section.kind === 'custom' ? `custom:${section.name}` : section.kind,
      size: sectionSize(section),
      ...(count === undefined ? {} : { count }),
    });
    switch (section.kind) {
      case 'import':
        for (const imp of section.imports) {
          const d = imp.desc;
          const at = { module: imp.module, name: imp.name };
          switch (d.kind) {
            case 'func': {
              report.functions.imported++;
              const type = funcTypeInfo(types, d.type);
              spaces.func.push(type);
              report.imports.push({ ...at, kind: 'func', type });
              break;
            }
            case 'memory': {
              report.memories.push({
                index: report.memories.length,
                imported: true,
                min: d.type.min,
                max: d.type.max ?? null,
                shared: d.type.shared,
                memory64: d.type.memory64,
              });
              const type = memoryTypeInfo(d.type);
              spaces.memory.push(type);
              report.imports.push({ ...at, kind: 'memory', type });
              break;
            }
            case 'global': {
              const index = report.globals.length;
              report.globals.push({
                index,
                imported: true,
                name: names?.globals.get(index) ?? null,
                type: valTypeName(d.type.valType),
                mutable: d.type.mutable,
                value: null,
              });
              const type = globalTypeInfo(d.type);
              spaces.global.push(type);
              report.imports.push({ ...at, kind: 'global', type });
              break;
            }
            case 'table': {
              const type = tableTypeInfo(d.type);
              spaces.table.push(type);
              report.imports.push({ ...at, kind: 'table', type });
              break;
            }
            case 'tag': {
              const type = funcTypeInfo(types, d.type.type);
              spaces.tag.push(type);
              report.imports.push({ ...at, kind: 'tag', type });
              break;
            }
          }
        }
        break;
      case 'function':
        report.functions.defined = section.types.length;
        for (const t of section.types) spaces.func.push(funcTypeInfo(types, t));
        break;
      case 'table':
        for (const t of section.tables) spaces.table.push(tableTypeInfo(t.type));
        break;
      case 'tag':
        for (const t of section.tags) spaces.tag.push(funcTypeInfo(types, t.type));
        break;
      case 'memory':
        for (const m of section.memories) {
          spaces.memory.push(memoryTypeInfo(m));
          report.memories.push({
            index: report.memories.length,
            imported: false,
            min: m.min,
            max: m.max ?? null,
            shared: m.shared,
            memory64: m.memory64,
          });
        }
        break;
      case 'global':
        for (const g of section.globals) {
          spaces.global.push(globalTypeInfo(g.type));
          const index = report.globals.length;
          report.globals.push({
            index,
            imported: false,
            name: names?.globals.get(index) ?? null,
            type: valTypeName(g.type.valType),
            mutable: g.type.mutable,
            value: constText(g.init),
          });
        }
        break;
      case 'export':
        // The export section follows every section that defines an index space.
        for (const e of section.exports) {
          const at = { name: e.name, index: e.index };
          switch (e.kind) {
            case 'func':
              report.exports.push({ ...at, kind: 'func', type: spaces.func[e.index] ?? null });
              break;
            case 'memory':
              report.exports.push({ ...at, kind: 'memory', type: spaces.memory[e.index] ?? null });
              break;
            case 'global':
              report.exports.push({ ...at, kind: 'global', type: spaces.global[e.index] ?? null });
              break;
            case 'table':
              report.exports.push({ ...at, kind: 'table', type: spaces.table[e.index] ?? null });
              break;
            case 'tag':
              report.exports.push({ ...at, kind: 'tag', type: spaces.tag[e.index] ?? null });
              break;
          }
        }
        break;
      case 'start':
        hasStart = true;
        break;
      case 'code':
        hasCode = section.bodies.length > 0;
        report.functions.codeBytes = sectionSize(section);
        break;
      case 'data':
        for (const seg of section.segments) {
          report.data.segments++;
          report.data.bytes += seg.data.length;
          if (seg.mode === 'passive') report.data.passive++;
          else {
            report.data.active++;
            const offset = seg.offset === undefined ? undefined : constExprValue(seg.offset);
            if (offset !== undefined && 'value' in offset && seg.memory === 0) {
              report.snapshot.dataEnd = Math.max(
                report.snapshot.dataEnd,
                Number(offset.value) + seg.data.length,
              );
              dataStart = Math.min(dataStart, Number(offset.value));
            }
          }
          for (const byte of seg.data) if (byte !== 0) report.data.nonZeroBytes++;
        }
        break;
      default:
        break;
    }
  }

  const exportNames = new Set(report.exports.map((e) => e.name));
  for (const global of report.globals) {
    // Without a name section entry, an exported global (wasm-ld's `__heap_base`) goes by its export name.
    global.name ??= report.exports.find((e) => e.kind === 'global' && e.index === global.index)?.name ?? null;
  }
  const memoryImport = report.imports.find((i) => i.kind === 'memory');
  if (hasCode && memoryImport !== undefined && report.data.segments === 0) {
    report.split = { role: 'engine', importModule: memoryImport.module };
  } else if (
    !hasCode &&
    report.imports.length === 0 &&
    report.memories.length > 0 &&
    report.functions.defined === 0
  ) {
    report.split = { role: 'app', importModule: null };
  }
  if (report.split.role === 'engine' && memoryImport?.module !== APP_IMPORT_MODULE) {
    // An engine of another import module name is still an engine, just renamed.
    report.split.importModule = memoryImport?.module ?? null;
  }

  const memory0 = report.memories[0];
  const memBytes = memory0 === undefined ? 0 : memory0.min * 65536;
  report.snapshot.density = memBytes === 0 ? 0 : report.data.nonZeroBytes / memBytes;
  const initExport = DEFAULT_INIT_EXPORTS.find((name) => exportNames.has(name));
  const heapBase = report.globals.find((g) => g.name === '__heap_base' || g.name === 'heap_base');
  const stackPointer = report.globals.find((g) => g.name === '__stack_pointer' && !g.imported);
  const stackTop =
    stackPointer?.value === null || stackPointer === undefined ? undefined : Number(stackPointer.value);
  const heapBaseValue =
    heapBase?.value === null || heapBase === undefined ? undefined : Number(heapBase.value);
  if (report.split.role === 'engine') {
    report.snapshot.verdict = 'unknown';
    report.snapshot.reason = 'a split engine: its state lives in the app module';
  } else if (report.split.role === 'app') {
    report.snapshot.verdict = 'snapshot';
    report.snapshot.reason = 'a split app module: memory state only';
  } else if (initExport !== undefined) {
    report.snapshot.verdict = 'not-initialized';
    report.snapshot.reason = `it still exports the init function "${initExport}"`;
  } else if (hasStart) {
    report.snapshot.verdict = 'not-initialized';
    report.snapshot.reason = 'it has a start function, which a snapshot never keeps';
  } else if (heapBaseValue !== undefined && report.snapshot.dataEnd > heapBaseValue) {
    report.snapshot.verdict = 'snapshot';
    report.snapshot.reason = `its data reaches ${report.snapshot.dataEnd}, past __heap_base (${heapBaseValue}): the heap was captured`;
  } else if (stackTop !== undefined && dataStart < stackTop && report.snapshot.dataEnd > stackTop) {
    // wasm-ld places static data, then the stack (growing down from __stack_pointer), then the
    // heap: data above the stack's top is heap, which only a snapshot holds. (With --stack-first
    // the data starts above the stack, which the first condition rules out.)
    report.snapshot.verdict = 'snapshot';
    report.snapshot.reason = `its data reaches ${report.snapshot.dataEnd}, past the stack's top (${stackTop}): the heap was captured`;
  } else {
    report.snapshot.verdict = 'unknown';
    report.snapshot.reason =
      'no init export and no start function, but nothing proves the memory was captured';
  }
  return report;
}
