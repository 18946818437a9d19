import { WasiUnsupportedError } from './errors.js';

/**
 * An interface this host links but does not provide: every function name the guest imports
 * resolves to a function that throws `WasiUnsupportedError` naming it, so modules that merely
 * import sockets or HTTP (as the StarlingMonkey engine does) instantiate and run.
 */
export function unsupported(module: string): Record<string, () => never> {
  const made = new Map<string, () => never>();
  return new Proxy({} as Record<string, () => never>, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined;
      let fn = made.get(name);
      if (fn === undefined) {
        fn = () => {
          throw new WasiUnsupportedError(module, name);
        };
        made.set(name, fn);
      }
      return fn;
    },
  });
}
