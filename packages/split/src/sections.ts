import type { Section, SectionKind, SectionOf, ValType, WasmModule } from '@wasm-runtime/wasm';

/**
 * Section helpers local to split: the order sections must appear in, and insertion at the
 * right place among existing (and custom) sections.
 */

const RANK: Record<Exclude<SectionKind, 'custom'>, number> = {
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  tag: 5.5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  datacount: 9.5,
  code: 10,
  data: 11,
};

/** The first section of `kind` in `module`, if any. */
export function findSection<K extends SectionKind>(module: WasmModule, kind: K): SectionOf<K> | undefined {
  return module.sections.find((s): s is SectionOf<K> => s.kind === kind);
}

/**
 * Inserts `section` just after the last non-custom section that must precede it, so custom
 * sections that followed that section keep following the new one's successors, not it.
 */
export function insertSection(sections: Section[], section: Exclude<Section, { kind: 'custom' }>): void {
  const rank = RANK[section.kind];
  let at = 0;
  for (let i = 0; i < sections.length; i++) {
    const s = sections[i]!;
    if (s.kind !== 'custom' && RANK[s.kind] < rank) at = i + 1;
  }
  sections.splice(at, 0, section);
}

/** A value type as text, for manifests and messages. */
export function valTypeText(t: ValType): string {
  if (typeof t === 'string') return t;
  return `(ref ${t.nullable ? 'null ' : ''}${t.ref})`;
}

/** Structural equality of parsed values (sections, types, byte views). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
