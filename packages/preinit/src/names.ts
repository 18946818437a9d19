import { readU32, type WasmModule } from '@wasm-runtime/wasm';

/** Name subsection ids whose indices a rewrite can invalidate. */
export const ELEMENT_NAMES = 8;
export const DATA_NAMES = 9;

/**
 * Drops the given subsections from the `name` custom section (e.g. data segment names once the
 * data segments are replaced: the old names would label snapshot chunks). Function, local, global
 * and other names stay. A name section that cannot be read is left as it is: it is metadata.
 */
export function dropNameSubsections(module: WasmModule, ids: ReadonlySet<number>): void {
  const at = module.sections.findIndex((s) => s.kind === 'custom' && s.name === 'name');
  const section = module.sections[at];
  if (section?.kind !== 'custom') return;
  const data = section.data;
  const kept: Uint8Array[] = [];
  let pos = 0;
  let dropped = false;
  try {
    while (pos < data.length) {
      const id = data[pos]!;
      const size = readU32(data, pos + 1);
      const end = size.next + size.value;
      if (end > data.length) return;
      if (ids.has(id)) dropped = true;
      else kept.push(data.subarray(pos, end));
      pos = end;
    }
  } catch {
    return;
  }
  if (!dropped) return;
  const bytes = new Uint8Array(kept.reduce((n, k) => n + k.length, 0));
  let o = 0;
  for (const k of kept) {
    bytes.set(k, o);
    o += k.length;
  }
  module.sections[at] = { kind: 'custom', name: 'name', data: bytes };
}
