import {
  addFunctions,
  type Export,
  type FuncType,
  getExports,
  getSection,
  type Import,
  InstructionReader,
  parseModule,
  setExports,
  setSection,
  type TypeDef,
  type WasmModule,
  writeModule,
} from '@wasm-runtime/wasm';
import { Body } from './asm.js';
import { RubyBuildError } from './errors.js';

/** Exports of `@ruby/3.4-wasm-wasi`'s module this recipe uses, and the ones it adds. */
export const RUBY_EXPORTS = {
  /** Added: runs `ruby-init`, then the prelude, which loads the app's entry file. */
  init: 'wasm-runtime.init',
  /** Added: the command entry (renamed `_start` in a snapshot): the app's `main` with the run's ARGV and ENV. */
  run: 'wasm-runtime.run',
  rubyInit: 'ruby-init: func(args: list<string>) -> ()',
  evalString: 'rb-eval-string-protect: func(str: string) -> tuple<handle<rb-abi-value>, s32>',
  rstringPtr: 'rstring-ptr: func(value: handle<rb-abi-value>) -> string',
  postRstringPtr: 'cabi_post_rstring-ptr',
  dropValue: 'canonical_abi_drop_rb-abi-value',
  realloc: 'cabi_realloc',
} as const;

/** The arguments `ruby-init` gets (what `@ruby/wasm-wasi` passes; `-e_=0` keeps Ruby from reading a script). */
export const RUBY_INIT_ARGS = ['ruby', '-EUTF-8', '-e_=0'] as const;

const WASI = 'wasi_snapshot_preview1';
const I32 = 'i32' as const;
const VOID_TYPE: FuncType = { kind: 'func', params: [], results: [] };
const enc = new TextEncoder();

/** The resource functions the wit-bindgen glue imports for `rb-abi-value` handles: the handle is the pointer. */
const IDENTITY_IMPORTS = new Set(['resource_new_rb-abi-value', 'resource_get_rb-abi-value']);

function funcExport(exports: readonly Export[], name: string): number {
  const e = exports.find((x) => x.name === name && x.kind === 'func');
  if (e === undefined) {
    throw new RubyBuildError(
      'ERR_RUBY_BAD_RUNTIME',
      `the Ruby module has no function export "${name}": it is not @ruby/3.4-wasm-wasi's ruby+stdlib.wasm (check the recipe's pinned package)`,
    );
  }
  return e.index;
}

/** The index of a plain function type equal to `type`, appending it to the type section if needed. */
function typeIndex(module: WasmModule, type: FuncType): number {
  const types: TypeDef[] = [...(getSection(module, 'type')?.types ?? [])];
  let index = 0;
  for (const t of types) {
    if (
      t.kind === 'func' &&
      t.params.join() === type.params.join() &&
      t.results.join() === type.results.join()
    )
      return index;
    index += t.kind === 'raw' ? t.count : 1;
  }
  setSection(module, { kind: 'type', types: [...types, type] });
  return index;
}

function funcTypeAt(module: WasmModule, index: number): FuncType {
  let at = 0;
  for (const t of getSection(module, 'type')?.types ?? []) {
    const count = t.kind === 'raw' ? t.count : 1;
    if (index < at + count) {
      if (t.kind !== 'func') break;
      return t;
    }
    at += count;
  }
  throw new RubyBuildError('ERR_RUBY_BAD_RUNTIME', `type ${index} of the Ruby module is not a function type`);
}

/** Rewrites the function indices of `call`, `return_call` and `ref.func` in one body; the body itself if none moves. */
function remapBody(
  reader: InstructionReader,
  body: Uint8Array,
  remap: (index: number) => number,
): Uint8Array {
  reader.reset(body);
  const parts: Uint8Array[] = [];
  let copied = 0;
  while (reader.next()) {
    if (reader.name !== 'call' && reader.name !== 'return_call' && reader.name !== 'ref.func') continue;
    const to = remap(reader.index);
    if (to === reader.index) continue;
    parts.push(body.subarray(copied, reader.immStart), Uint8Array.from(encodeLeb(to)));
    copied = reader.immEnd;
  }
  if (copied === 0) return body;
  parts.push(body.subarray(copied));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function encodeLeb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const b = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? b : b | 0x80);
  } while (v !== 0);
  return out;
}

/** The message a JS-interop stub prints before trapping. */
export function jsInteropMessage(importModule: string, importName: string): string {
  const name = importName.split(':')[0]!.trim();
  return (
    `wasm-runtime/ruby: the app called ${importModule}.${name}: JS interop (require "js") is not ` +
    'supported by the wasm-runtime Ruby runtime, which runs on any WASI preview1 host\n'
  );
}

/**
 * Adapts `@ruby/3.4-wasm-wasi`'s `ruby+stdlib.wasm` (a reactor) for the pipeline:
 *
 * - its imports beyond WASI preview1 (`rb-js-abi-host`, `canonical_abi`: the JS interop of
 *   `@ruby/wasm-wasi`) become functions of the module: the `rb-abi-value` resource functions are
 *   the identity (a handle is the value's pointer), every other one writes
 *   {@link jsInteropMessage} to stderr and traps. The module then imports preview1 only.
 * - `args_sizes_get` and `args_get` are imported (the run entry reads its arguments).
 * - `wasm-runtime.init` calls `ruby-init` with {@link RUBY_INIT_ARGS}, then evaluates `prelude`
 *   (which loads the app); it traps when the prelude raises, after the prelude's report.
 * - `wasm-runtime.run` reads the WASI arguments and environment and evaluates
 *   `WasmRuntime.__run("<args hex>", "<env hex>")`, which exits through `proc_exit`.
 *
 * Function indices of the module's own functions do not move: the imports it loses are replaced
 * by preview1 imports and unreachable fillers, the stubs go at the end, and only the 137 calls
 * to imports are re-encoded.
 */
export function adaptRubyModule(input: Uint8Array, prelude: string): Uint8Array {
  const module = parseModule(input);
  const imports = getSection(module, 'import')?.imports ?? [];
  if (imports.some((i) => i.desc.kind !== 'func')) {
    throw new RubyBuildError(
      'ERR_RUBY_BAD_RUNTIME',
      'the Ruby module imports something other than functions: not the expected ruby+stdlib.wasm',
    );
  }
  const exports = getExports(module);
  const realloc = funcExport(exports, RUBY_EXPORTS.realloc);
  const rubyInit = funcExport(exports, RUBY_EXPORTS.rubyInit);
  const evalString = funcExport(exports, RUBY_EXPORTS.evalString);
  const dropValue = funcExport(exports, RUBY_EXPORTS.dropValue);

  const oldImports = imports.length;
  const wasi = imports.filter((i) => i.module === WASI);
  const foreign = imports.filter((i) => i.module !== WASI);
  const wanted: Array<[string, FuncType]> = [
    ['args_sizes_get', { kind: 'func', params: [I32, I32], results: [I32] }],
    ['args_get', { kind: 'func', params: [I32, I32], results: [I32] }],
    ['fd_write', { kind: 'func', params: [I32, I32, I32, I32], results: [I32] }],
    ['environ_sizes_get', { kind: 'func', params: [I32, I32], results: [I32] }],
    ['environ_get', { kind: 'func', params: [I32, I32], results: [I32] }],
    ['proc_exit', { kind: 'func', params: [I32], results: [] }],
  ];
  const newImports: Import[] = [...wasi];
  for (const [name, type] of wanted) {
    if (!newImports.some((i) => i.name === name)) {
      newImports.push({ module: WASI, name, desc: { kind: 'func', type: typeIndex(module, type) } });
    }
  }
  const fillers = oldImports - newImports.length;
  if (fillers < 0) {
    throw new RubyBuildError(
      'ERR_RUBY_BAD_RUNTIME',
      'the Ruby module has too few non-preview1 imports to make room for args_get/args_sizes_get',
    );
  }
  const wasiIndex = (name: string) => newImports.findIndex((i) => i.name === name);
  const functions = getSection(module, 'function')?.types ?? [];
  const code = getSection(module, 'code')?.bodies ?? [];
  const stubBase = oldImports + functions.length;

  // Old import index -> new index: preview1 imports keep their order at the front; the others
  // become the stubs appended after every defined function.
  const importMap = imports.map((imp) =>
    imp.module === WASI ? newImports.indexOf(imp) : stubBase + foreign.indexOf(imp),
  );
  const remap = (index: number) => (index < oldImports ? importMap[index]! : index);

  const reader = new InstructionReader();
  const bodies = code.map((body) => remapBody(reader, body, remap));
  const voidType = typeIndex(module, VOID_TYPE);
  setSection(module, { kind: 'import', imports: newImports });
  setSection(module, {
    kind: 'function',
    types: [...Array.from({ length: fillers }, () => voidType), ...functions],
  });
  setSection(module, {
    kind: 'code',
    bodies: [...Array.from({ length: fillers }, () => Uint8Array.of(0, 0x00, 0x0b)), ...bodies],
  });
  const element = getSection(module, 'element');
  if (element?.segments.some((s) => s.exprs !== undefined || (s.funcs ?? []).some((f) => f < oldImports))) {
    throw new RubyBuildError(
      'ERR_RUBY_BAD_RUNTIME',
      'the Ruby module puts imported functions in a table: not the expected ruby+stdlib.wasm',
    );
  }
  if (exports.some((e) => e.kind === 'func' && e.index < oldImports) || getSection(module, 'start')) {
    throw new RubyBuildError(
      'ERR_RUBY_BAD_RUNTIME',
      'the Ruby module exports an import or has a start function: not the expected ruby+stdlib.wasm',
    );
  }

  const fdWrite = wasiIndex('fd_write');
  const stubs = foreign.map((imp) => {
    const type = funcTypeAt(module, (imp.desc as { type: number }).type);
    const body = new Body(type.params.length);
    if (IDENTITY_IMPORTS.has(imp.name) && type.params.length === 1 && type.results.length === 1) {
      body.get(0);
      return { type, body: body.finish() };
    }
    const message = enc.encode(jsInteropMessage(imp.module, imp.name));
    const buf = body.local();
    // iovec { buf + 12, len } at buf, nwritten at buf + 8, the message at buf + 12
    body
      .i32(0)
      .i32(0)
      .i32(4)
      .i32(12 + message.length)
      .call(realloc)
      .set(buf);
    body.get(buf).get(buf).i32(12).add().store(0);
    body.get(buf).i32(message.length).store(4);
    body.storeBytes(buf, 12, message);
    body.i32(2).get(buf).i32(1).get(buf).i32(8).add().call(fdWrite).drop().unreachable();
    return { type, body: body.finish() };
  });
  const stubIndices = addFunctions(module, stubs);
  if (stubIndices[0] !== undefined && stubIndices[0] !== stubBase) {
    throw new RubyBuildError(
      'ERR_RUBY_BAD_RUNTIME',
      'internal: the stubs did not land where calls expect them',
    );
  }

  const hex = addFunctions(module, [
    { type: { kind: 'func', params: [I32, I32, I32], results: [I32] }, body: hexBody() },
  ])[0]!;
  const evalOrTrap = addFunctions(module, [
    { type: { kind: 'func', params: [I32, I32], results: [] }, body: evalOrTrapBody(evalString, dropValue) },
  ])[0]!;
  const [init, run] = addFunctions(module, [
    { type: VOID_TYPE, body: initBody({ realloc, rubyInit, evalOrTrap }, prelude) },
    {
      type: VOID_TYPE,
      body: runBody({
        realloc,
        hex,
        evalOrTrap,
        argsSizesGet: wasiIndex('args_sizes_get'),
        argsGet: wasiIndex('args_get'),
        environSizesGet: wasiIndex('environ_sizes_get'),
        environGet: wasiIndex('environ_get'),
        procExit: wasiIndex('proc_exit'),
      }),
    },
  ]);
  setExports(module, [
    ...exports.map((e) => (e.kind === 'func' ? { ...e, index: remap(e.index) } : e)),
    { name: RUBY_EXPORTS.init, kind: 'func', index: init! },
    { name: RUBY_EXPORTS.run, kind: 'func', index: run! },
  ]);
  return writeModule(module);
}

/** `(src, len, dst) -> dst + 2 * len`: writes the lowercase hex digits of `len` bytes at `src`. */
function hexBody(): Uint8Array {
  const b = new Body(3);
  const [src, len, dst] = [0, 1, 2];
  const byte = b.local();
  const digit = (shiftOrMask: 'high' | 'low') => {
    // d + '0', plus 39 more when d > 9 ('a' - '0' - 10)
    const d = b.local();
    b.get(byte);
    if (shiftOrMask === 'high') b.i32(4).shrU();
    else b.i32(15).and();
    b.set(d);
    b.get(d).i32(48).add().get(d).i32(9).gtU().i32(39).mul().add();
  };
  b.block().loop();
  b.get(len).eqz().brIf(1);
  b.get(src).load8u().set(byte);
  b.get(dst);
  digit('high');
  b.store8(0);
  b.get(dst);
  digit('low');
  b.store8(1);
  b.get(dst).i32(2).add().set(dst);
  b.get(src).i32(1).add().set(src);
  b.get(len).i32(1).sub().set(len);
  b.br(0).end().end();
  b.get(dst);
  return b.finish();
}

/** `(ptr, len)`: evaluates the NUL-terminated Ruby source; traps when it raised, else releases the result. */
function evalOrTrapBody(evalString: number, dropValue: number): Uint8Array {
  const b = new Body(2);
  const ret = b.local();
  b.get(0).get(1).call(evalString).set(ret);
  b.get(ret).load(4).if().unreachable().end();
  b.get(ret).load(0).call(dropValue);
  return b.finish();
}

interface InitFuncs {
  realloc: number;
  rubyInit: number;
  evalOrTrap: number;
}

function initBody(f: InitFuncs, prelude: string): Uint8Array {
  const b = new Body(0);
  const buf = b.local();
  const strings = RUBY_INIT_ARGS.map((a) => enc.encode(`${a}\0`));
  const listBytes = strings.length * 8;
  const total = listBytes + strings.reduce((n, s) => n + s.length, 0);
  b.i32(0).i32(0).i32(4).i32(total).call(f.realloc).set(buf);
  let at = listBytes;
  strings.forEach((s, k) => {
    b.get(buf)
      .get(buf)
      .i32(at)
      .add()
      .store(k * 8);
    b.get(buf)
      .i32(s.length)
      .store(k * 8 + 4);
    b.storeBytes(buf, at, s);
    at += s.length;
  });
  b.get(buf).i32(strings.length).call(f.rubyInit);
  const source = enc.encode(`${prelude}\0`);
  const src = b.local();
  b.i32(0).i32(0).i32(1).i32(source.length).call(f.realloc).set(src);
  b.storeBytes(src, 0, source);
  b.get(src).i32(source.length).call(f.evalOrTrap);
  return b.finish();
}

interface RunFuncs {
  realloc: number;
  hex: number;
  evalOrTrap: number;
  argsSizesGet: number;
  argsGet: number;
  environSizesGet: number;
  environGet: number;
  procExit: number;
}

function runBody(f: RunFuncs): Uint8Array {
  const b = new Body(0);
  const sizes = b.local();
  const argsBuf = b.local();
  const argsLen = b.local();
  const envBuf = b.local();
  const envLen = b.local();
  const out = b.local();
  const at = b.local();
  b.i32(0).i32(0).i32(4).i32(8).call(f.realloc).set(sizes);
  // Reads a WASI string list (args or environ): its NUL-terminated strings end to end in `buf`.
  const readList = (sizesGet: number, get: number, buf: number, len: number) => {
    b.get(sizes).get(sizes).i32(4).add().call(sizesGet).if().i32(71).call(f.procExit).end();
    b.get(sizes).load(4).set(len);
    b.i32(0).i32(0).i32(4).get(sizes).load(0).i32(4).mul().i32(4).add().call(f.realloc);
    b.i32(0).i32(0).i32(1).get(len).i32(1).add().call(f.realloc).tee(buf);
    b.call(get).if().i32(71).call(f.procExit).end();
  };
  readList(f.argsSizesGet, f.argsGet, argsBuf, argsLen);
  readList(f.environSizesGet, f.environGet, envBuf, envLen);
  const prefix = enc.encode('WasmRuntime.__run("');
  const middle = enc.encode('", "');
  const suffix = enc.encode('")\0');
  const fixed = prefix.length + middle.length + suffix.length;
  // out = prefix + hex(args) + middle + hex(env) + suffix
  b.i32(0)
    .i32(0)
    .i32(1)
    .get(argsLen)
    .get(envLen)
    .add()
    .i32(2)
    .mul()
    .i32(fixed)
    .add()
    .call(f.realloc)
    .set(out);
  b.storeBytes(out, 0, prefix);
  b.get(argsBuf).get(argsLen).get(out).i32(prefix.length).add().call(f.hex).set(at);
  b.storeBytes(at, 0, middle);
  b.get(envBuf).get(envLen).get(at).i32(middle.length).add().call(f.hex).set(at);
  b.storeBytes(at, 0, suffix);
  b.get(out).get(at).i32(suffix.length).add().get(out).sub().call(f.evalOrTrap);
  // __run ends with exit!; reaching here means it returned without exiting.
  b.i32(70).call(f.procExit);
  return b.finish();
}
