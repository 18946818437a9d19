import { Cursor } from './cursor.js';
import { addCustomSection, functionBody, getCustomSections } from './edit.js';
import { MalformedModuleError } from './errors.js';
import type { CustomSection, WasmModule } from './types.js';
import { structurallyEqual } from './values.js';
import { ByteWriter } from './write.js';

/** What the `name` custom section says (the subsections this reader understands). */
export interface NameSection {
  module?: string | undefined;
  functions: Map<number, string>;
  types: Map<number, string>;
  tables: Map<number, string>;
  memories: Map<number, string>;
  globals: Map<number, string>;
  elements: Map<number, string>;
  data: Map<number, string>;
  tags: Map<number, string>;
}

const cache = new WeakMap<CustomSection, NameSection>();
const NAME_MAPS: Record<number, Exclude<keyof NameSection, 'module'>> = {
  1: 'functions',
  4: 'types',
  5: 'tables',
  6: 'memories',
  7: 'globals',
  8: 'elements',
  9: 'data',
  11: 'tags',
};

/**
 * Decodes the `name` custom section (module, function, type, table, memory, global, element,
 * data and tag names; local, label and field names are skipped). Returns undefined when the
 * module has none.
 * @throws MalformedModuleError when the section is malformed.
 */
export function readNames(module: WasmModule): NameSection | undefined {
  const section = getCustomSections(module, 'name')[0];
  if (section === undefined) return undefined;
  const cached = cache.get(section);
  if (cached) return cached;
  const names: NameSection = {
    functions: new Map(),
    types: new Map(),
    tables: new Map(),
    memories: new Map(),
    globals: new Map(),
    elements: new Map(),
    data: new Map(),
    tags: new Map(),
  };
  walkNameSubsections(module, section, (c, id) => {
    const map = NAME_MAPS[id];
    if (id === 0) names.module = c.name();
    else if (map !== undefined) {
      const target = names[map];
      const n = c.count(2);
      for (let i = 0; i < n; i++) {
        const index = c.u32();
        target.set(index, c.name());
      }
    }
  });
  cache.set(section, names);
  return names;
}

/**
 * The name of function `index` from the name section, if it has one. Meant for messages: a
 * malformed name section gives undefined here (`readNames` reports it).
 */
export function functionName(module: WasmModule, index: number): string | undefined {
  try {
    return readNames(module)?.functions.get(index);
  } catch (error) {
    if (error instanceof MalformedModuleError) return undefined;
    throw error;
  }
}

/**
 * Absolute offset in `module.source` of the body of function `funcIndex` (imports counted),
 * to pass as the `base` of an `InstructionReader`. Undefined for imports and for bodies that
 * are not views of the parsed input.
 */
export function functionBodyOffset(module: WasmModule, funcIndex: number): number | undefined {
  const body = functionBody(module, funcIndex);
  return body === undefined ? undefined : offsetIn(module, body);
}

/**
 * Where `view` starts in `module.source` (an absolute module offset, as in error messages), when
 * it is a view of the parsed input that lies within it: a function body, a data segment's bytes,
 * a custom section's contents, a constant expression. Undefined for bytes built or copied since.
 */
export function offsetIn(module: WasmModule, view: Uint8Array): number | undefined {
  const source = module.source;
  if (source === undefined || view.buffer !== source.buffer) return undefined;
  const offset = view.byteOffset - source.byteOffset;
  return offset >= 0 && offset + view.length <= source.length ? offset : undefined;
}

/** The name maps `setNames` writes, by the key `readNames` gives them. */
export type NameMapKind = Exclude<keyof NameSection, 'module'>;

/**
 * What `setNames` changes: the module name (undefined removes it) and whole name maps (an empty
 * map removes the subsection). Keys left out are not touched.
 */
export type NamesUpdate = { module?: string | undefined } & {
  [K in NameMapKind]?: ReadonlyMap<number, string>;
};

const NAME_IDS = Object.fromEntries(
  Object.entries(NAME_MAPS).map(([id, kind]) => [kind, Number(id)]),
) as Record<NameMapKind, number>;

/**
 * Writes names into the `name` custom section: each key of `update` replaces that subsection
 * (module name, function names, data segment names, ...) or removes it (`data: new Map()`, or
 * `module: undefined`). Every other subsection, local, label and field names included, keeps its
 * bytes; a new subsection goes where its id orders it. The section stays where it is (possibly
 * empty), is added at the end when the module has none and there is something to write, and is
 * left as the same object, so written byte for byte, when nothing changes.
 * @throws MalformedModuleError when the existing section is malformed.
 */
export function setNames(module: WasmModule, update: NamesUpdate): void {
  const replacements = new Map<number, Uint8Array | undefined>();
  if ('module' in update) {
    const w = new ByteWriter();
    if (update.module !== undefined) w.name(update.module);
    replacements.set(0, update.module === undefined ? undefined : w.finish());
  }
  for (const [kind, id] of Object.entries(NAME_IDS) as [NameMapKind, number][]) {
    const map = update[kind];
    if (map === undefined) continue;
    if (map.size === 0) {
      replacements.set(id, undefined);
      continue;
    }
    const w = new ByteWriter();
    const entries = [...map].sort(([a], [b]) => a - b);
    w.vec(entries, ([index, name]) => {
      w.u32(index);
      w.name(name);
    });
    replacements.set(id, w.finish());
  }
  const at = module.sections.findIndex((s) => s.kind === 'custom' && s.name === 'name');
  const section = module.sections[at] as CustomSection | undefined;
  // Kept subsections as their whole bytes; replaced ones (content only) where their id first was.
  const subsections: { id: number; whole?: Uint8Array; content?: Uint8Array | undefined }[] = [];
  if (section !== undefined) {
    walkNameSubsections(module, section, (_, id, whole) => {
      if (!replacements.has(id)) subsections.push({ id, whole });
      else if (!subsections.some((s) => s.id === id)) subsections.push({ id, content: replacements.get(id) });
    });
  }
  for (const [id, content] of replacements) {
    if (content === undefined || subsections.some((s) => s.id === id)) continue;
    const next = subsections.findIndex((s) => s.id > id);
    subsections.splice(next < 0 ? subsections.length : next, 0, { id, content });
  }
  const w = new ByteWriter();
  for (const sub of subsections) {
    if (sub.whole !== undefined) w.bytes(sub.whole);
    else if (sub.content !== undefined) {
      w.byte(sub.id);
      w.u32(sub.content.length);
      w.bytes(sub.content);
    }
  }
  const data = w.finish();
  if (section === undefined) {
    if (data.length > 0) addCustomSection(module, 'name', data);
  } else if (!structurallyEqual(data, section.data)) {
    module.sections[at] = { kind: 'custom', name: 'name', data };
  }
}

/**
 * Calls `visit` for each subsection of a name section with a cursor on its content (bounded by
 * it). Reads in place in the module's bytes when possible, so errors carry module offsets.
 */
function walkNameSubsections(
  module: WasmModule,
  section: CustomSection,
  visit: (c: Cursor, id: number, whole: Uint8Array) => void,
): void {
  const base = offsetIn(module, section.data);
  const bytes = base === undefined ? section.data : module.source!;
  const start = base ?? 0;
  const stop = start + section.data.length;
  const c: Cursor = new Cursor(bytes, start, stop, 'custom "name"');
  while (c.pos < stop) {
    const from = c.pos;
    const id = c.u8();
    const size = c.u32();
    const end = c.pos + size;
    if (end > stop) c.fail(`name subsection ${id} runs past the end of the section`);
    c.end = end;
    visit(c, id, bytes.subarray(from, end));
    c.pos = end;
    c.end = stop;
  }
}
