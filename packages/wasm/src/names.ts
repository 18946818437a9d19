import { Cursor } from './cursor.js';
import { functionBody, getCustomSections } from './edit.js';
import { MalformedModuleError } from './errors.js';
import type { CustomSection, WasmModule } from './types.js';

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
  // Read in place in the module's bytes when possible, so errors carry module offsets.
  const base = offsetIn(module, section.data);
  const bytes = base === undefined ? section.data : module.source!;
  const start = base ?? 0;
  const stop = start + section.data.length;
  const c: Cursor = new Cursor(bytes, start, stop, 'custom "name"');
  while (c.pos < stop) {
    const id = c.u8();
    const size = c.u32();
    const end = c.pos + size;
    if (end > stop) c.fail(`name subsection ${id} runs past the end of the section`);
    c.end = end;
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
    c.pos = end;
    c.end = stop;
  }
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

/** Where `view` starts in `module.source`, when it is a view of it. @internal */
export function offsetIn(module: WasmModule, view: Uint8Array): number | undefined {
  const source = module.source;
  if (source === undefined || view.buffer !== source.buffer) return undefined;
  const offset = view.byteOffset - source.byteOffset;
  return offset >= 0 && offset <= source.length ? offset : undefined;
}
