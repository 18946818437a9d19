import { ClockId } from '../constants.js';
import { monotonicNow, type Preview2Context } from './context.js';

/** Nanoseconds between ticks the clocks report (performance.now() resolves to about a microsecond). */
const RESOLUTION_NS = 1000n;

/** `wasi:clocks/monotonic-clock`: the clock, its resolution, and pollables that wait for it. */
export function monotonicClock(c: Preview2Context) {
  return {
    now: (): bigint => monotonicNow(c),
    resolution: (): bigint => RESOLUTION_NS,
    'subscribe-instant': (when: bigint): number => c.pollables.add({ readyAt: BigInt.asUintN(64, when) }),
    'subscribe-duration': (duration: bigint): number =>
      c.pollables.add({ readyAt: monotonicNow(c) + BigInt.asUintN(64, duration) }),
  };
}

/** `wasi:clocks/wall-clock`: a `datetime` record (u64 seconds, u32 nanoseconds) at the return pointer. */
export function wallClock(c: Preview2Context) {
  const store = (fn: string, retptr: number, ns: bigint): void => {
    c.mem.u64At(fn, retptr, ns / 1_000_000_000n);
    c.mem.u32At(fn, retptr + 8, Number(ns % 1_000_000_000n));
  };
  return {
    now: (retptr: number): void => store('wall-clock.now', retptr, c.services.now(ClockId.REALTIME)),
    resolution: (retptr: number): void => store('wall-clock.resolution', retptr, RESOLUTION_NS),
  };
}
