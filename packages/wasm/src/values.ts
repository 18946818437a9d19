import type { ValType } from './types.js';

/**
 * A value type in the text format: `i32`, `funcref`, `(ref null func)`, `(ref 3)` (a type index).
 * Two value types are the same type exactly when their texts are equal.
 */
export function valTypeText(type: ValType): string {
  if (typeof type === 'string') return type;
  return `(ref ${type.nullable ? 'null ' : ''}${type.ref})`;
}

/**
 * Structural equality of values of the module model (sections, types, segments, constant
 * expressions): arrays and objects compared member by member, byte arrays by content, and a key
 * whose value is undefined counts as absent (`{ max: undefined }` equals `{}`). Encoding details
 * the model keeps (such as `ElementSegment.encoding`) take part; the original bytes of a parsed
 * section do not.
 */
export function structurallyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => structurallyEqual(ra[k], rb[k]));
}
