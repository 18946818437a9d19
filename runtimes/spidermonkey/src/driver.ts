/**
 * The script the engine evaluates before the app (`--initializer-script-path`), staged by the
 * recipe at {@link DRIVER_GUEST_PATH}. The embedding evaluates the app's entry module, hands it to
 * `bindExports` as `$source_mod`, and exposes the function named by `EXPORT0_NAME` as export 0 of
 * its `call` export: here `run`, which calls the app's `main`, waits for the promise it returns
 * (the engine runs timers and jobs meanwhile) and returns the exit code through a return area.
 */
export const DRIVER_SOURCE = `// wasm-runtime driver for the StarlingMonkey engine of componentize-js. It runs in a global of
// its own: the app's globals (console, its Error classes) are reached through contentGlobal.
let appMain;

function bindExports(sourceName) {
  appMain = $source_mod.main;
  if (typeof appMain !== 'function') {
    // Said at build time (init's stderr) and at every start, which exits 1.
    const message = sourceName + ' exports no function named main: add "export function main() { ... }" (its top level runs at build time, main at every start)';
    contentGlobal.console.error('warning: ' + message);
    appMain = () => {
      throw new Error(message);
    };
  }
}

function describe(error) {
  if (typeof error === 'object' && error !== null && typeof error.stack === 'string') {
    const stack = error.stack.trimEnd();
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
    contentGlobal.console.error('Uncaught ' + describe(error));
    return 1;
  }
}
`;

/** Where the driver is staged: a mount of its own, beside the app's `/app`. */
export const DRIVER_MOUNT = '/wasm-runtime';
export const DRIVER_GUEST_PATH = `${DRIVER_MOUNT}/driver.js`;
