// Gives Ruby's npm build (a reactor with no init export) the exports a pre-initializer needs, with
// the project's own codec: an init export that calls `ruby-init` with the argument list the
// @ruby/wasm-wasi glue passes, and a no-op export that `_initialize` can be renamed to.
//
// `ruby-init` takes a canonical-ABI list<string> as (pointer, length): the init function asks the
// guest's own `cabi_realloc` for one buffer, writes the list's (ptr, len) pairs and the strings'
// bytes into it, then calls `ruby-init`. It does not call `_initialize`: Wizer and ours both call
// `_initialize` themselves before the init export (checked on a probe module).

import {
  encodeU,
  getExports,
  getSection,
  indexSpaces,
  parseModule,
  setExports,
  setSection,
  writeModule,
} from '@wasm-runtime/wasm';

/** The export names added to the module. */
export const RUBY_INIT_EXPORT = 'wasm-runtime.ruby-init';
export const RUBY_NOOP_EXPORT = 'wasm-runtime.noop';
/** What @ruby/wasm-wasi's `RubyVM#initialize` passes (its strings are NUL-terminated there too). */
export const RUBY_ARGS = ['ruby.wasm', '-EUTF-8', '-e_=0'];

const RUBY_INIT = 'ruby-init: func(args: list<string>) -> ()';
const REALLOC = 'cabi_realloc';

function funcExport(exports, name) {
  const e = exports.find((x) => x.name === name && x.kind === 'func');
  if (e === undefined) throw new Error(`ruby+stdlib.wasm has no function export \`${name}\``);
  return e.index;
}

/** Returns the bytes of `bytes` plus the two exports. */
export function addRubyInitExport(bytes, args = RUBY_ARGS) {
  const module = parseModule(bytes);
  const exports = getExports(module);
  const rubyInit = funcExport(exports, RUBY_INIT);
  const realloc = funcExport(exports, REALLOC);

  const enc = new TextEncoder();
  const strings = args.map((a) => enc.encode(`${a}\0`));
  const listBytes = strings.length * 8;
  const total = listBytes + strings.reduce((n, s) => n + s.length, 0);
  const u = (n) => [...encodeU(n)];
  const s32 = (n) => {
    // signed LEB128 of a small non-negative i32
    const out = [];
    let v = n;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        out.push(b);
        return out;
      }
      out.push(b | 0x80);
    }
  };
  const I32_CONST = 0x41;
  const LOCAL_GET = 0x20;
  const LOCAL_SET = 0x21;
  const CALL = 0x10;
  const I32_ADD = 0x6a;
  const I32_STORE = 0x36;
  const I32_STORE8 = 0x3a;
  // one local i32: the buffer
  const body = [0x01, 0x01, 0x7f];
  body.push(I32_CONST, ...s32(0), I32_CONST, ...s32(0), I32_CONST, ...s32(4), I32_CONST, ...s32(total));
  body.push(CALL, ...u(realloc), LOCAL_SET, 0);
  let at = listBytes;
  strings.forEach((str, k) => {
    // list[k] = { ptr: buf + at, len }
    body.push(LOCAL_GET, 0, LOCAL_GET, 0, I32_CONST, ...s32(at), I32_ADD, I32_STORE, 2, ...u(k * 8));
    body.push(LOCAL_GET, 0, I32_CONST, ...s32(str.length), I32_STORE, 2, ...u(k * 8 + 4));
    for (let i = 0; i < str.length; i++) {
      body.push(LOCAL_GET, 0, I32_CONST, ...s32(str[i]), I32_STORE8, 0, ...u(at + i));
    }
    at += str.length;
  });
  body.push(LOCAL_GET, 0, I32_CONST, ...s32(strings.length), CALL, ...u(rubyInit), 0x0b);
  const noop = [0x00, 0x0b];

  const typeSec = getSection(module, 'type');
  const types = typeSec?.types ?? [];
  const typeCount = types.reduce((n, t) => n + (t.kind === 'raw' ? t.count : 1), 0);
  setSection(module, { kind: 'type', types: [...types, { kind: 'func', params: [], results: [] }] });
  const first = indexSpaces(module).func.total;
  setSection(module, {
    kind: 'function',
    types: [...(getSection(module, 'function')?.types ?? []), typeCount, typeCount],
  });
  setSection(module, {
    kind: 'code',
    bodies: [...(getSection(module, 'code')?.bodies ?? []), Uint8Array.from(body), Uint8Array.from(noop)],
  });
  setExports(module, [
    ...exports,
    { name: RUBY_INIT_EXPORT, kind: 'func', index: first },
    { name: RUBY_NOOP_EXPORT, kind: 'func', index: first + 1 },
  ]);
  return writeModule(module);
}
