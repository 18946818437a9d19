import { ClockId, Errno } from '../constants.js';
import type { Preview1Imports } from '../host.js';
import { fillRandom } from './entropy.js';
import type { HostState } from './state.js';

const TWO32 = 4294967296;

type ClocksRandomImports = Pick<Preview1Imports, 'clock_res_get' | 'clock_time_get' | 'random_get'>;

/** `clock_*` and `random_get`: time and randomness, real or deterministic. */
export function clocksRandomImports(s: HostState): ClocksRandomImports {
  const { consumed, deterministic, clock } = s;
  const { perf, timeOrigin, fastStep } = clock;

  function clockChecked(id: number, ptr: number): number {
    try {
      if (s.view.length === 0) s.refresh();
      ptr >>>= 0;
      if (deterministic !== undefined) {
        if (id < 0 || id > 3) return Errno.INVAL;
        s.dv.setBigUint64(ptr, clock.nowNs(id), true);
        return Errno.SUCCESS;
      }
      if (id === ClockId.REALTIME) {
        consumed.clockReads++;
        const ms = timeOrigin + perf.now();
        const whole = Math.floor(ms);
        const hiMs = Math.floor(whole / TWO32);
        const lo = (whole - hiMs * TWO32) * 1e6 + Math.floor((ms - whole) * 1e6);
        const carry = Math.floor(lo / TWO32);
        return s.store64(ptr, lo >>> 0, hiMs * 1e6 + carry);
      }
      if (id > 0 && id < 4) {
        consumed.clockReads++;
        const ns = Math.floor(perf.now() * 1e6);
        return s.store64(ptr, ns >>> 0, Math.floor(ns / TWO32));
      }
      return Errno.INVAL;
    } catch (error) {
      return s.fail(error);
    }
  }

  return {
    clock_res_get(id: number, ptr: number): number {
      try {
        if (s.view.length === 0) s.refresh();
        if (id < 0 || id > 3) return Errno.INVAL;
        s.dv.setBigUint64(ptr >>> 0, deterministic !== undefined ? deterministic.step : 1000n, true);
        return Errno.SUCCESS;
      } catch (error) {
        return s.fail(error);
      }
    },

    clock_time_get(id: number, _precision: bigint, ptr: number): number {
      // The monotonic clocks' common case, outside any try and without the freshness check (see
      // fd_fdstat_get); anything else takes the checked path.
      const i = ptr >>> 2;
      const u32 = s.u32;
      if ((ptr & 3) === 0 && i + 2 <= u32.length) {
        if (deterministic === undefined) {
          if (id > 0 && id < 4) {
            consumed.clockReads++;
            const ns = Math.floor(perf.now() * 1e6);
            u32[i] = ns >>> 0;
            u32[i + 1] = Math.floor(ns / TWO32);
            return Errno.SUCCESS;
          }
        } else if (fastStep >= 0 && id >>> 0 < 4) {
          consumed.clockReads++;
          if (clock.pending > 2 ** 52) clock.fold();
          const pending = clock.pending + fastStep;
          clock.pending = pending;
          const pendingHi = Math.floor(pending / TWO32);
          let lo = pending - pendingHi * TWO32;
          let hi = pendingHi;
          if (id === ClockId.REALTIME) {
            lo += clock.realLo;
            hi += clock.realHi;
          } else {
            lo += clock.monoLo;
            hi += clock.monoHi;
          }
          if (lo >= TWO32) {
            lo -= TWO32;
            hi++;
          }
          // Stores into a Uint32Array wrap modulo 2^32, as the 64-bit value wraps modulo 2^64.
          u32[i] = lo;
          u32[i + 1] = hi;
          return Errno.SUCCESS;
        }
      }
      return clockChecked(id, ptr);
    },

    random_get(buf: number, len: number): number {
      try {
        if (s.view.length === 0) s.refresh();
        buf >>>= 0;
        len >>>= 0;
        const u8 = s.u8;
        if (buf + len > u8.length) return Errno.FAULT;
        consumed.randomCalls++;
        consumed.randomBytes += len;
        if (deterministic !== undefined) {
          deterministic.prng.fill(u8, buf, len);
          return Errno.SUCCESS;
        }
        fillRandom(u8, buf, len);
        return Errno.SUCCESS;
      } catch (error) {
        return s.fail(error);
      }
    },
  };
}
