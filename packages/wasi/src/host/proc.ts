import { Errno } from '../constants.js';
import { ExitStatusError, MAX_EXIT_STATUS, ProcExit } from '../errors.js';
import type { Preview1Imports } from '../host.js';

/** `proc_exit`, `proc_raise` and `sched_yield`. */
export function procImports(): Pick<Preview1Imports, 'proc_exit' | 'proc_raise' | 'sched_yield'> {
  return {
    proc_exit(code: number): undefined {
      const status = code >>> 0;
      if (status > MAX_EXIT_STATUS) throw new ExitStatusError(status);
      throw new ProcExit(status);
    },

    proc_raise(_signal: number): number {
      return Errno.NOSYS;
    },

    sched_yield(): number {
      return Errno.SUCCESS;
    },
  };
}
