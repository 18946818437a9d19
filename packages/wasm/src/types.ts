/**
 * The module model. Everything `parseModule` returns is frozen (except the bytes inside
 * `Uint8Array`s, which are zero-copy views of the input): to edit a module, replace section
 * objects in `module.sections` (the helpers in `edit.ts` do it for you). A section object that
 * came out of `parseModule` is written back byte for byte; a section object you built is encoded.
 */

/** Number and vector types. */
export type NumType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

/** The one-byte reference type shorthands (`funcref` is `(ref null func)`, and so on). */
export type RefTypeShorthand =
  | 'funcref'
  | 'externref'
  | 'exnref'
  | 'anyref'
  | 'eqref'
  | 'i31ref'
  | 'structref'
  | 'arrayref'
  | 'nullref'
  | 'nullexternref'
  | 'nullfuncref'
  | 'nullexnref';

/** Abstract heap types by name, or a concrete type index. */
export type HeapType =
  | 'func'
  | 'extern'
  | 'exn'
  | 'any'
  | 'eq'
  | 'i31'
  | 'struct'
  | 'array'
  | 'none'
  | 'noextern'
  | 'nofunc'
  | 'noexn'
  | number;

/** A reference type written in its long form `(ref null? heaptype)` (binary 0x63/0x64). */
export interface RefType {
  readonly ref: HeapType;
  readonly nullable: boolean;
}

/** A value type. */
export type ValType = NumType | RefTypeShorthand | RefType;

/**
 * A constant expression: its bytes, from the first instruction through the final `end` (0x0b)
 * included. Build one with `i32Const`, `i64Const`, `refFunc`... and read one with
 * `decodeConstExpr`.
 */
export type ConstExpr = Uint8Array;

/** A function type. */
export interface FuncType {
  readonly kind: 'func';
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/**
 * A type definition kept verbatim: a GC recursion group (`0x4e`) or sub type (`0x50`/`0x4f`),
 * or a struct/array type. `count` is the number of type indices it defines.
 */
export interface RawTypeDef {
  readonly kind: 'raw';
  readonly bytes: Uint8Array;
  readonly count: number;
}

/** An entry of the type section. */
export type TypeDef = FuncType | RawTypeDef;

/** Limits of a memory, in pages. `memory64` memories have 64-bit limits (as numbers up to 2^53). */
export interface MemoryType {
  readonly min: number;
  readonly max?: number | undefined;
  readonly shared: boolean;
  readonly memory64: boolean;
  /** log2 of the page size when the custom-page-sizes flag is set (16 = the default 64 KiB). */
  readonly pageSizeLog2?: number | undefined;
}

/** A table type. */
export interface TableType {
  readonly elemType: ValType;
  readonly min: number;
  readonly max?: number | undefined;
  readonly table64: boolean;
}

/** A global type. */
export interface GlobalType {
  readonly valType: ValType;
  readonly mutable: boolean;
}

/** An exception tag type: `attribute` is 0 (exception) and `type` a function type index. */
export interface TagType {
  readonly attribute: number;
  readonly type: number;
}

/** The kinds of importable and exportable things. */
export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';

/** What an import brings in. */
export type ImportDesc =
  | { readonly kind: 'func'; readonly type: number }
  | { readonly kind: 'table'; readonly type: TableType }
  | { readonly kind: 'memory'; readonly type: MemoryType }
  | { readonly kind: 'global'; readonly type: GlobalType }
  | { readonly kind: 'tag'; readonly type: TagType };

/** An import. */
export interface Import {
  readonly module: string;
  readonly name: string;
  readonly desc: ImportDesc;
}

/** An export. `index` is in the index space of `kind` (imports first, then definitions). */
export interface Export {
  readonly name: string;
  readonly kind: ExternKind;
  readonly index: number;
}

/** A table definition; `init` is set for the `0x40 0x00` form (function references). */
export interface Table {
  readonly type: TableType;
  readonly init?: ConstExpr | undefined;
}

/** A global definition. */
export interface Global {
  readonly type: GlobalType;
  readonly init: ConstExpr;
}

/**
 * An element segment. Exactly one of `funcs` (function indices, encodings 0-3) and `exprs`
 * (constant expressions, encodings 4-7) is set. `encoding` is the flags value read (0-7); the
 * writer keeps it when it still fits the segment and picks the shortest one otherwise.
 */
export interface ElementSegment {
  readonly mode: 'active' | 'passive' | 'declarative';
  /** Table index (active segments; 0 otherwise). */
  readonly table: number;
  /** Offset expression (active segments only). */
  readonly offset?: ConstExpr | undefined;
  /** `funcref` for function-index segments, otherwise the reference type of `exprs`. */
  readonly elemType: ValType;
  readonly funcs?: readonly number[] | undefined;
  readonly exprs?: readonly ConstExpr[] | undefined;
  readonly encoding?: number | undefined;
}

/** A data segment; `data` is a zero-copy view of the input. */
export interface DataSegment {
  readonly mode: 'active' | 'passive';
  /** Memory index (active segments; 0 otherwise). */
  readonly memory: number;
  /** Offset expression (active segments only). */
  readonly offset?: ConstExpr | undefined;
  readonly data: Uint8Array;
  /** The flags value read (0, 1 or 2); the writer keeps it when it still fits. */
  readonly encoding?: number | undefined;
}

/** A custom section: its name and the bytes after the name. */
export interface CustomSection {
  readonly kind: 'custom';
  readonly name: string;
  readonly data: Uint8Array;
}
/** Section 1. */
export interface TypeSection {
  readonly kind: 'type';
  readonly types: readonly TypeDef[];
}
/** Section 2. */
export interface ImportSection {
  readonly kind: 'import';
  readonly imports: readonly Import[];
}
/** Section 3: the type index of each defined function. */
export interface FunctionSection {
  readonly kind: 'function';
  readonly types: readonly number[];
}
/** Section 4. */
export interface TableSection {
  readonly kind: 'table';
  readonly tables: readonly Table[];
}
/** Section 5. */
export interface MemorySection {
  readonly kind: 'memory';
  readonly memories: readonly MemoryType[];
}
/** Section 13 (exception handling). */
export interface TagSection {
  readonly kind: 'tag';
  readonly tags: readonly TagType[];
}
/** Section 6. */
export interface GlobalSection {
  readonly kind: 'global';
  readonly globals: readonly Global[];
}
/** Section 7. */
export interface ExportSection {
  readonly kind: 'export';
  readonly exports: readonly Export[];
}
/** Section 8. */
export interface StartSection {
  readonly kind: 'start';
  readonly func: number;
}
/** Section 9. */
export interface ElementSection {
  readonly kind: 'element';
  readonly segments: readonly ElementSegment[];
}
/** Section 12. */
export interface DataCountSection {
  readonly kind: 'datacount';
  readonly count: number;
}
/**
 * Section 10. Each body is the bytes after its size (local declarations, then the
 * expression), a zero-copy view of the input. Bodies are never decoded or re-encoded.
 */
export interface CodeSection {
  readonly kind: 'code';
  readonly bodies: readonly Uint8Array[];
}
/** Section 11. */
export interface DataSection {
  readonly kind: 'data';
  readonly segments: readonly DataSegment[];
}

/** Any section. */
export type Section =
  | CustomSection
  | TypeSection
  | ImportSection
  | FunctionSection
  | TableSection
  | MemorySection
  | TagSection
  | GlobalSection
  | ExportSection
  | StartSection
  | ElementSection
  | DataCountSection
  | CodeSection
  | DataSection;

/** The `kind` of a section. */
export type SectionKind = Section['kind'];

/** The section whose `kind` is `K`. */
export type SectionOf<K extends SectionKind> = Extract<Section, { kind: K }>;

/** A core WebAssembly module: its sections in file order (custom sections where they were). */
export interface WasmModule {
  /** The binary format version (1). */
  version: number;
  /** Sections in file order. Replace, insert or remove entries to edit the module. */
  sections: Section[];
  /** The bytes this module was parsed from (absent for a module built from scratch). */
  readonly source?: Uint8Array | undefined;
}
