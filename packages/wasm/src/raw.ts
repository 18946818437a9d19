import type { Section } from './types.js';

/** The original bytes (id, size and payload) of every section object `parseModule` returned. */
const original = new WeakMap<Section, Uint8Array>();

/** @internal */
export function rememberSection(section: Section, bytes: Uint8Array): void {
  original.set(section, bytes);
}

/**
 * The bytes a section was parsed from (section id, size and payload), or undefined for a section
 * object built by the caller. `writeModule` copies these bytes verbatim.
 */
export function originalSectionBytes(section: Section): Uint8Array | undefined {
  return original.get(section);
}
