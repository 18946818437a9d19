import { Errno, EventType, Rights } from '../constants.js';
import type { Preview1Imports } from '../host.js';
import type { HostState } from './state.js';

/** `poll_oneoff`: clocks and descriptor readiness (a synchronous host: nothing becomes ready while the guest waits). */
export function pollImports(s: HostState): Pick<Preview1Imports, 'poll_oneoff'> {
  const { fds, clock } = s;

  return {
    poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): number {
      try {
        if (s.view.length === 0) s.refresh();
        inPtr >>>= 0;
        outPtr >>>= 0;
        nsubs >>>= 0;
        neventsPtr >>>= 0;
        if (nsubs === 0) return Errno.INVAL;
        if (
          inPtr + nsubs * 48 > s.u8.length ||
          outPtr + nsubs * 32 > s.u8.length ||
          neventsPtr + 4 > s.u8.length
        ) {
          return Errno.FAULT;
        }
        let events = 0;
        const emit = (
          userdata: bigint,
          error: number,
          type: number,
          nbytes: bigint,
          hangup: boolean,
        ): void => {
          const p = outPtr + events * 32;
          s.dv.setBigUint64(p, userdata, true);
          s.dv.setUint16(p + 8, error, true);
          s.dv.setUint8(p + 10, type);
          s.dv.setUint8(p + 11, 0);
          s.dv.setUint32(p + 12, 0, true);
          s.dv.setBigUint64(p + 16, nbytes, true);
          s.dv.setUint16(p + 24, hangup ? 1 : 0, true);
          s.dv.setUint16(p + 26, 0, true);
          s.dv.setUint32(p + 28, 0, true);
          events++;
        };
        const clocks: { userdata: bigint; wait: bigint }[] = [];
        const waiting: { userdata: bigint; type: number }[] = [];
        for (let i = 0; i < nsubs; i++) {
          const p = inPtr + i * 48;
          const userdata = s.dv.getBigUint64(p, true);
          const tag = s.u8[p + 8]!;
          if (tag === EventType.CLOCK) {
            const id = s.dv.getUint32(p + 16, true);
            const timeout = s.dv.getBigUint64(p + 24, true);
            const flags = s.dv.getUint16(p + 40, true);
            if (id > 3) {
              emit(userdata, Errno.INVAL, tag, 0n, false);
              continue;
            }
            const wait = (flags & 1) !== 0 ? timeout - clock.nowNs(id) : timeout;
            clocks.push({ userdata, wait: wait < 0n ? 0n : wait });
          } else if (tag === EventType.FD_READ || tag === EventType.FD_WRITE) {
            const d = fds[s.dv.getUint32(p + 16, true)];
            if (d === undefined) {
              emit(userdata, Errno.BADF, tag, 0n, false);
              continue;
            }
            if (
              (d.rightsBase & Rights.POLL_FD_READWRITE) === 0 &&
              d.handle === undefined &&
              d.fs !== undefined
            ) {
              emit(userdata, Errno.NOTCAPABLE, tag, 0n, false);
              continue;
            }
            if (tag === EventType.FD_READ) {
              if (d.source !== undefined) {
                const n = d.source.available();
                if (n === 0) {
                  waiting.push({ userdata, type: tag });
                  continue;
                }
                emit(userdata, 0, tag, BigInt(n < 0 ? 0 : n), false);
              } else if (d.handle !== undefined) {
                const st = d.handle.stat();
                const size = typeof st === 'number' ? 0n : st.size;
                const left = size - BigInt(d.position);
                emit(userdata, 0, tag, left > 0n ? left : 0n, false);
              } else {
                emit(userdata, d.fs !== undefined ? Errno.ISDIR : Errno.BADF, tag, 0n, false);
              }
            } else if (d.sink !== undefined || d.handle !== undefined) {
              emit(userdata, 0, tag, 0n, false);
            } else {
              emit(userdata, d.fs !== undefined ? Errno.ISDIR : Errno.BADF, tag, 0n, false);
            }
          } else {
            return Errno.INVAL;
          }
        }
        if (events === 0 && clocks.length > 0) {
          let min = clocks[0]!.wait;
          for (const c of clocks) if (c.wait < min) min = c.wait;
          clock.sleepNs(min);
          for (const c of clocks) if (c.wait === min) emit(c.userdata, 0, EventType.CLOCK, 0n, false);
        } else if (events === 0) {
          // Nothing can become ready while the guest waits synchronously: report the input ends.
          for (const w of waiting) emit(w.userdata, 0, w.type, 0n, true);
        } else {
          // Descriptors are ready; clocks that have already expired are ready too.
          for (const c of clocks) if (c.wait === 0n) emit(c.userdata, 0, EventType.CLOCK, 0n, false);
        }
        s.dv.setUint32(neventsPtr, events, true);
        return Errno.SUCCESS;
      } catch (error) {
        return s.fail(error);
      }
    },
  };
}
