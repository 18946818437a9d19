import type { HostServices } from '../host.js';
import { environment, exit, stdio, terminals } from './cli.js';
import { monotonicClock, wallClock } from './clocks.js';
import { createContext, type Preview2Context } from './context.js';
import { GuestMemory } from './guest.js';
import { ioError, poll, streams } from './io.js';
import { insecureRandom, insecureSeed, random } from './random.js';
import { unsupported } from './unsupported.js';

/** The highest WASI 0.2 patch version whose import names `preview2: true` provides. */
export const PREVIEW2_LATEST_PATCH = 10;

/** Interfaces linked but not provided: calling one of their functions throws `WasiUnsupportedError`. */
const UNSUPPORTED = [
  'wasi:filesystem/types',
  'wasi:filesystem/preopens',
  'wasi:sockets/network',
  'wasi:sockets/instance-network',
  'wasi:sockets/tcp',
  'wasi:sockets/tcp-create-socket',
  'wasi:sockets/udp',
  'wasi:sockets/udp-create-socket',
  'wasi:sockets/ip-name-lookup',
  'wasi:http/types',
  'wasi:http/outgoing-handler',
];

type Interfaces = Record<string, object>;

/** The WASI 0.2 (preview2) core-ABI functions of one host, over preview1's state. */
export interface Preview2 {
  /** Import objects by import module name (`wasi:io/poll@0.2.10`). */
  imports: Record<string, WebAssembly.ModuleImports>;
  /** Binds the instance's memory and its `cabi_realloc` (lists and strings are returned through it). */
  bind(memory: WebAssembly.Memory, realloc?: unknown): void;
  /**
   * Back to a new host's state for the next run: its arguments and environment, no memory bound,
   * every resource table holding only its permanent handles.
   */
  reset(args: readonly string[], env: ReadonlyArray<readonly [string, string]>): void;
}

function implementations(c: Preview2Context): Interfaces {
  const std = stdio();
  const term = terminals(c);
  return {
    'wasi:io/poll': poll(c),
    'wasi:io/streams': streams(c),
    'wasi:io/error': ioError(c),
    'wasi:clocks/monotonic-clock': monotonicClock(c),
    'wasi:clocks/wall-clock': wallClock(c),
    'wasi:random/random': random(c),
    'wasi:random/insecure': insecureRandom(c),
    'wasi:random/insecure-seed': insecureSeed(c),
    'wasi:cli/environment': environment(c),
    'wasi:cli/exit': exit(),
    'wasi:cli/stdin': std.stdin,
    'wasi:cli/stdout': std.stdout,
    'wasi:cli/stderr': std.stderr,
    'wasi:cli/terminal-input': term.input,
    'wasi:cli/terminal-output': term.output,
    'wasi:cli/terminal-stdin': term.stdin,
    'wasi:cli/terminal-stdout': term.stdout,
    'wasi:cli/terminal-stderr': term.stderr,
  };
}

/** `wasi:io/poll@0.2.10` → `wasi:io/poll`; undefined for a name that is not a WASI 0.2 interface. */
function interfaceOf(moduleName: string): string | undefined {
  const m = /^(wasi:[a-z-]+\/[a-z-]+)@0\.2\.\d+(?:-[0-9A-Za-z.-]+)?$/.exec(moduleName);
  return m?.[1];
}

/**
 * The import module names of a module's bytes, read from its import section alone (compiling or
 * parsing a 10 MB engine to learn them would cost milliseconds). Stops at the first section after
 * the imports; malformed bytes give what was read so far (compiling them reports the error).
 */
function importModuleNames(bytes: Uint8Array): string[] {
  const names: string[] = [];
  const decoder = new TextDecoder();
  let p = 8;
  const byte = (): number => {
    const b = bytes[p++];
    if (b === undefined) throw new RangeError('end of module');
    return b;
  };
  const leb = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
  };
  const name = (): string => {
    const n = leb();
    const text = decoder.decode(bytes.subarray(p, p + n));
    p += n;
    return text;
  };
  const refOrValType = (): void => {
    const t = byte();
    if (t === 0x63 || t === 0x64) leb(); // (ref null? <heap type>)
  };
  const limits = (): void => {
    const flags = byte();
    leb();
    if ((flags & 1) !== 0) leb();
  };
  try {
    while (p < bytes.length) {
      const id = byte();
      const size = leb();
      if (id === 2) {
        for (let count = leb(); count > 0; count--) {
          names.push(name());
          name();
          const kind = byte();
          if (kind === 0) leb();
          else if (kind === 1) {
            refOrValType();
            limits();
          } else if (kind === 2) limits();
          else if (kind === 3) {
            refOrValType();
            byte();
          } else if (kind === 4) {
            byte();
            leb();
          } else break;
        }
        return names;
      }
      if (id !== 0 && id !== 1) return names;
      p += size;
    }
  } catch {
    // Truncated: the names read so far.
  }
  return names;
}

/**
 * The WASI 0.2 interfaces a module imports (a compiled module, or its bytes): those import
 * module names that are WASI 0.2 interfaces, each once. Pass them as `WASIOptions.preview2`.
 */
export function preview2ModuleNames(module: WebAssembly.Module | Uint8Array): string[] {
  const all =
    module instanceof WebAssembly.Module
      ? WebAssembly.Module.imports(module).map((i) => i.module)
      : importModuleNames(module);
  return [...new Set(all.filter((name) => interfaceOf(name) !== undefined))];
}

/**
 * Creates the preview2 functions for the given import module names (or every provided and linked
 * interface at versions 0.2.0 to 0.2.{@link PREVIEW2_LATEST_PATCH} when `names` is `true`).
 */
export function createPreview2(
  services: HostServices,
  args: readonly string[],
  env: ReadonlyArray<readonly [string, string]>,
  names: true | readonly string[],
): Preview2 {
  const mem = new GuestMemory();
  const c = createContext(mem, services, args, env);
  const impl = implementations(c);
  const imports: Record<string, WebAssembly.ModuleImports> = {};
  const stubs = new Map<string, WebAssembly.ModuleImports>();
  const provide = (name: string): void => {
    const iface = interfaceOf(name);
    if (iface === undefined) return;
    const found = impl[iface];
    if (found !== undefined) imports[name] = found as WebAssembly.ModuleImports;
    else if (UNSUPPORTED.includes(iface)) {
      // One stub object per versioned name, so the error names the version the guest imported.
      let stub = stubs.get(name);
      if (stub === undefined) {
        stub = unsupported(name);
        stubs.set(name, stub);
      }
      imports[name] = stub;
    }
  };
  if (names === true) {
    for (let patch = 0; patch <= PREVIEW2_LATEST_PATCH; patch++) {
      for (const iface of [...Object.keys(impl), ...UNSUPPORTED]) provide(`${iface}@0.2.${patch}`);
    }
  } else for (const name of names) provide(name);
  return {
    imports,
    bind: (memory, realloc) => mem.bind(memory, realloc),
    reset(args, env): void {
      c.args = args;
      c.env = env;
      mem.unbind();
      for (const table of [c.pollables, c.inputs, c.outputs, c.errors]) table.clear();
    },
  };
}

export { WasiTrapError, WasiUnsupportedError } from './errors.js';
