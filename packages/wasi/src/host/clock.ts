import { ClockId, Errno, FstFlags } from '../constants.js';
import type { Consumed, Deterministic } from './state.js';

/**
 * The guest's clocks: the host's (`performance.now()` and `timeOrigin`), or in deterministic mode
 * a virtual time that advances by a fixed step per read and by the timeout when the guest sleeps.
 */
export class Clock {
  // The deterministic clock's offset is `offset + pending`: clock_time_get's fast path adds its
  // steps to the number `pending` and reads the 64-bit words of both clocks at `offset`
  // precomputed below, so it does no BigInt arithmetic (which allocates). Everything else folds
  // `pending` in first. The fast path is used only with a step below 2^32.
  offset = 0n;
  pending = 0;
  /** The deterministic step as a number when below 2^32, else -1. */
  readonly fastStep: number;
  monoLo = 0;
  monoHi = 0;
  realLo = 0;
  realHi = 0;
  // `performance` is an accessor on Node's global object: reading it costs about as much as the
  // rest of a clock_time_get call, so it is read once. `timeOrigin` never changes.
  readonly perf: typeof performance = performance;
  readonly timeOrigin: number = performance.timeOrigin;
  // Created on first sleep: SharedArrayBuffer is missing in browsers without cross-origin isolation.
  private sleepCell: Int32Array | undefined;

  constructor(
    readonly deterministic: Deterministic | undefined,
    private readonly consumed: Consumed,
  ) {
    this.fastStep =
      deterministic !== undefined && deterministic.step <= 0xffffffffn ? Number(deterministic.step) : -1;
    this.fold();
  }

  /** Fold `pending` into `offset` and recompute the 32-bit words of both clocks. */
  fold(): void {
    if (this.pending !== 0) this.offset += BigInt(this.pending);
    this.pending = 0;
    const mono = BigInt.asUintN(64, this.offset);
    this.monoLo = Number(mono & 0xffffffffn);
    this.monoHi = Number(mono >> 32n);
    const real = BigInt.asUintN(64, (this.deterministic?.startTime ?? 0n) + this.offset);
    this.realLo = Number(real & 0xffffffffn);
    this.realHi = Number(real >> 32n);
  }

  /** Deterministic nanoseconds consumed so far. */
  get(): bigint {
    this.fold();
    return this.offset;
  }

  /** Set the deterministic nanoseconds consumed (restoring saved state). */
  set(value: bigint): void {
    this.pending = 0;
    this.offset = value;
    this.fold();
  }

  /** Read clock `id` (counted as a read) in nanoseconds. */
  nowNs(id: number): bigint {
    this.consumed.clockReads++;
    const deterministic = this.deterministic;
    if (deterministic !== undefined) {
      this.fold();
      this.offset += deterministic.step;
      this.fold();
      return id === ClockId.REALTIME ? deterministic.startTime + this.offset : this.offset;
    }
    if (id === ClockId.REALTIME) {
      const ms = this.timeOrigin + this.perf.now();
      const whole = Math.floor(ms);
      return BigInt(whole) * 1_000_000n + BigInt(Math.floor((ms - whole) * 1e6));
    }
    return BigInt(Math.floor(this.perf.now() * 1e6));
  }

  /** Block for `ns` nanoseconds (in deterministic mode: advance the virtual clocks). */
  sleepNs(ns: bigint): void {
    if (ns <= 0n) return;
    if (this.deterministic !== undefined) {
      this.fold();
      this.offset += ns;
      this.fold();
      return;
    }
    // Atomics.wait may wake a little early by the monotonic clock the guest reads, so wait until
    // that clock has really advanced by the timeout.
    const perf = this.perf;
    const end = perf.now() + Number(ns) / 1e6;
    for (let left = end - perf.now(); left > 0; left = end - perf.now()) {
      try {
        this.sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
        Atomics.wait(this.sleepCell, 0, 0, left);
      } catch {
        // No SharedArrayBuffer, or Atomics.wait refused on a browser's main thread: spin instead.
        while (perf.now() < end) {
          /* spin */
        }
      }
    }
  }

  /** The times `fd_filestat_set_times`/`path_filestat_set_times` ask for, or EINVAL. */
  timesFrom(atim: bigint, mtim: bigint, fst: number): [bigint | undefined, bigint | undefined] | number {
    if (
      (fst & ~15) !== 0 ||
      ((fst & FstFlags.ATIM) !== 0 && (fst & FstFlags.ATIM_NOW) !== 0) ||
      ((fst & FstFlags.MTIM) !== 0 && (fst & FstFlags.MTIM_NOW) !== 0)
    ) {
      return Errno.INVAL;
    }
    const now = (fst & (FstFlags.ATIM_NOW | FstFlags.MTIM_NOW)) !== 0 ? this.nowNs(ClockId.REALTIME) : 0n;
    const a = (fst & FstFlags.ATIM) !== 0 ? atim : (fst & FstFlags.ATIM_NOW) !== 0 ? now : undefined;
    const m = (fst & FstFlags.MTIM) !== 0 ? mtim : (fst & FstFlags.MTIM_NOW) !== 0 ? now : undefined;
    return [a, m];
  }
}
