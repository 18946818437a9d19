import { ModuleEditError } from './errors.js';
import { SECTION_ORDER } from './section-ids.js';
import type {
  ConstExpr,
  CustomSection,
  DataSegment,
  ElementSegment,
  Export,
  ExternKind,
  FuncType,
  Global,
  GlobalType,
  Import,
  MemoryType,
  Section,
  SectionKind,
  SectionOf,
  Table,
  TableType,
  TypeDef,
  WasmModule,
} from './types.js';
import { structurallyEqual } from './values.js';

/*
 * Editing helpers. They never mutate a section object: they build a new one and put it in
 * `module.sections` in place of the old (so the writer encodes it), or insert it where the spec
 * orders it. Sections they do not touch keep their original bytes.
 */

/** The first section of `kind`, if any. */
export function getSection<K extends SectionKind>(module: WasmModule, kind: K): SectionOf<K> | undefined {
  return module.sections.find((s): s is SectionOf<K> => s.kind === kind);
}

/**
 * Puts `section` in the module: in place of the existing section of its kind, or else just after
 * the last section that must precede it (custom sections that followed that one stay after
 * the new section's successors).
 */
export function setSection(module: WasmModule, section: Exclude<Section, CustomSection>): void {
  const i = module.sections.findIndex((s) => s.kind === section.kind);
  if (i >= 0) {
    module.sections[i] = section;
    return;
  }
  const rank = SECTION_ORDER[section.kind];
  let at = 0;
  module.sections.forEach((s, j) => {
    if (s.kind !== 'custom' && SECTION_ORDER[s.kind] < rank) at = j + 1;
  });
  module.sections.splice(at, 0, section);
}

/** Removes the sections of `kind` (for custom sections see `removeCustomSections`); returns how many. */
export function removeSection(module: WasmModule, kind: Exclude<SectionKind, 'custom'>): number {
  return removeWhere(module, (s) => s.kind === kind);
}

function removeWhere(module: WasmModule, match: (s: Section) => boolean): number {
  let removed = 0;
  for (let i = module.sections.length - 1; i >= 0; i--) {
    if (match(module.sections[i]!)) {
      module.sections.splice(i, 1);
      removed++;
    }
  }
  return removed;
}

/** How many things of one kind are imported and defined; indices `0..imported-1` are the imports. */
export interface IndexSpace {
  imported: number;
  defined: number;
  total: number;
}

/** The index spaces of a module, by kind. */
export type IndexSpaces = Record<ExternKind, IndexSpace>;

/** Counts imported and defined functions, tables, memories, globals and tags. */
export function indexSpaces(module: WasmModule): IndexSpaces {
  const imported: Record<ExternKind, number> = { func: 0, table: 0, memory: 0, global: 0, tag: 0 };
  for (const i of getSection(module, 'import')?.imports ?? []) imported[i.desc.kind]++;
  const defined: Record<ExternKind, number> = {
    func: getSection(module, 'function')?.types.length ?? 0,
    table: getSection(module, 'table')?.tables.length ?? 0,
    memory: getSection(module, 'memory')?.memories.length ?? 0,
    global: getSection(module, 'global')?.globals.length ?? 0,
    tag: getSection(module, 'tag')?.tags.length ?? 0,
  };
  const space = (k: ExternKind): IndexSpace => ({
    imported: imported[k],
    defined: defined[k],
    total: imported[k] + defined[k],
  });
  return {
    func: space('func'),
    table: space('table'),
    memory: space('memory'),
    global: space('global'),
    tag: space('tag'),
  };
}

/** The imports of one kind, in index order (the import's index is its position in the list). */
export function importsOf(module: WasmModule, kind: ExternKind): Import[] {
  return (getSection(module, 'import')?.imports ?? []).filter((i) => i.desc.kind === kind);
}

/** The type definition at `typeIndex`, counting the types a GC recursion group defines. */
export function typeAt(module: WasmModule, typeIndex: number): TypeDef | undefined {
  let index = 0;
  for (const t of getSection(module, 'type')?.types ?? []) {
    const count = t.kind === 'raw' ? t.count : 1;
    if (typeIndex < index + count) return t;
    index += count;
  }
  return undefined;
}

/** The function type of function `funcIndex` (imported or defined), if it is a plain func type. */
export function functionType(module: WasmModule, funcIndex: number): FuncType | undefined {
  const imports = importsOf(module, 'func');
  const imported = imports[funcIndex];
  const typeIndex =
    imported?.desc.kind === 'func'
      ? imported.desc.type
      : getSection(module, 'function')?.types[funcIndex - imports.length];
  if (typeIndex === undefined) return undefined;
  const t = typeAt(module, typeIndex);
  return t?.kind === 'func' ? t : undefined;
}

/** The body of function `funcIndex` (a view of the input), or undefined for an import. */
export function functionBody(module: WasmModule, funcIndex: number): Uint8Array | undefined {
  const imported = importsOf(module, 'func').length;
  return getSection(module, 'code')?.bodies[funcIndex - imported];
}

/** A memory by index: its type, and the import that brings it in when it is imported. */
export function getMemory(
  module: WasmModule,
  index: number,
): { type: MemoryType; import?: Import } | undefined {
  const imports = importsOf(module, 'memory');
  const imp = imports[index];
  if (imp?.desc.kind === 'memory') return { type: imp.desc.type, import: imp };
  const type = getSection(module, 'memory')?.memories[index - imports.length];
  return type && { type };
}

/** A table by index: its type, its init expression when defined with one, its import when imported. */
export function getTable(
  module: WasmModule,
  index: number,
): { type: TableType; init?: ConstExpr; import?: Import } | undefined {
  const imports = importsOf(module, 'table');
  const imp = imports[index];
  if (imp?.desc.kind === 'table') return { type: imp.desc.type, import: imp };
  const t = getSection(module, 'table')?.tables[index - imports.length];
  if (t === undefined) return undefined;
  return t.init === undefined ? { type: t.type } : { type: t.type, init: t.init };
}

/** A global by index: its type, its init expression when defined, its import when imported. */
export function getGlobal(
  module: WasmModule,
  index: number,
): { type: GlobalType; init?: ConstExpr; import?: Import } | undefined {
  const imports = importsOf(module, 'global');
  const imp = imports[index];
  if (imp?.desc.kind === 'global') return { type: imp.desc.type, import: imp };
  const g = getSection(module, 'global')?.globals[index - imports.length];
  return g && { type: g.type, init: g.init };
}

/** A function for `addFunctions`: its type, and its body as in `CodeSection.bodies`. */
export interface NewFunction {
  /**
   * A function type (an identical plain function type of the module is reused, else it is added
   * at the end of the type section), or the index of a type the module already has.
   */
  type: FuncType | number;
  /** Local declarations and the expression with its final `end` (0x0b), without the body size. */
  body: Uint8Array;
}

/**
 * Appends defined functions after the module's own and returns their indices (imports counted).
 * Existing indices do not move. Only the type, function and code sections are re-encoded (the
 * code section as its bodies' bytes, each behind its size).
 */
export function addFunctions(module: WasmModule, functions: readonly NewFunction[]): number[] {
  if (functions.length === 0) return [];
  const types = [...(getSection(module, 'type')?.types ?? [])];
  const typeCount = (list: readonly TypeDef[]) =>
    list.reduce((n, t) => n + (t.kind === 'raw' ? t.count : 1), 0);
  const typeIndices = functions.map(({ type }) => {
    if (typeof type === 'number') {
      const count = typeCount(types);
      if (!Number.isInteger(type) || type < 0 || type >= count) {
        throw new ModuleEditError(
          `cannot add a function of type ${type}: the module defines types 0..${count - 1}; pass a function type to add one`,
        );
      }
      return type;
    }
    let index = 0;
    for (const t of types) {
      if (t.kind === 'func' && structurallyEqual(t, type)) return index;
      index += t.kind === 'raw' ? t.count : 1;
    }
    types.push(type);
    return index;
  });
  if (types.length !== (getSection(module, 'type')?.types.length ?? 0))
    setSection(module, { kind: 'type', types });
  const first = indexSpaces(module).func.total;
  setSection(module, {
    kind: 'function',
    types: [...(getSection(module, 'function')?.types ?? []), ...typeIndices],
  });
  setSection(module, {
    kind: 'code',
    bodies: [...(getSection(module, 'code')?.bodies ?? []), ...functions.map((f) => f.body)],
  });
  return functions.map((_, k) => first + k);
}

/** The module's exports (empty when it has no export section). */
export function getExports(module: WasmModule): readonly Export[] {
  return getSection(module, 'export')?.exports ?? [];
}

/** Replaces all exports (the export section is removed when `exports` is empty). */
export function setExports(module: WasmModule, exports: readonly Export[]): void {
  const seen = new Set<string>();
  for (const e of exports) {
    if (seen.has(e.name))
      throw new ModuleEditError(`two exports are named "${e.name}": export names must be unique`);
    seen.add(e.name);
  }
  if (exports.length === 0) removeSection(module, 'export');
  else setSection(module, { kind: 'export', exports: [...exports] });
}

/** Adds an export; throws `ModuleEditError` if the name is taken. */
export function addExport(module: WasmModule, exp: Export): void {
  if (getExports(module).some((e) => e.name === exp.name)) {
    throw new ModuleEditError(`the module already exports "${exp.name}": remove or rename that export first`);
  }
  setExports(module, [...getExports(module), exp]);
}

/** Removes the export named `name`; returns whether there was one. */
export function removeExport(module: WasmModule, name: string): boolean {
  const exports = getExports(module);
  const kept = exports.filter((e) => e.name !== name);
  if (kept.length === exports.length) return false;
  setExports(module, kept);
  return true;
}

/** Renames an export, keeping its position; throws `ModuleEditError` if `from` is missing or `to` is taken. */
export function renameExport(module: WasmModule, from: string, to: string): void {
  const exports = getExports(module);
  if (!exports.some((e) => e.name === from)) {
    throw new ModuleEditError(`cannot rename export "${from}": the module has no export of that name`);
  }
  if (from === to) return;
  if (exports.some((e) => e.name === to)) {
    throw new ModuleEditError(`cannot rename export "${from}" to "${to}": "${to}" is already exported`);
  }
  setExports(
    module,
    exports.map((e) => (e.name === from ? { ...e, name: to } : e)),
  );
}

/** The data segments (empty when there is no data section). */
export function getDataSegments(module: WasmModule): readonly DataSegment[] {
  return getSection(module, 'data')?.segments ?? [];
}

/**
 * Replaces all data segments. A data count section, when present, is updated to match; pass
 * `{ dataCount: true }` to add one (needed when code uses `memory.init` or `data.drop`).
 */
export function setDataSegments(
  module: WasmModule,
  segments: readonly DataSegment[],
  options: { dataCount?: boolean } = {},
): void {
  if (segments.length === 0) removeSection(module, 'data');
  else setSection(module, { kind: 'data', segments: [...segments] });
  const dataCount = getSection(module, 'datacount');
  if (options.dataCount === false) removeSection(module, 'datacount');
  else if (dataCount !== undefined || options.dataCount) {
    if (dataCount?.count !== segments.length)
      setSection(module, { kind: 'datacount', count: segments.length });
  }
}

/** Adds element segments after the existing ones. */
export function addElementSegments(module: WasmModule, segments: readonly ElementSegment[]): void {
  if (segments.length === 0) return;
  const existing = getSection(module, 'element')?.segments ?? [];
  setSection(module, { kind: 'element', segments: [...existing, ...segments] });
}

/**
 * Changes the limits of memory `index` (imported or defined). `max` is kept unless the key is
 * given; `{ max: undefined }` removes the maximum.
 */
export function setMemoryLimits(
  module: WasmModule,
  index: number,
  limits: { min?: number; max?: number | undefined },
): void {
  const update = (t: MemoryType): MemoryType => {
    const next = {
      ...t,
      min: limits.min ?? t.min,
      max: 'max' in limits ? limits.max : t.max,
    };
    if (next.max !== undefined && next.max < next.min) {
      throw new ModuleEditError(
        `memory ${index}: minimum ${next.min} pages is above the maximum ${next.max}`,
      );
    }
    return next;
  };
  const imports = importsOf(module, 'memory');
  const imp = imports[index];
  if (imp?.desc.kind === 'memory') {
    replaceImport(module, imp, { ...imp, desc: { kind: 'memory', type: update(imp.desc.type) } });
    return;
  }
  const memories = getSection(module, 'memory')?.memories ?? [];
  const local = index - imports.length;
  const old = memories[local];
  if (old === undefined) throw new ModuleEditError(`the module has no memory ${index}`);
  setSection(module, { kind: 'memory', memories: memories.map((m, i) => (i === local ? update(m) : m)) });
}

/** Sets the init expression of defined global `index` (e.g. to `i32Const(n)`). */
export function setGlobalInit(module: WasmModule, index: number, init: ConstExpr): void {
  const imported = importsOf(module, 'global').length;
  const globals = getSection(module, 'global')?.globals ?? [];
  const local = index - imported;
  if (index < imported) {
    throw new ModuleEditError(`global ${index} is imported: only a defined global has an init expression`);
  }
  if (globals[local] === undefined) throw new ModuleEditError(`the module has no global ${index}`);
  setSection(module, {
    kind: 'global',
    globals: globals.map((g, i) => (i === local ? { type: g.type, init } : g)),
  });
}

/** Removes the start section; returns the start function index it had, if any. */
export function removeStart(module: WasmModule): number | undefined {
  const start = getSection(module, 'start');
  removeSection(module, 'start');
  return start?.func;
}

/** The kinds `defineToImport` and `importToDefinition` move. */
export type MovableKind = 'memory' | 'global' | 'table';

/**
 * Turns defined memory, global or table `index` into an import of `moduleName`.`name`, keeping
 * every index unchanged. That is only possible for the first definition of its kind (index =
 * the number of imports of that kind): call it repeatedly to move several, in order. Exports of
 * the thing stay (a module may re-export an import). For a global, its init expression is
 * dropped; for a memory, active data segments still initialize the imported memory.
 */
export function defineToImport(
  module: WasmModule,
  kind: MovableKind,
  index: number,
  moduleName: string,
  name: string,
): void {
  const space = indexSpaces(module)[kind];
  if (index < space.imported || index >= space.total) {
    throw new ModuleEditError(
      `${kind} ${index} is not a defined ${kind} (the module defines ${kind}s ${space.imported}..${space.total - 1})`,
    );
  }
  if (index !== space.imported) {
    throw new ModuleEditError(
      `${kind} ${index} cannot become an import without renumbering ${kind}s ${space.imported}..${index - 1}: move those first, in order`,
    );
  }
  let imp: Import;
  if (kind === 'memory') {
    const memories = getSection(module, 'memory')!.memories;
    imp = { module: moduleName, name, desc: { kind, type: memories[0]! } };
    if (memories.length === 1) removeSection(module, 'memory');
    else setSection(module, { kind: 'memory', memories: memories.slice(1) });
  } else if (kind === 'global') {
    const globals = getSection(module, 'global')!.globals;
    imp = { module: moduleName, name, desc: { kind, type: globals[0]!.type } };
    if (globals.length === 1) removeSection(module, 'global');
    else setSection(module, { kind: 'global', globals: globals.slice(1) });
  } else {
    const tables = getSection(module, 'table')!.tables;
    if (tables[0]!.init !== undefined) {
      throw new ModuleEditError(`table ${index} has an init expression, which an imported table cannot have`);
    }
    imp = { module: moduleName, name, desc: { kind, type: tables[0]!.type } };
    if (tables.length === 1) removeSection(module, 'table');
    else setSection(module, { kind: 'table', tables: tables.slice(1) });
  }
  const imports = getSection(module, 'import')?.imports ?? [];
  setSection(module, { kind: 'import', imports: [...imports, imp] });
}

/**
 * Turns imported memory, global or table `index` into a definition, keeping every index
 * unchanged: only the last import of its kind can move. A global needs its `init` expression;
 * a table may take one.
 */
export function importToDefinition(
  module: WasmModule,
  kind: MovableKind,
  index: number,
  init?: ConstExpr,
): void {
  const imports = importsOf(module, kind);
  const imp = imports[index];
  if (imp === undefined)
    throw new ModuleEditError(
      `${kind} ${index} is not imported (the module imports ${imports.length} ${kind}s)`,
    );
  if (index !== imports.length - 1) {
    throw new ModuleEditError(
      `${kind} ${index} cannot become a definition without renumbering: only the last imported ${kind} (${imports.length - 1}) can; move the later ones first`,
    );
  }
  const allImports = getSection(module, 'import')!.imports;
  const rest = allImports.filter((i) => i !== imp);
  if (rest.length === 0) removeSection(module, 'import');
  else setSection(module, { kind: 'import', imports: rest });
  const desc = imp.desc;
  if (desc.kind === 'memory') {
    setSection(module, {
      kind: 'memory',
      memories: [desc.type, ...(getSection(module, 'memory')?.memories ?? [])],
    });
  } else if (desc.kind === 'global') {
    if (init === undefined)
      throw new ModuleEditError(`global ${index} needs an init expression to become a definition`);
    const g: Global = { type: desc.type, init };
    setSection(module, { kind: 'global', globals: [g, ...(getSection(module, 'global')?.globals ?? [])] });
  } else if (desc.kind === 'table') {
    const t: Table = init === undefined ? { type: desc.type as TableType } : { type: desc.type, init };
    setSection(module, { kind: 'table', tables: [t, ...(getSection(module, 'table')?.tables ?? [])] });
  }
}

function replaceImport(module: WasmModule, old: Import, next: Import): void {
  const imports = getSection(module, 'import')!.imports;
  setSection(module, { kind: 'import', imports: imports.map((i) => (i === old ? next : i)) });
}

/** The custom sections, optionally only those named `name`. */
export function getCustomSections(module: WasmModule, name?: string): CustomSection[] {
  return module.sections.filter(
    (s): s is CustomSection => s.kind === 'custom' && (name === undefined || s.name === name),
  );
}

/**
 * Adds a custom section: at the end (default), at the very start, or just after the section of
 * kind `after` (after any custom sections that already follow it).
 */
export function addCustomSection(
  module: WasmModule,
  name: string,
  data: Uint8Array,
  where: 'start' | 'end' | { after: Exclude<SectionKind, 'custom'> } = 'end',
): void {
  const section: CustomSection = { kind: 'custom', name, data };
  if (where === 'end') {
    module.sections.push(section);
  } else if (where === 'start') {
    module.sections.unshift(section);
  } else {
    let at = module.sections.findIndex((s) => s.kind === where.after);
    if (at < 0)
      throw new ModuleEditError(
        `cannot add custom section "${name}" after the ${where.after} section: the module has none`,
      );
    while (module.sections[at + 1]?.kind === 'custom') at++;
    module.sections.splice(at + 1, 0, section);
  }
}

/** Removes the custom sections named `name` (or matching `name` when it is a predicate); returns how many. */
export function removeCustomSections(
  module: WasmModule,
  name: string | ((section: CustomSection) => boolean),
): number {
  const match = typeof name === 'string' ? (s: CustomSection) => s.name === name : name;
  return removeWhere(module, (s) => s.kind === 'custom' && match(s));
}
