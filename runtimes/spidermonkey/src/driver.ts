/**
 * The script the engine evaluates before the app (`--initializer-script-path`), staged by the
 * recipe at {@link DRIVER_GUEST_PATH}. The embedding evaluates the app's entry module, hands it to
 * `bindExports` as `$source_mod`, and exposes the function named by `EXPORT0_NAME` as export 0 of
 * its `call` export: here `run`, which calls the app's `main`, waits for the promise it returns
 * (the engine runs timers and jobs meanwhile) and returns the exit code through a return area.
 */
export const DRIVER_SOURCE = `// wasm-runtime driver for the StarlingMonkey engine of componentize-js.
let appMain;

function bindExports(sourceName) {
  appMain = $source_mod.main;
  if (typeof appMain !== 'function') {
    throw new Error(sourceName + ' exports no function named main: add \\'export function main() { ... }\\' (its top level runs at build time, main at every start)');
  }
}

function describe(error) {
  if (error instanceof Error) {
    const stack = typeof error.stack === 'string' ? error.stack.trimEnd() : '';
    return stack === '' ? String(error) : String(error) + '\\n' + stack;
  }
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

async function run() {
  try {
    const code = await appMain();
    return Number.isInteger(code) ? code : 0;
  } catch (error) {
    console.error('Uncaught ' + describe(error));
    return 1;
  }
}
`;

/** Where the driver is staged: a mount of its own, beside the app's `/app`. */
export const DRIVER_MOUNT = '/wasm-runtime';
export const DRIVER_GUEST_PATH = `${DRIVER_MOUNT}/driver.js`;
