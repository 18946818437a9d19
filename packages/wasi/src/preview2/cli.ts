import { ProcExit } from '../errors.js';
import type { Preview2Context } from './context.js';
import { WasiTrapError } from './errors.js';

/** `wasi:cli/environment`: the same arguments and environment preview1 gives, counted the same way. */
export function environment(c: Preview2Context) {
  return {
    'get-arguments': (retptr: number): void => {
      c.services.consumed.argsRead = true;
      c.mem.putStringList('get-arguments', retptr, c.args);
    },
    'get-environment': (retptr: number): void => {
      const fn = 'get-environment';
      c.services.consumed.envReads = c.env.map(([k]) => k);
      const list = c.mem.alloc(fn, c.env.length * 16, 4);
      c.env.forEach(([k, v], i) => {
        const [kp, kl] = c.mem.putString(fn, k);
        const [vp, vl] = c.mem.putString(fn, v);
        c.mem.u32At(fn, list + i * 16, kp);
        c.mem.u32At(fn, list + i * 16 + 4, kl);
        c.mem.u32At(fn, list + i * 16 + 8, vp);
        c.mem.u32At(fn, list + i * 16 + 12, vl);
      });
      c.mem.u32At(fn, retptr, list);
      c.mem.u32At(fn, retptr + 4, c.env.length);
    },
    // option<string>: none, as preview1 has no working directory either.
    'initial-cwd': (retptr: number): void => c.mem.u8At('initial-cwd', retptr, 0),
  };
}

/** `wasi:cli/exit`: the typed `ProcExit` preview1's `proc_exit` throws, so hosts handle both alike. */
export function exit() {
  return {
    exit: (status: number): never => {
      throw new ProcExit(status === 0 ? 0 : 1);
    },
    'exit-with-code': (code: number): never => {
      throw new ProcExit(code & 0xff);
    },
  };
}

/** `wasi:cli/stdin`, `stdout`, `stderr`: the permanent stream handles over descriptors 0, 1, 2. */
export function stdio() {
  return {
    stdin: { 'get-stdin': (): number => 1 },
    stdout: { 'get-stdout': (): number => 1 },
    stderr: { 'get-stderr': (): number => 2 },
  };
}

/** `wasi:cli/terminal-*`: the standard streams are never reported as terminals (option none). */
export function terminals(c: Preview2Context) {
  const none =
    (fn: string) =>
    (retptr: number): void =>
      c.mem.u8At(fn, retptr, 0);
  const noHandles =
    (fn: string) =>
    (handle: number): never => {
      throw new WasiTrapError(fn, `${handle} is not a live handle (this host creates no terminals)`);
    };
  return {
    input: { '[resource-drop]terminal-input': noHandles('[resource-drop]terminal-input') },
    output: { '[resource-drop]terminal-output': noHandles('[resource-drop]terminal-output') },
    stdin: { 'get-terminal-stdin': none('get-terminal-stdin') },
    stdout: { 'get-terminal-stdout': none('get-terminal-stdout') },
    stderr: { 'get-terminal-stderr': none('get-terminal-stderr') },
  };
}
