// The rules of bounded runs that hold on every host (browsers and Workers too): the limits, their
// errors, capping a module's memories and blaming a failure on the cap. The worker-thread timeout
// is Node's, in limits.ts.

import { WasmRuntimeError } from '@wasm-runtime/errors';
import { getSection, type MemoryType, parseModule, setMemoryLimits, writeModule } from '@wasm-runtime/wasm';

/** Limits of one run. */
export interface RunLimits {
  /**
   * Milliseconds the run may take, counted once its worker thread has started (linking and
   * instantiating the guest included). Past it the run ends with `RunTimeoutError`. Wasmtime:
   * `-W timeout`.
   */
  timeout?: number;
  /**
   * Bytes each linear memory the guest defines may reach: `memory.grow` past it returns -1. A run
   * that then fails (a trap or a non-zero exit) with a memory at 90% of the limit or more ends
   * with `MemoryLimitError`. Wasmtime: `-W max-memory-size`.
   */
  maxMemory?: number;
}

/** The run went past its `timeout`; the guest was stopped and its instance discarded. */
export class RunTimeoutError extends WasmRuntimeError {
  /** The limit, in milliseconds. */
  readonly timeout: number;

  constructor(what: string, timeout: number) {
    super(
      'ERR_RUN_TIMEOUT',
      `${what} ran past its timeout of ${formatMs(timeout)} and was stopped (its instance is discarded). Raise --timeout if it needs longer.`,
    );
    this.timeout = timeout;
  }
}

/** The guest failed after its memory reached `maxMemory` (its `memory.grow` returned -1). */
export class MemoryLimitError extends WasmRuntimeError {
  /** The limit, in bytes. */
  readonly maxMemory: number;
  /** The size the memory had reached, in bytes. */
  readonly reached: number;

  constructor(what: string, maxMemory: number, reached: number, ending: string) {
    super(
      'ERR_RUN_MEMORY_LIMIT',
      `${what} ${ending} after its memory reached ${formatBytes(reached)} of its ${formatBytes(maxMemory)} limit: growing it further failed (memory.grow returned -1). Raise --max-memory if it needs more.`,
    );
    this.maxMemory = maxMemory;
    this.reached = reached;
  }
}

/** A limit is unusable: not a positive number, below what the module starts with, or stdio a worker cannot carry. */
export class RunLimitError extends WasmRuntimeError {
  constructor(message: string) {
    super('ERR_RUN_LIMIT', message);
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} bytes`;
}

/** Checks the values of `limits`; throws `RunLimitError`. */
export function checkLimits(limits: RunLimits): void {
  const { timeout, maxMemory } = limits;
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0)) {
    throw new RunLimitError(`timeout must be a positive number of milliseconds, got ${String(timeout)}`);
  }
  if (maxMemory !== undefined && !(Number.isSafeInteger(maxMemory) && maxMemory > 0)) {
    throw new RunLimitError(`maxMemory must be a positive whole number of bytes, got ${String(maxMemory)}`);
  }
}

/** Share of the limit a memory must have reached for a failed run to be blamed on the limit. */
const NEAR_LIMIT = 0.9;

/**
 * Lowers the maximum of every memory `bytes` defines to `maxMemory` bytes (rounded down to whole
 * pages), keeping a lower maximum it already has. Imported memories are left alone: whoever
 * defines them is limited instead (for a split pair, the data module).
 * @throws RunLimitError when a memory starts above the limit.
 */
export function limitMemories(bytes: Uint8Array, maxMemory: number, what: string): Uint8Array {
  const module = parseModule(bytes);
  const memories = getSection(module, 'memory')?.memories ?? [];
  if (memories.length === 0) return bytes;
  const imported = (getSection(module, 'import')?.imports ?? []).filter(
    (i) => i.desc.kind === 'memory',
  ).length;
  memories.forEach((type: MemoryType, i) => {
    const page = 2 ** (type.pageSizeLog2 ?? 16);
    const pages = Math.floor(maxMemory / page);
    if (type.min > pages) {
      throw new RunLimitError(
        `${what} starts with ${formatBytes(type.min * page)} of memory, more than the ${formatBytes(maxMemory)} limit (--max-memory): raise the limit`,
      );
    }
    if (type.max === undefined || type.max > pages) setMemoryLimits(module, imported + i, { max: pages });
  });
  return writeModule(module);
}

/**
 * After a run that failed (`ending` says how), the `MemoryLimitError` to report when one of its
 * memories reached 90% of the limit or more, else undefined.
 */
export function memoryLimitReached(
  memories: Iterable<unknown>,
  maxMemory: number,
  what: string,
  ending: string,
): MemoryLimitError | undefined {
  let reached = 0;
  for (const m of memories)
    if (m instanceof WebAssembly.Memory) reached = Math.max(reached, m.buffer.byteLength);
  return reached >= maxMemory * NEAR_LIMIT
    ? new MemoryLimitError(what, maxMemory, reached, ending)
    : undefined;
}
