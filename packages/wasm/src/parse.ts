import { readConstExpr } from './const-expr.js';
import { Cursor } from './cursor.js';
import { MalformedModuleError } from './errors.js';
import { rememberSection } from './raw.js';
import { SECTION_KIND_BY_ID, SECTION_ORDER } from './section-ids.js';
import type {
  ConstExpr,
  DataSegment,
  ElementSegment,
  Export,
  ExternKind,
  Global,
  GlobalType,
  Import,
  ImportDesc,
  MemoryType,
  Section,
  SectionKind,
  Table,
  TableType,
  TagType,
  TypeDef,
  ValType,
  WasmModule,
} from './types.js';

const EXTERN_KINDS: readonly ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];
const freeze = Object.freeze;

/**
 * Parses a core WebAssembly module at section level. Function bodies, data segment bytes and
 * custom section contents are zero-copy views of `bytes`. Every section object returned is
 * frozen and remembers its original bytes, so `writeModule(parseModule(b))` equals `b` byte for
 * byte, padded LEB128s included.
 * @throws MalformedModuleError naming the section and the absolute byte offset.
 */
export function parseModule(bytes: Uint8Array): WasmModule {
  const c: Cursor = new Cursor(bytes, 0, bytes.length, 'header');
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    c.fail(
      bytes.length < 4 ? 'input too short for a WebAssembly module' : 'missing the \\0asm magic number',
      0,
    );
  }
  const version = (bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24)) >>> 0;
  if (version !== 1) {
    if (bytes[6] === 1 && bytes[7] === 0) {
      c.fail('this is a WebAssembly component, not a core module: pass the core module inside it', 4);
    }
    c.fail(`unsupported binary format version ${version} (expected 1)`, 4);
  }
  c.pos = 8;
  const sections: Section[] = [];
  let lastRank = 0;
  let functionCount: number | undefined;
  let codeCount: number | undefined;
  let codeAt = bytes.length;
  let dataCount: number | undefined;
  let dataSegments: number | undefined;
  let dataAt = bytes.length;
  while (c.pos < bytes.length) {
    const start = c.pos;
    c.section = undefined;
    const id = c.u8();
    const kind = SECTION_KIND_BY_ID[id];
    if (kind === undefined) c.fail(`unknown section id ${id}`, start);
    c.section = kind;
    const size = c.u32();
    const payloadStart = c.pos;
    if (size > bytes.length - payloadStart) {
      c.fail(
        `section size ${size} runs past the end of the input (${bytes.length - payloadStart} bytes left)`,
        start,
      );
    }
    const end = payloadStart + size;
    c.end = end;
    if (kind !== 'custom') {
      const rank = SECTION_ORDER[kind];
      if (rank <= lastRank) c.fail(`${kind} section out of order or repeated`, start);
      lastRank = rank;
    }
    const section = readSection(c, kind);
    if (c.pos !== end) c.fail(`${end - c.pos} unread bytes at the end of the section`);
    if (section.kind === 'function') functionCount = section.types.length;
    if (section.kind === 'datacount') dataCount = section.count;
    if (section.kind === 'data') {
      dataSegments = section.segments.length;
      dataAt = start;
    }
    if (section.kind === 'code') {
      codeCount = section.bodies.length;
      codeAt = start;
    }
    freeze(section);
    rememberSection(section, bytes.subarray(start, end));
    sections.push(section);
    c.end = bytes.length;
  }
  if ((functionCount ?? 0) !== (codeCount ?? 0)) {
    throw new MalformedModuleError(
      `the function section declares ${functionCount ?? 0} functions but the code section has ${codeCount ?? 0} bodies`,
      codeAt,
      'code',
    );
  }
  if (dataCount !== undefined && dataCount !== (dataSegments ?? 0)) {
    throw new MalformedModuleError(
      `the data count section says ${dataCount} segments but the data section has ${dataSegments ?? 0}`,
      dataAt,
      'data',
    );
  }
  return { version, sections, source: bytes };
}

function readSection(c: Cursor, kind: SectionKind): Section {
  switch (kind) {
    case 'custom': {
      const name = c.name();
      c.section = `custom "${name}"`;
      return { kind, name, data: c.take(c.end - c.pos) };
    }
    case 'type':
      return { kind, types: vec(c, readTypeDef) };
    case 'import':
      return { kind, imports: vec(c, readImport) };
    case 'function':
      return { kind, types: vec(c, () => c.u32()) };
    case 'table':
      return { kind, tables: vec(c, readTable) };
    case 'memory':
      return { kind, memories: vec(c, readMemoryType) };
    case 'tag':
      return { kind, tags: vec(c, readTagType) };
    case 'global':
      return { kind, globals: vec(c, readGlobal, 3) };
    case 'export':
      return { kind, exports: vec(c, readExport, 3) };
    case 'start':
      return { kind, func: c.u32() };
    case 'element':
      return { kind, segments: vec(c, readElementSegment) };
    case 'datacount':
      return { kind, count: c.u32() };
    case 'code':
      return { kind, bodies: vec(c, () => c.take(c.u32())) };
    case 'data':
      return { kind, segments: vec(c, readDataSegment) };
  }
}

function vec<T>(c: Cursor, read: (c: Cursor) => T, minSize = 1): readonly T[] {
  const n = c.count(minSize);
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = read(c);
  return freeze(out);
}

function constExpr(c: Cursor): ConstExpr {
  const start = c.pos;
  readConstExpr(c);
  return c.bytes.subarray(start, c.pos);
}

function readTypeDef(c: Cursor): TypeDef {
  const start = c.pos;
  if (start >= c.end) c.fail('unexpected end of section');
  const form = c.bytes[c.pos];
  if (form === 0x60) {
    c.pos++;
    const params = vec(c, (x) => x.valType());
    const results = vec(c, (x) => x.valType());
    return freeze({ kind: 'func', params, results });
  }
  let count = 1;
  if (form === 0x4e) {
    c.pos++;
    count = c.count();
    for (let i = 0; i < count; i++) skipSubType(c);
  } else {
    skipSubType(c);
  }
  return freeze({ kind: 'raw', bytes: c.bytes.subarray(start, c.pos), count });
}

function skipSubType(c: Cursor): void {
  const at = c.pos;
  let form = c.u8();
  if (form === 0x50 || form === 0x4f) {
    const supers = c.count();
    for (let i = 0; i < supers; i++) c.u32();
    form = c.u8();
  }
  switch (form) {
    case 0x60: {
      const params = c.count();
      for (let i = 0; i < params; i++) c.valType();
      const results = c.count();
      for (let i = 0; i < results; i++) c.valType();
      return;
    }
    case 0x5f: {
      const fields = c.count();
      for (let i = 0; i < fields; i++) skipFieldType(c);
      return;
    }
    case 0x5e:
      skipFieldType(c);
      return;
    default:
      c.fail(`unknown type form 0x${form.toString(16)}`, at);
  }
}

function skipFieldType(c: Cursor): void {
  const b = c.bytes[c.pos];
  if (c.pos < c.end && (b === 0x78 || b === 0x77)) c.pos++;
  else c.valType();
  const at = c.pos;
  const mut = c.u8();
  if (mut > 1) c.fail(`bad mutability flag ${mut}`, at);
}

function readImport(c: Cursor): Import {
  const module = c.name();
  const name = c.name();
  const at = c.pos;
  const kind = c.u8();
  let desc: ImportDesc;
  switch (kind) {
    case 0:
      desc = { kind: 'func', type: c.u32() };
      break;
    case 1:
      desc = { kind: 'table', type: readTableType(c) };
      break;
    case 2:
      desc = { kind: 'memory', type: readMemoryType(c) };
      break;
    case 3:
      desc = { kind: 'global', type: readGlobalType(c) };
      break;
    case 4:
      desc = { kind: 'tag', type: readTagType(c) };
      break;
    default:
      return c.fail(`unknown import kind ${kind}`, at);
  }
  return freeze({ module, name, desc: freeze(desc) });
}

function readLimitsFlags(c: Cursor, what: string, allowed: number): number {
  const at = c.pos;
  const flags = c.u8();
  if (flags & ~allowed) c.fail(`unknown ${what} limits flags 0x${flags.toString(16)}`, at);
  return flags;
}

function readMemoryType(c: Cursor): MemoryType {
  const flags = readLimitsFlags(c, 'memory', 0x0f);
  const memory64 = (flags & 4) !== 0;
  const min = c.u32(memory64 ? 64 : 32);
  const max = flags & 1 ? c.u32(memory64 ? 64 : 32) : undefined;
  const pageSizeLog2 = flags & 8 ? c.u32() : undefined;
  return freeze({ min, max, shared: (flags & 2) !== 0, memory64, pageSizeLog2 });
}

function readTableType(c: Cursor): TableType {
  const elemType = c.valType();
  if (typeof elemType === 'string' && !elemType.endsWith('ref'))
    c.fail(`table element type ${elemType} is not a reference type`);
  const flags = readLimitsFlags(c, 'table', 0x05);
  const table64 = (flags & 4) !== 0;
  const min = c.u32(table64 ? 64 : 32);
  const max = flags & 1 ? c.u32(table64 ? 64 : 32) : undefined;
  return freeze({ elemType, min, max, table64 });
}

function readGlobalType(c: Cursor): GlobalType {
  const valType = c.valType();
  const at = c.pos;
  const mut = c.u8();
  if (mut > 1) c.fail(`bad global mutability flag ${mut}`, at);
  return freeze({ valType, mutable: mut === 1 });
}

function readTagType(c: Cursor): TagType {
  const at = c.pos;
  const attribute = c.u8();
  if (attribute !== 0) c.fail(`unknown tag attribute ${attribute}`, at);
  return freeze({ attribute, type: c.u32() });
}

function readTable(c: Cursor): Table {
  if (c.bytes[c.pos] === 0x40 && c.pos < c.end) {
    c.pos++;
    const at = c.pos;
    if (c.u8() !== 0) c.fail('expected 0x00 after 0x40 in a table definition', at);
    const type = readTableType(c);
    return freeze({ type, init: constExpr(c) });
  }
  return freeze({ type: readTableType(c) });
}

function readGlobal(c: Cursor): Global {
  const type = readGlobalType(c);
  return freeze({ type, init: constExpr(c) });
}

function readExport(c: Cursor): Export {
  const name = c.name();
  const at = c.pos;
  const kind = EXTERN_KINDS[c.u8()];
  if (kind === undefined) c.fail(`unknown export kind ${c.bytes[at]}`, at);
  return freeze({ name, kind, index: c.u32() });
}

function readElementSegment(c: Cursor): ElementSegment {
  const at = c.pos;
  const encoding = c.u32();
  if (encoding > 7) c.fail(`unknown element segment encoding ${encoding}`, at);
  const passiveOrDeclarative = (encoding & 1) !== 0;
  const explicitTable = (encoding & 2) !== 0;
  const usesExprs = (encoding & 4) !== 0;
  const mode = passiveOrDeclarative ? (explicitTable ? 'declarative' : 'passive') : 'active';
  let table = 0;
  let offset: ConstExpr | undefined;
  if (!passiveOrDeclarative) {
    if (explicitTable) table = c.u32();
    offset = constExpr(c);
  }
  let elemType: ValType = 'funcref';
  if (passiveOrDeclarative || explicitTable) {
    if (usesExprs) {
      elemType = c.valType();
    } else {
      const kindAt = c.pos;
      if (c.u8() !== 0) c.fail('unknown element kind (only 0x00, funcref, exists)', kindAt);
    }
  }
  if (usesExprs) {
    return freeze({ mode, table, offset, elemType, exprs: vec(c, constExpr), encoding });
  }
  return freeze({ mode, table, offset, elemType, funcs: vec(c, (x) => x.u32()), encoding });
}

function readDataSegment(c: Cursor): DataSegment {
  const at = c.pos;
  const encoding = c.u32();
  if (encoding > 2) c.fail(`unknown data segment encoding ${encoding}`, at);
  if (encoding === 1) return freeze({ mode: 'passive', memory: 0, data: c.take(c.u32()), encoding });
  const memory = encoding === 2 ? c.u32() : 0;
  const offset = constExpr(c);
  return freeze({ mode: 'active', memory, offset, data: c.take(c.u32()), encoding });
}
