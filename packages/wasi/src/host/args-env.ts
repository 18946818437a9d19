import { Errno } from '../constants.js';
import type { Preview1Imports } from '../host.js';
import type { HostState } from './state.js';

type ArgsEnvImports = Pick<
  Preview1Imports,
  'args_get' | 'args_sizes_get' | 'environ_get' | 'environ_sizes_get'
>;

/** `args_*` and `environ_*`: the guest's argv and environment. */
export function argsEnvImports(s: HostState): ArgsEnvImports {
  // `args`, `env` and their sizes are read from `s` at each call: a reset host gives new ones.
  const { consumed } = s;

  /**
   * args_get and environ_get: the pointer array at `ptrs`, the NUL-terminated strings from `buf`
   * on. `record` notes what the guest read, once the pointers are known to be in bounds.
   */
  function storeList(
    list: readonly Uint8Array[],
    total: number,
    ptrs: number,
    buf: number,
    record: () => void,
  ): number {
    try {
      if (s.view.length === 0) s.refresh();
      const u8 = s.u8;
      const dv = s.dv;
      ptrs >>>= 0;
      buf >>>= 0;
      if (ptrs + list.length * 4 > u8.length || buf + total > u8.length) return Errno.FAULT;
      record();
      for (let i = 0; i < list.length; i++) {
        const item = list[i]!;
        dv.setUint32(ptrs + i * 4, buf, true);
        u8.set(item, buf);
        buf += item.length;
      }
      return Errno.SUCCESS;
    } catch (error) {
      return s.fail(error);
    }
  }
  const recordArgs = (): void => {
    consumed.argsRead = true;
  };
  const recordEnv = (): void => {
    consumed.envReads = s.envNames.slice();
  };

  /** The checked path of args_sizes_get and environ_sizes_get: unaligned pointers or a stale view. */
  function storeSizes(countPtr: number, sizePtr: number, count: number, bytes: number): number {
    try {
      if (s.view.length === 0) s.refresh();
      countPtr >>>= 0;
      sizePtr >>>= 0;
      const u8 = s.u8;
      if (((countPtr | sizePtr) & 3) === 0 && countPtr < u8.length && sizePtr < u8.length) {
        s.u32[countPtr >>> 2] = count;
        s.u32[sizePtr >>> 2] = bytes;
        return Errno.SUCCESS;
      }
      s.dv.setUint32(countPtr, count, true);
      s.dv.setUint32(sizePtr, bytes, true);
      return Errno.SUCCESS;
    } catch (error) {
      return s.fail(error);
    }
  }

  return {
    args_get(argv: number, buf: number): number {
      return storeList(s.args, s.argsBytes, argv, buf, recordArgs);
    },

    args_sizes_get(countPtr: number, sizePtr: number): number {
      // The aligned case outside any try and without the freshness check (see fd_fdstat_get).
      const u32 = s.u32;
      if (((countPtr | sizePtr) & 3) === 0 && countPtr >>> 2 < u32.length && sizePtr >>> 2 < u32.length) {
        u32[countPtr >>> 2] = s.args.length;
        u32[sizePtr >>> 2] = s.argsBytes;
        return Errno.SUCCESS;
      }
      return storeSizes(countPtr, sizePtr, s.args.length, s.argsBytes);
    },

    environ_get(environ: number, buf: number): number {
      return storeList(s.env, s.envBytes, environ, buf, recordEnv);
    },

    environ_sizes_get(countPtr: number, sizePtr: number): number {
      // The aligned case outside any try and without the freshness check (see fd_fdstat_get).
      const u32 = s.u32;
      if (((countPtr | sizePtr) & 3) === 0 && countPtr >>> 2 < u32.length && sizePtr >>> 2 < u32.length) {
        u32[countPtr >>> 2] = s.env.length;
        u32[sizePtr >>> 2] = s.envBytes;
        return Errno.SUCCESS;
      }
      return storeSizes(countPtr, sizePtr, s.env.length, s.envBytes);
    },
  };
}
