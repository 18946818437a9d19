import { i32Const, type Section, writeModule } from '@wasm-runtime/wasm';
import { describe, expect, it } from 'vitest';
import { inspectModule } from './inspect.js';

/** A module laid out as wasm-ld lays out C: static data at 1024, the stack's top at 70000, heap above. */
function module(segments: Array<[offset: number, bytes: number[]]>, body = [0x00, 0x0b]): Uint8Array {
  const sections: Section[] = [
    { kind: 'type', types: [{ kind: 'func', params: [], results: [] }] },
    { kind: 'function', types: [0] },
    { kind: 'memory', memories: [{ min: 2, shared: false, memory64: false }] },
    { kind: 'global', globals: [{ type: { valType: 'i32', mutable: true }, init: i32Const(70000) }] },
    {
      kind: 'export',
      exports: [
        { name: 'memory', kind: 'memory', index: 0 },
        { name: '__stack_pointer', kind: 'global', index: 0 },
      ],
    },
    { kind: 'code', bodies: [Uint8Array.from(body)] },
    {
      kind: 'data',
      segments: segments.map(([offset, bytes]) => ({
        mode: 'active' as const,
        memory: 0,
        offset: i32Const(offset),
        data: Uint8Array.from(bytes),
      })),
    },
  ];
  return writeModule({ version: 1, sections });
}

describe('inspectModule', () => {
  it('calls data above the stack top a captured heap, and data below it inconclusive', () => {
    const snapshot = inspectModule(
      module([
        [1024, [1, 2, 3]],
        [80000, [0, 9, 9, 0]],
      ]),
    );
    expect(snapshot.snapshot).toMatchObject({ verdict: 'snapshot', dataEnd: 80004 });
    expect(snapshot.data).toEqual({ segments: 2, active: 2, passive: 0, bytes: 7, nonZeroBytes: 5 });
    expect(snapshot.globals[0]).toMatchObject({ name: '__stack_pointer', value: '70000', mutable: true });
    expect(inspectModule(module([[1024, [1, 2, 3]]])).snapshot.verdict).toBe('unknown');
    // --stack-first: the data starts above the stack, so being above it proves nothing.
    expect(inspectModule(module([[70016, [1]]])).snapshot.verdict).toBe('unknown');
  });

  it('reports sections with sizes that add up to the module', () => {
    const bytes = module([[1024, [1]]]);
    const report = inspectModule(bytes);
    expect(report.sections.map((s) => s.name)).toEqual([
      'type',
      'function',
      'memory',
      'global',
      'export',
      'code',
      'data',
    ]);
    expect(report.sections.reduce((n, s) => n + s.size, 8)).toBe(bytes.length);
    expect(report.memories).toEqual([
      { index: 0, imported: false, min: 2, max: null, shared: false, memory64: false },
    ]);
  });

  it('reports what V8 says of a module it rejects, and what could be read of it', () => {
    expect(inspectModule(module([[1024, [1]]])).validation).toEqual({ valid: true, error: null });
    // i32.add on an empty stack: well-formed bytes, invalid code.
    const report = inspectModule(module([[1024, [1]]], [0x00, 0x6a, 0x0b]));
    expect(report.validation.valid).toBe(false);
    expect(report.validation.error).toMatch(/Compiling function #0 failed/);
    expect(report.memories).toHaveLength(1);
    expect(report.exports.map((e) => e.name)).toEqual(['memory', '__stack_pointer']);
  });
});

describe('inspectModule: types of imports and exports', () => {
  it('resolves function and tag types through the type index space, GC types left undecoded', () => {
    const sections: Section[] = [
      {
        kind: 'type',
        types: [
          // (type (struct)): a GC type the report does not decode, one index.
          { kind: 'raw', bytes: Uint8Array.of(0x5f, 0x00), count: 1 },
          { kind: 'func', params: ['i32', 'f64'], results: [] },
        ],
      },
      {
        kind: 'import',
        imports: [
          { module: 'env', name: 'fail', desc: { kind: 'tag', type: { attribute: 0, type: 1 } } },
          { module: 'env', name: 'odd', desc: { kind: 'func', type: 0 } },
        ],
      },
      { kind: 'function', types: [1] },
      {
        kind: 'export',
        exports: [
          { name: 'f', kind: 'func', index: 1 },
          { name: 'fail', kind: 'tag', index: 0 },
          { name: 'ghost', kind: 'global', index: 3 },
        ],
      },
      { kind: 'code', bodies: [Uint8Array.of(0x00, 0x0b)] },
    ];
    const report = inspectModule(writeModule({ version: 1, sections }));
    expect(report.imports).toEqual([
      {
        module: 'env',
        name: 'fail',
        kind: 'tag',
        type: { typeIndex: 1, params: ['i32', 'f64'], results: [] },
      },
      { module: 'env', name: 'odd', kind: 'func', type: { typeIndex: 0, params: null, results: null } },
    ]);
    expect(report.exports).toEqual([
      { name: 'f', kind: 'func', index: 1, type: { typeIndex: 1, params: ['i32', 'f64'], results: [] } },
      { name: 'fail', kind: 'tag', index: 0, type: report.imports[0]!.type },
      { name: 'ghost', kind: 'global', index: 3, type: null },
    ]);
  });
});
