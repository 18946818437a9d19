import { APP_IMPORT_MODULE, DEFAULT_INIT_EXPORTS } from '@wasm-runtime/split';
import {
  constExprValue,
  type ExceptionForm,
  encodeSection,
  exceptionForm,
  originalSectionBytes,
  parseModule,
  readNames,
  type Section,
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

/** What {@link inspectModule} reports. */
export interface ModuleReport {
  size: number;
  sections: SectionInfo[];
  imports: Array<{ module: string; name: string; kind: string; type: string }>;
  exports: Array<{ name: string; kind: string; index: number }>;
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
          let type: string;
          switch (d.kind) {
            case 'func':
              report.functions.imported++;
              type = `type ${d.type}`;
              break;
            case 'memory':
              report.memories.push({
                index: report.memories.length,
                imported: true,
                min: d.type.min,
                max: d.type.max ?? null,
                shared: d.type.shared,
                memory64: d.type.memory64,
              });
              type = `pages ${d.type.min}..${d.type.max ?? ''}`;
              break;
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
              type = `${d.type.mutable ? 'mut ' : ''}${valTypeName(d.type.valType)}`;
              break;
            }
            case 'table':
              type = `${valTypeName(d.type.elemType)} ${d.type.min}..${d.type.max ?? ''}`;
              break;
            case 'tag':
              type = `tag type ${d.type.type}`;
              break;
          }
          report.imports.push({ module: imp.module, name: imp.name, kind: d.kind, type });
        }
        break;
      case 'function':
        report.functions.defined = section.types.length;
        break;
      case 'memory':
        for (const m of section.memories) {
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
        for (const e of section.exports) report.exports.push({ name: e.name, kind: e.kind, index: e.index });
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
