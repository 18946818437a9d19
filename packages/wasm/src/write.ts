import { HEAP_BY_BYTE, VALTYPE_BY_BYTE } from './cursor.js';
import { originalSectionBytes } from './raw.js';
import { SECTION_ID } from './section-ids.js';
import type {
  DataSegment,
  ElementSegment,
  ExternKind,
  GlobalType,
  HeapType,
  ImportDesc,
  MemoryType,
  Section,
  TableType,
  TagType,
  TypeDef,
  ValType,
  WasmModule,
} from './types.js';

const utf8 = new TextEncoder();
const EXTERN_KIND_BYTE: Readonly<Record<ExternKind, number>> = {
  func: 0,
  table: 1,
  memory: 2,
  global: 3,
  tag: 4,
};
const BYTE_OF_VALTYPE = new Map<string, number>([...VALTYPE_BY_BYTE].map(([b, n]) => [n, b]));
const BYTE_OF_HEAP = new Map<string, number>([...HEAP_BY_BYTE].map(([b, n]) => [n, b]));

/** A growable byte buffer with the encoders the binary format needs. @internal */
export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  u32(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not an unsigned integer: ${value}`);
    let v = value;
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
  }

  s33(value: number): void {
    let v = value;
    for (;;) {
      const b = ((v % 128) + 128) % 128;
      v = Math.floor(v / 128);
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return;
    }
  }

  name(s: string): void {
    const b = utf8.encode(s);
    this.u32(b.length);
    this.bytes(b);
  }

  vec<T>(items: readonly T[], write: (item: T) => void): void {
    this.u32(items.length);
    for (const item of items) write(item);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** The binary encoding of a heap type. */
export function encodeHeapType(heap: HeapType): Uint8Array {
  const w = new ByteWriter();
  writeHeapType(w, heap);
  return w.finish();
}

function writeHeapType(w: ByteWriter, heap: HeapType): void {
  if (typeof heap === 'number') {
    w.s33(heap);
    return;
  }
  const b = BYTE_OF_HEAP.get(heap);
  if (b === undefined) throw new RangeError(`unknown heap type ${String(heap)}`);
  w.byte(b);
}

function writeValType(w: ByteWriter, t: ValType): void {
  if (typeof t === 'object') {
    w.byte(t.nullable ? 0x63 : 0x64);
    writeHeapType(w, t.ref);
    return;
  }
  const b = BYTE_OF_VALTYPE.get(t);
  if (b === undefined) throw new RangeError(`unknown value type ${String(t)}`);
  w.byte(b);
}

function writeTypeDef(w: ByteWriter, t: TypeDef): void {
  if (t.kind === 'raw') {
    w.bytes(t.bytes);
    return;
  }
  w.byte(0x60);
  w.vec(t.params, (p) => writeValType(w, p));
  w.vec(t.results, (r) => writeValType(w, r));
}

function writeMemoryType(w: ByteWriter, m: MemoryType): void {
  const flags =
    (m.max !== undefined ? 1 : 0) |
    (m.shared ? 2 : 0) |
    (m.memory64 ? 4 : 0) |
    (m.pageSizeLog2 !== undefined ? 8 : 0);
  w.byte(flags);
  w.u32(m.min);
  if (m.max !== undefined) w.u32(m.max);
  if (m.pageSizeLog2 !== undefined) w.u32(m.pageSizeLog2);
}

function writeTableType(w: ByteWriter, t: TableType): void {
  writeValType(w, t.elemType);
  w.byte((t.max !== undefined ? 1 : 0) | (t.table64 ? 4 : 0));
  w.u32(t.min);
  if (t.max !== undefined) w.u32(t.max);
}

function writeGlobalType(w: ByteWriter, g: GlobalType): void {
  writeValType(w, g.valType);
  w.byte(g.mutable ? 1 : 0);
}

function writeTagType(w: ByteWriter, t: TagType): void {
  w.byte(t.attribute);
  w.u32(t.type);
}

function writeImportDesc(w: ByteWriter, d: ImportDesc): void {
  w.byte(EXTERN_KIND_BYTE[d.kind]);
  switch (d.kind) {
    case 'func':
      w.u32(d.type);
      break;
    case 'table':
      writeTableType(w, d.type);
      break;
    case 'memory':
      writeMemoryType(w, d.type);
      break;
    case 'global':
      writeGlobalType(w, d.type);
      break;
    case 'tag':
      writeTagType(w, d.type);
      break;
  }
}

function isFuncref(t: ValType): boolean {
  return t === 'funcref';
}

/** The element segment encoding (0-7) the writer uses: the one read when it still fits, else the shortest. */
export function elementEncoding(s: ElementSegment): number {
  const usesExprs = s.exprs !== undefined;
  if (usesExprs === (s.funcs !== undefined)) {
    throw new RangeError('an element segment needs exactly one of `funcs` and `exprs`');
  }
  const fits = (e: number): boolean => {
    if (e < 0 || e > 7 || ((e & 4) !== 0) !== usesExprs) return false;
    if (!usesExprs && !isFuncref(s.elemType)) return false;
    if (e & 1) return s.mode === ((e & 2) !== 0 ? 'declarative' : 'passive');
    if (s.mode !== 'active' || s.offset === undefined) return false;
    // Encodings 0 and 4 imply table 0 and funcref elements.
    if ((e & 2) === 0) return s.table === 0 && isFuncref(s.elemType);
    return true;
  };
  if (s.encoding !== undefined && fits(s.encoding)) return s.encoding;
  for (const e of usesExprs ? [4, 5, 6, 7] : [0, 1, 2, 3]) if (fits(e)) return e;
  throw new RangeError(
    `cannot encode element segment (mode ${s.mode}, table ${s.table}, offset ${s.offset ? 'set' : 'missing'})`,
  );
}

function writeElementSegment(w: ByteWriter, s: ElementSegment): void {
  const e = elementEncoding(s);
  w.u32(e);
  if ((e & 1) === 0) {
    if (e & 2) w.u32(s.table);
    w.bytes(s.offset!);
  }
  if (e & 3) {
    if (e & 4) writeValType(w, s.elemType);
    else w.byte(0);
  }
  if (s.exprs) w.vec(s.exprs, (x) => w.bytes(x));
  else w.vec(s.funcs!, (f) => w.u32(f));
}

/** The data segment encoding (0-2) the writer uses. */
export function dataEncoding(s: DataSegment): number {
  if (s.mode === 'passive') return 1;
  if (s.offset === undefined) throw new RangeError('an active data segment needs an `offset`');
  if (s.encoding === 2 || s.memory !== 0) return 2;
  return 0;
}

function writeDataSegment(w: ByteWriter, s: DataSegment): void {
  const e = dataEncoding(s);
  w.u32(e);
  if (e === 2) w.u32(s.memory);
  if (e !== 1) w.bytes(s.offset!);
  w.u32(s.data.length);
  w.bytes(s.data);
}

function writePayload(w: ByteWriter, s: Section): void {
  switch (s.kind) {
    case 'custom':
      w.name(s.name);
      w.bytes(s.data);
      return;
    case 'type':
      w.vec(s.types, (t) => writeTypeDef(w, t));
      return;
    case 'import':
      w.vec(s.imports, (i) => {
        w.name(i.module);
        w.name(i.name);
        writeImportDesc(w, i.desc);
      });
      return;
    case 'function':
      w.vec(s.types, (t) => w.u32(t));
      return;
    case 'table':
      w.vec(s.tables, (t) => {
        if (t.init) {
          w.byte(0x40);
          w.byte(0);
          writeTableType(w, t.type);
          w.bytes(t.init);
        } else {
          writeTableType(w, t.type);
        }
      });
      return;
    case 'memory':
      w.vec(s.memories, (m) => writeMemoryType(w, m));
      return;
    case 'tag':
      w.vec(s.tags, (t) => writeTagType(w, t));
      return;
    case 'global':
      w.vec(s.globals, (g) => {
        writeGlobalType(w, g.type);
        w.bytes(g.init);
      });
      return;
    case 'export':
      w.vec(s.exports, (e) => {
        w.name(e.name);
        w.byte(EXTERN_KIND_BYTE[e.kind]);
        w.u32(e.index);
      });
      return;
    case 'start':
      w.u32(s.func);
      return;
    case 'element':
      w.vec(s.segments, (seg) => writeElementSegment(w, seg));
      return;
    case 'datacount':
      w.u32(s.count);
      return;
    case 'code':
      w.vec(s.bodies, (b) => {
        w.u32(b.length);
        w.bytes(b);
      });
      return;
    case 'data':
      w.vec(s.segments, (seg) => writeDataSegment(w, seg));
      return;
  }
}

/**
 * The bytes of one section (id, size, payload): the original bytes for a section object that
 * `parseModule` returned, a fresh encoding (minimal LEB128s) otherwise.
 */
export function encodeSection(section: Section): Uint8Array {
  const raw = originalSectionBytes(section);
  if (raw) return raw;
  const payload = new ByteWriter();
  writePayload(payload, section);
  const out = new ByteWriter();
  out.byte(SECTION_ID[section.kind]);
  out.u32(payload.length);
  out.bytes(payload.finish());
  return out.finish();
}

/**
 * Writes a module: the header, then each section of `module.sections` in array order. Sections
 * that came out of `parseModule` (the same objects) are copied byte for byte; the others are
 * encoded. The code section is never re-encoded instruction by instruction: a new code section
 * is its bodies' bytes, each behind its size.
 */
export function writeModule(module: WasmModule): Uint8Array<ArrayBuffer> {
  const parts = module.sections.map(encodeSection);
  let total = 8;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  out.set([0x00, 0x61, 0x73, 0x6d], 0);
  new DataView(out.buffer).setUint32(4, module.version, true);
  let at = 8;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
