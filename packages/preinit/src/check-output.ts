import type { Section, WasmModule } from '@wasm-runtime/wasm';
import { InvalidOutputError } from './errors.js';
import { encodeModuleParts, joinParts } from './write.js';

const EMPTY = new Uint8Array(0);

/**
 * Throws `InvalidOutputError` with V8's reason unless V8 accepts the output module. `bytes` are
 * the output when they were joined already; otherwise a copy of `module` whose data segments are
 * empty is checked: whether a module validates never depends on its segments' contents, and a
 * snapshot's contents are most of its bytes.
 */
export function checkOutput(module: WasmModule, bytes: Uint8Array | undefined, inputName: string): void {
  const checked = bytes ?? joinParts(encodeModuleParts(withoutSegmentContents(module)));
  if (WebAssembly.validate(checked as Uint8Array<ArrayBuffer>)) return;
  let reason = 'WebAssembly.validate rejected it';
  try {
    new WebAssembly.Module(checked as Uint8Array<ArrayBuffer>);
  } catch (err) {
    reason = err instanceof Error ? err.message : String(err);
  }
  throw new InvalidOutputError(inputName, reason);
}

function withoutSegmentContents(module: WasmModule): WasmModule {
  const sections = module.sections.map(
    (s): Section =>
      s.kind === 'data' ? { kind: 'data', segments: s.segments.map((seg) => ({ ...seg, data: EMPTY })) } : s,
  );
  return { version: module.version, sections };
}
