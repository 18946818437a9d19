import type { Consumed } from '@wasm-runtime/wasi';

/** Milliseconds spent in each phase of a pre-initialization. */
export interface PhaseTimings {
  parse: number;
  instrument: number;
  compile: number;
  instantiate: number;
  init: number;
  snapshot: number;
  rewrite: number;
  write: number;
  /** Checking that V8 accepts the output. */
  validate: number;
}

/** What was captured of one defined memory. */
export interface MemoryReport {
  /** Memory index. */
  index: number;
  /** Size after init, in 64 KiB pages (the new minimum). */
  pages: number;
  /** Non-zero bytes in the snapshot. */
  nonZeroBytes: number;
  /** Bytes the data segments hold (non-zero bytes plus the merged zero gaps). */
  segmentBytes: number;
  /** Active data segments emitted for this memory. */
  segments: number;
}

/** What was captured of one defined table (only when init could mutate tables). */
export interface TableReport {
  index: number;
  /** Size after init (the new minimum). */
  size: number;
  /** Non-null entries written as element segments. */
  entries: number;
  /** Element segments emitted. */
  segments: number;
}

/**
 * The nondeterministic inputs init consumed, so a recipe can reseed after restore: a copy of the
 * WASI host's `consumed` record (random bytes and calls, clock reads, environment variables
 * handed out, whether it read its arguments, stdin bytes).
 */
export type NondeterminismReport = Consumed;

/** The report of a pre-initialization. */
export interface PreinitReport {
  timings: PhaseTimings;
  /** Things done differently than asked, e.g. a rename whose source is not exported (ignored, as in Wizer). */
  warnings: string[];
  /** Export that was called. */
  initFunc: string;
  /** Whether `_initialize` was called before it. */
  ranInitialize: boolean;
  /** Whether the guest called `proc_exit(0)` during init (its state at that point was snapshotted). */
  exitedWithZero: boolean;
  memories: MemoryReport[];
  /** Defined mutable globals given constant initializers. */
  globals: number;
  tables: TableReport[];
  /** Total non-zero bytes over all memories. */
  snapshotNonZeroBytes: number;
  /** Data segments in the output (snapshot segments plus kept passive ones). */
  dataSegments: number;
  inputSize: number;
  outputSize: number;
  /** Undefined when WASI was not allowed. */
  nondeterminism: NondeterminismReport | undefined;
}
