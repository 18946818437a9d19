import { RubyCallError } from './errors.js';
import { RUBY_EXPORTS } from './module.js';

/** Options of {@link createRubyInstance}. */
export interface RubyInstanceOptions {
  /** The compiled module (or its bytes): the adapted `ruby.wasm`, or a snapshot made from it. */
  module: WebAssembly.Module | BufferSource;
  /** The import object, with the WASI host's `wasi_snapshot_preview1` functions. */
  imports: WebAssembly.Imports;
  /**
   * Binds the WASI host to the new instance and runs the reactor constructors. Default: calls
   * `exports._initialize()` when present. With `@wasm-runtime/wasi`: `(i) => wasi.initialize(i)`
   * for the runtime, `(i) => wasi.bindMemory(i.exports.memory)` for a snapshot.
   */
  start?: (instance: WebAssembly.Instance) => void;
  /** Run the app's init (`wasm-runtime.init`: boot Ruby, load the entry); default true. False for a snapshot. */
  initialize?: boolean;
}

type Fn = (...args: number[]) => number;

interface GuestExports {
  memory: WebAssembly.Memory;
  realloc: Fn;
  evalString: Fn;
  rstringPtr: Fn;
  postRstringPtr: Fn;
  dropValue: Fn;
}

function guestExports(instance: WebAssembly.Instance): GuestExports {
  const e = instance.exports;
  const fn = (name: string): Fn => {
    const f = e[name];
    if (typeof f !== 'function') {
      throw new RubyCallError(
        'ERR_RUBY_BAD_MODULE',
        `the module has no \`${name}\` export: it is not a wasm-runtime Ruby build (build it with buildRuby or the pipeline)`,
      );
    }
    return f as Fn;
  };
  const memory = e['memory'];
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new RubyCallError(
      'ERR_RUBY_BAD_MODULE',
      'the module exports no `memory`: it is not a wasm-runtime Ruby build',
    );
  }
  return {
    memory,
    realloc: fn(RUBY_EXPORTS.realloc),
    evalString: fn(RUBY_EXPORTS.evalString),
    rstringPtr: fn(RUBY_EXPORTS.rstringPtr),
    postRstringPtr: fn(RUBY_EXPORTS.postRstringPtr),
    dropValue: fn(RUBY_EXPORTS.dropValue),
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const hex = (bytes: Uint8Array) => {
  let out = '';
  for (const b of bytes) out += HEX[b];
  return out;
};

/**
 * A running Ruby app for JS callers (the reactor entry): call a top-level method of the app with
 * one String, get the String it returns.
 */
export class RubyInstance {
  /** The underlying WebAssembly instance. */
  readonly instance: WebAssembly.Instance;
  readonly #guest: GuestExports;

  /** Wraps an instance that is already started and initialized (a snapshot, or after `wasm-runtime.init`). */
  constructor(instance: WebAssembly.Instance) {
    this.instance = instance;
    this.#guest = guestExports(instance);
  }

  /**
   * Calls the app's top-level method `name` with `input` as one Ruby String (UTF-8) and returns
   * `result.to_s` as bytes. The first call of an instance reseeds `rand`. Output the method writes
   * is flushed before this returns. Throws {@link RubyCallError}: `ERR_RUBY_CALL_FAILED` with
   * Ruby's error report when the method raises (or calls `exit`), `ERR_RUBY_NO_FUNCTION` when the
   * app defines no such method.
   */
  call(name: string, input: Uint8Array | string = ''): Uint8Array {
    const g = this.#guest;
    const inputBytes = typeof input === 'string' ? encoder.encode(input) : input;
    // Hex keeps the name and input out of Ruby's parser: the expression is fixed text.
    const source = encoder.encode(
      `WasmRuntime.__call("${hex(encoder.encode(name))}", "${hex(inputBytes)}")\0`,
    );
    const ptr = g.realloc(0, 0, 1, source.length);
    new Uint8Array(g.memory.buffer, ptr, source.length).set(source);
    const ret = g.evalString(ptr, source.length);
    let view = new DataView(g.memory.buffer);
    const handle = view.getInt32(ret, true);
    const state = view.getInt32(ret + 4, true);
    let bytes: Uint8Array;
    try {
      if (state !== 0) {
        throw new RubyCallError(
          'ERR_RUBY_CALL_FAILED',
          `calling '${name}' failed before reaching the app (Ruby tag state ${state}): is this a wasm-runtime Ruby snapshot?`,
        );
      }
      const str = g.rstringPtr(handle);
      view = new DataView(g.memory.buffer);
      const at = view.getInt32(str, true);
      const len = view.getInt32(str + 4, true);
      bytes = new Uint8Array(g.memory.buffer, at, len).slice();
      g.postRstringPtr(str);
    } finally {
      g.dropValue(handle);
    }
    const status = bytes[0];
    const rest = bytes.subarray(1);
    if (status === 0x30) return rest;
    if (status === 0x32) {
      throw new RubyCallError(
        'ERR_RUBY_NO_FUNCTION',
        `the app defines no method '${name}': define it at the top level of its entry file`,
      );
    }
    throw new RubyCallError('ERR_RUBY_CALL_FAILED', `Ruby method '${name}' raised:\n${decoder.decode(rest)}`);
  }

  /** {@link call}, with the result decoded as UTF-8 text. */
  callText(name: string, input: Uint8Array | string = ''): string {
    return decoder.decode(this.call(name, input));
  }
}

/**
 * Instantiates a Ruby module with any WASI host's imports, starts it, runs the app's init unless
 * told not to (a pre-initialized snapshot has done it), and returns a {@link RubyInstance}.
 */
export async function createRubyInstance(options: RubyInstanceOptions): Promise<RubyInstance> {
  const module =
    options.module instanceof WebAssembly.Module ? options.module : await WebAssembly.compile(options.module);
  const instance = await WebAssembly.instantiate(module, options.imports);
  const ruby = new RubyInstance(instance);
  if (options.start) options.start(instance);
  else {
    const init = instance.exports['_initialize'];
    if (typeof init === 'function') (init as () => void)();
  }
  if (options.initialize ?? true) {
    const init = instance.exports[RUBY_EXPORTS.init];
    if (typeof init !== 'function') {
      throw new RubyCallError(
        'ERR_RUBY_BAD_MODULE',
        `the module has no \`${RUBY_EXPORTS.init}\` export; if it is a snapshot, pass initialize: false`,
      );
    }
    (init as () => void)();
  }
  return ruby;
}
