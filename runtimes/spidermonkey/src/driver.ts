/**
 * The script the engine evaluates before the app (`--initializer-script-path`), staged by the
 * recipe at {@link DRIVER_GUEST_PATH}. The embedding evaluates the app's entry module, hands it to
 * `bindExports` as `$source_mod`, and exposes the function named by `EXPORT0_NAME` as export 0 of
 * its `call` export: here `run`, which calls the app's `main` with the run's input, waits for the
 * promise it returns (the engine runs timers and jobs meanwhile) and returns the exit code through
 * a return area. The input comes as `call`'s parameter pointer (`EXPORT0_ARGS` `*i32`): the
 * address of the canonical-ABI area the host writes for an `input: 'cli'` entry (arguments,
 * environment, stdin), or 0 for none. Export 1, `takesStdin`, is the entry's stdin probe: the host
 * reads stdin only for a main that can reach it, so a main that never reads it never waits on it.
 */
export const DRIVER_SOURCE = `// wasm-runtime driver for the StarlingMonkey engine of componentize-js. It runs in a global of
// its own: the app's globals (console, its Error classes) are reached through contentGlobal.
let appMain;
// Whether main can reach stdin, decided at build time from the parameter it declares: the host
// reads a run's stdin to its end before main starts only then (see takesStdin).
let mainTakesStdin = true;
// The embedding's bindings: the guest's memory (its \`buffer\` covers the whole heap), realloc and
// dealloc. Blocks the host allocated for the input are freed once copied, as a callee does.
const [memory, , dealloc] = $bindings;

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
  mainTakesStdin = reachesStdin(appMain);
}

/**
 * False when fn declares no parameter, or destructures its first one without a stdin key or a
 * rest element: such a main never sees stdin. True otherwise, and whenever its source is unclear.
 */
function reachesStdin(fn) {
  let source;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return true;
  }
  const open = source.indexOf('(');
  const arrow = source.indexOf('=>');
  if (source.includes('[native code]') || open < 0 || (arrow >= 0 && arrow < open)) return true;
  let depth = 0;
  let close = -1;
  for (let i = open; i < source.length && close < 0; i++) {
    if (source[i] === '(') depth++;
    else if (source[i] === ')' && --depth === 0) close = i;
  }
  if (close < 0) return true;
  const params = source.slice(open + 1, close).trim();
  if (params === '') return false;
  return !(params.startsWith('{') && !/\\bstdin\\b|\\.\\.\\./.test(params));
}

/** Export 1, called by the host before it reads stdin: 1 when main takes stdin, else 0. */
async function takesStdin() {
  return mainTakesStdin ? 1 : 0;
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

/** The input at \`area\` as the app's objects (made in its realm): { args, env, stdin }. */
function readInput(area) {
  const decoder = new contentGlobal.TextDecoder();
  const list = [];
  const env = [];
  let stdin = new contentGlobal.Uint8Array(0);
  if (area !== 0) {
    const view = new DataView(memory.buffer);
    const word = (at) => view.getUint32(at, true);
    const free = (ptr, size, align) => {
      if (size !== 0 && typeof dealloc === 'function') dealloc(ptr, size, align);
    };
    const text = (at) => {
      const ptr = word(at);
      const len = word(at + 4);
      const value = decoder.decode(new Uint8Array(memory.buffer, ptr, len));
      free(ptr, len, 1);
      return value;
    };
    const [argsPtr, argsLen, envPtr, envLen, stdinPtr, stdinLen] = [0, 1, 2, 3, 4, 5].map((i) => word(area + 4 * i));
    for (let i = 0; i < argsLen; i++) list.push(text(argsPtr + 8 * i));
    for (let i = 0; i < envLen; i++) env.push([text(envPtr + 16 * i), text(envPtr + 16 * i + 8)]);
    stdin = new contentGlobal.Uint8Array(stdinLen);
    stdin.set(new Uint8Array(memory.buffer, stdinPtr, stdinLen));
    free(argsPtr, argsLen * 8, 4);
    free(envPtr, envLen * 16, 4);
    free(stdinPtr, stdinLen, 1);
    free(area, 24, 4);
  }
  // The program name (the app's name) is not one of the app's arguments.
  const args = contentGlobal.Array.from(list.slice(1));
  return contentGlobal.Object.fromEntries([['args', args], ['env', contentGlobal.Object.fromEntries(env)], ['stdin', stdin]]);
}

async function run(area) {
  try {
    const code = await appMain(readInput(area >>> 0));
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
