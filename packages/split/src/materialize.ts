import { constExprValue, type Global, parseModule, type Section } from '@wasm-runtime/wasm';

const STATE_SECTIONS = new Set<Section['kind']>([
  'memory',
  'global',
  'export',
  'datacount',
  'data',
  'custom',
]);

/**
 * Builds an app module's exports with the JS API, exactly as instantiating it would: memories of
 * the declared size with the active data segments copied in order, globals with their values.
 * Returns undefined when the module is anything the JS API cannot reproduce, so the caller
 * compiles and instantiates it instead (which also reports malformed input the usual way).
 */
export function materializeApp(
  bytes: Uint8Array,
):
  | { instance: null; exports: WebAssembly.Exports; shape: readonly WebAssembly.ModuleExportDescriptor[] }
  | undefined {
  let module: ReturnType<typeof parseModule>;
  try {
    module = parseModule(bytes);
  } catch {
    return undefined;
  }
  const memories: WebAssembly.Memory[] = [];
  const globals: WebAssembly.Global[] = [];
  const exports: Record<string, WebAssembly.Memory | WebAssembly.Global> = {};
  const shape: WebAssembly.ModuleExportDescriptor[] = [];
  const seen = new Set<Section['kind']>();
  for (const s of module.sections) {
    if (!STATE_SECTIONS.has(s.kind) || (s.kind !== 'custom' && seen.has(s.kind))) return undefined;
    seen.add(s.kind);
  }
  for (const s of module.sections) {
    if (s.kind === 'memory') {
      for (const m of s.memories) {
        if (m.memory64 || (m.pageSizeLog2 !== undefined && m.pageSizeLog2 !== 16)) return undefined;
        if (m.shared && m.max === undefined) return undefined;
        const descriptor: WebAssembly.MemoryDescriptor = { initial: m.min };
        if (m.max !== undefined) descriptor.maximum = m.max;
        if (m.shared) (descriptor as { shared?: boolean }).shared = true;
        memories.push(new WebAssembly.Memory(descriptor));
      }
    } else if (s.kind === 'global') {
      for (const g of s.globals) {
        const global = makeGlobal(g);
        if (global === undefined) return undefined;
        globals.push(global);
      }
    } else if (s.kind === 'data') {
      // Check every segment first: instantiation applies none of them if one is out of bounds.
      const plans: { memory: WebAssembly.Memory; at: number; data: Uint8Array }[] = [];
      for (const seg of s.segments) {
        const memory = memories[seg.memory];
        if (seg.mode !== 'active' || seg.offset === undefined || memory === undefined) return undefined;
        const instr = constExprValue(seg.offset);
        if (instr?.op !== 'i32.const') return undefined;
        const at = instr.value >>> 0;
        if (at + seg.data.length > memory.buffer.byteLength) return undefined;
        plans.push({ memory, at, data: seg.data });
      }
      for (const { memory, at, data } of plans) new Uint8Array(memory.buffer, at, data.length).set(data);
    } else if (s.kind === 'export') {
      for (const e of s.exports) {
        const value =
          e.kind === 'memory' ? memories[e.index] : e.kind === 'global' ? globals[e.index] : undefined;
        if (value === undefined) return undefined;
        exports[e.name] = value;
        shape.push({ name: e.name, kind: e.kind === 'memory' ? 'memory' : 'global' });
      }
    }
  }
  return { instance: null, exports, shape };
}

const scratch = new DataView(new ArrayBuffer(8));

function makeGlobal(g: Global): WebAssembly.Global | undefined {
  const instr = constExprValue(g.init);
  if (instr === undefined) return undefined;
  const descriptor = (value: WebAssembly.ValueType): WebAssembly.GlobalDescriptor => ({
    value,
    mutable: g.type.mutable,
  });
  if (g.type.valType === 'i32' && instr.op === 'i32.const')
    return new WebAssembly.Global(descriptor('i32'), instr.value);
  if (g.type.valType === 'i64' && instr.op === 'i64.const')
    return new WebAssembly.Global(descriptor('i64'), instr.value);
  if (g.type.valType === 'f32' && instr.op === 'f32.const') {
    scratch.setUint32(0, instr.bits);
    const value = scratch.getFloat32(0);
    // A NaN's payload would not survive the trip through a JS number.
    return Number.isNaN(value) ? undefined : new WebAssembly.Global(descriptor('f32'), value);
  }
  if (g.type.valType === 'f64' && instr.op === 'f64.const') {
    scratch.setBigUint64(0, instr.bits);
    const value = scratch.getFloat64(0);
    return Number.isNaN(value) ? undefined : new WebAssembly.Global(descriptor('f64'), value);
  }
  return undefined;
}
