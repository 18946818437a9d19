/**
 * `@wasm-runtime/preinit`: the generic, Wizer-compatible pre-initializer of wasm-runtime, on V8.
 */
export {
  ImportNotProvidedError,
  InitExitError,
  InitTrapError,
  InstantiationError,
  InvalidOutputError,
  MalformedInputError,
  MissingInitExportError,
  PreinitIoError,
  PreinitUsageError,
  UnsnapshottableStateError,
  UnsupportedConstructError,
  type WasmFrame,
} from './errors.js';
export { type PreinitOptions, type PreinitResult, type Preload, preinitialize } from './preinit.js';
export type {
  MemoryReport,
  NondeterminismReport,
  PhaseTimings,
  PreinitReport,
  TableReport,
} from './report.js';
export {
  DEFAULT_MAX_DATA_SEGMENTS,
  type PlannedSegment,
  type PlanOptions,
  planDataSegments,
  segmentEncodedSize,
} from './segments.js';
export { parseWizerArgs, type WasmFeatureFlags, WIZER_HELP, type WizerArgs } from './wizer-args.js';
