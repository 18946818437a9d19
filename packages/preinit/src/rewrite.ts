import {
  type DataSegment,
  type ElementSegment,
  getDataSegments,
  getExports,
  getSection,
  i32Const,
  i64Const,
  indexSpaces,
  MalformedModuleError,
  removeStart,
  setDataSegments,
  setExports,
  setNames,
  setSection,
  type Table,
  type WasmModule,
} from '@wasm-runtime/wasm';
import type { Analysis } from './analyze.js';
import { UnsupportedConstructError } from './errors.js';
import type { PreinitOptions } from './preinit.js';
import type { MemoryReport, TableReport } from './report.js';
import { DEFAULT_MAX_DATA_SEGMENTS, planMemory } from './segments.js';
import type { Dropped, Snapshot } from './snapshot.js';
import { OffsetExprs } from './write.js';

/** Rewrites `module` in place to start in the snapshot's state. */
export function rewrite(
  module: WasmModule,
  analysis: Analysis,
  snap: Snapshot,
  dropped: Dropped,
  options: PreinitOptions,
  initFunc: string | undefined,
): { memories: MemoryReport[]; tables: TableReport[]; dataSegments: number } {
  const spaces = indexSpaces(module);

  // Memories: new minimum = size after init; data = the non-zero bytes.
  const memSec = getSection(module, 'memory');
  const memReports: MemoryReport[] = [];
  const snapshotSegments: DataSegment[] = [];
  const offsets = new OffsetExprs();
  if (memSec !== undefined) {
    const memoryCount = memSec.memories.length;
    const budget = Math.max(
      1,
      Math.floor((options.maxDataSegments ?? DEFAULT_MAX_DATA_SEGMENTS) / Math.max(1, memoryCount)),
    );
    setSection(module, {
      kind: 'memory',
      memories: memSec.memories.map((m, local) => {
        const index = spaces.memory.imported + local;
        const data = snap.memories.get(index)!;
        const pageSize = 2 ** (m.pageSizeLog2 ?? 16);
        const pages = data.length / pageSize;
        const { segments: plan, nonZeroBytes: nonZero } = planMemory(data, {
          memoryIndex: index,
          memory64: m.memory64,
          maxSegments: budget,
        });
        let segmentBytes = 0;
        for (const seg of plan) {
          segmentBytes += seg.bytes.length;
          snapshotSegments.push({
            mode: 'active',
            memory: index,
            offset: offsets.make(seg.offset, m.memory64),
            data: seg.bytes,
          });
        }
        memReports.push({ index, pages, nonZeroBytes: nonZero, segmentBytes, segments: plan.length });
        return { ...m, min: pages };
      }),
    });
  }
  // Data indices stay stable when code refers to them (memory.init, data.drop): a dropped active
  // segment and an empty passive one behave the same, so old active segments become empty passive
  // ones, and the snapshot's segments come after them.
  const old = getDataSegments(module);
  const indexed = analysis.usesMemoryInit || analysis.usesDataDrop;
  // A passive segment init dropped becomes an empty one too: memory.init traps the same way. Without
  // memory.init no code can read a passive segment's bytes, so every one becomes empty.
  const empty: DataSegment = { mode: 'passive', memory: 0, data: new Uint8Array(0) };
  const kept: DataSegment[] = indexed
    ? old.map((s, i) => (analysis.usesMemoryInit && s.mode === 'passive' && !dropped.data.has(i) ? s : empty))
    : [];
  setDataSegments(module, [...kept, ...snapshotSegments], indexed ? { dataCount: true } : {});

  // Globals: constant initializers for the defined mutable ones.
  const globalSec = getSection(module, 'global');
  if (globalSec !== undefined && snap.globals.size > 0) {
    setSection(module, {
      kind: 'global',
      globals: globalSec.globals.map((g, local) => {
        const init = snap.globals.get(spaces.global.imported + local);
        return init === undefined ? g : { type: g.type, init };
      }),
    });
  }

  const tableReports = analysis.mutatesTables ? rewriteTables(module, snap, dropped) : [];

  removeStart(module);
  // Old segment names would now label snapshot chunks.
  try {
    setNames(
      module,
      tableReports.length > 0 ? { data: new Map(), elements: new Map() } : { data: new Map() },
    );
  } catch (err) {
    // A name section that cannot be read is left as it is: it is metadata.
    if (!(err instanceof MalformedModuleError)) throw err;
  }

  // Exports: drop the init function (unless kept) and, as Wizer does, always `_initialize`,
  // which already ran: calling it again on the snapshot would initialize twice. Then renames.
  let exports = [...getExports(module)].filter((e) => e.name !== '_initialize');
  if (!options.keepInitFunc && initFunc !== undefined) exports = exports.filter((e) => e.name !== initFunc);
  for (const [dst, src] of options.renameFuncs ?? []) {
    const source = getExports(module).find((e) => e.name === src);
    if (source === undefined) continue;
    exports = exports.filter((e) => e.name !== dst && e.name !== src);
    exports.push({ ...source, name: dst });
  }
  setExports(module, exports);
  return { memories: memReports, tables: tableReports, dataSegments: kept.length + snapshotSegments.length };
}

function rewriteTables(module: WasmModule, snap: Snapshot, dropped: Dropped): TableReport[] {
  const spaces = indexSpaces(module);
  const reports: TableReport[] = [];
  const tableSec = getSection(module, 'table');
  const newSegments: ElementSegment[] = [];
  if (tableSec !== undefined) {
    const tables: Table[] = tableSec.tables.map((tbl, local) => {
      const index = spaces.table.imported + local;
      const entries = snap.tables.get(index) ?? [];
      if (tbl.init !== undefined && entries.some((e) => e === null)) {
        throw new UnsupportedConstructError(
          'table with an initializer expression',
          `table ${index} has an initializer and init left null entries in it, which its element segments cannot express`,
        );
      }
      let count = 0;
      let segments = 0;
      for (let i = 0; i < entries.length; ) {
        if (entries[i] === null) {
          i++;
          continue;
        }
        const start = i;
        const funcs: number[] = [];
        while (i < entries.length && entries[i] !== null) funcs.push(entries[i++] as number);
        count += funcs.length;
        segments++;
        newSegments.push({
          mode: 'active',
          table: index,
          offset: tbl.type.table64 ? i64Const(start) : i32Const(start),
          elemType: 'funcref',
          funcs,
        });
      }
      reports.push({ index, size: entries.length, entries: count, segments });
      return { ...tbl, type: { ...tbl.type, min: entries.length } };
    });
    setSection(module, { kind: 'table', tables });
  }
  // Old active segments of snapshotted tables become declarative: their indices (used by
  // table.init) and the declarations ref.func relies on stay; a dropped active segment and a
  // declarative one behave the same.
  const old = getSection(module, 'element')?.segments ?? [];
  const converted: ElementSegment[] = old.map((s, i) => {
    if (s.mode === 'active' && snap.tables.has(s.table)) {
      return { mode: 'declarative', table: 0, elemType: s.elemType, funcs: s.funcs, exprs: s.exprs };
    }
    if (s.mode === 'passive' && dropped.elem.has(i)) {
      // Dropped during init: an empty segment traps in table.init the same way. Its functions
      // stay declared through a declarative copy appended below.
      return {
        mode: 'passive',
        table: 0,
        elemType: s.elemType,
        ...(s.funcs ? { funcs: [] } : { exprs: [] }),
      };
    }
    return s;
  });
  for (const i of dropped.elem) {
    const s = old[i];
    if (s !== undefined) {
      newSegments.push({
        mode: 'declarative',
        table: 0,
        elemType: s.elemType,
        funcs: s.funcs,
        exprs: s.exprs,
      });
    }
  }
  const all = [...converted, ...newSegments];
  if (all.length === 0) return reports;
  setSection(module, { kind: 'element', segments: all });
  return reports;
}
