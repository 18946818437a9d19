import { HEAP_BY_BYTE, VALTYPE_BY_BYTE } from './cursor.js';
import { getSection, importsOf } from './edit.js';
import { MalformedModuleError } from './errors.js';
import { functionName, offsetIn } from './names.js';
import { PREFIX_FC, PREFIX_FD, PREFIX_FE, SINGLE } from './opcodes.js';
import type { WasmModule } from './types.js';

const EMPTY = new Uint8Array(0);
// Immediate kinds are literals in the hot switch (values of `Imm` in opcodes.ts) so that it
// compiles to a jump table whatever the transpiler does with imported constants.
const INVALID = 255;
const PREFIXES: Readonly<Record<number, { names: string[]; imms: Uint8Array }>> = {
  252: PREFIX_FC,
  253: PREFIX_FD,
  254: PREFIX_FE,
};
const hex = (b: number) => `0x${b.toString(16).padStart(2, '0')}`;

/**
 * A reusable cursor over the instructions of one function body. `next()` decodes one
 * instruction into the reader's fields and allocates nothing, so scanning a 30 MB module is a
 * tight loop. Fields that an instruction does not use keep stale values: read only those its
 * opcode defines (see the README's table).
 *
 * ```ts
 * const r = new InstructionReader();
 * r.reset(body, funcIndex, bodyOffset);
 * while (r.next()) if (r.name === 'table.set') console.log(r.index, r.offset);
 * ```
 */
export class InstructionReader {
  /** The body being read (local declarations, then the expression). */
  body: Uint8Array = EMPTY;
  /** The function index of the body, for error messages (-1 when unknown). */
  funcIndex = -1;
  /** Offset of `body[0]` in the module, so `offset` is absolute. */
  base = 0;
  /** Position of the next instruction in `body`. */
  pos = 0;
  /** Where the expression starts in `body`, after the local declarations. */
  codeStart = 0;
  /** Number of locals the body declares (not counting parameters). */
  localCount = 0;

  /** First byte of the current instruction. */
  opcode = 0;
  /** Sub-opcode of a 0xfc/0xfd/0xfe instruction, -1 otherwise. */
  sub = -1;
  /** Text-format name, e.g. `i32.load`, `table.set`, `memory.atomic.wait32`. */
  name = '';
  /** Absolute byte offset of the current instruction (`base` + position in `body`). */
  offset = 0;
  /** Position in `body` of the current instruction's immediates, and just past them. */
  immStart = 0;
  immEnd = 0;
  /** Block nesting depth after the current instruction (0 inside the function's own block). */
  depth = 0;

  /**
   * First index immediate: local, global, function, type (call_indirect, call_ref), table,
   * label, tag, data segment (memory.init, data.drop), element segment (table.init, elem.drop),
   * destination memory/table (memory.copy, table.copy), memory (memory.size/grow/fill), lane.
   */
  index = 0;
  /** Second index: table of call_indirect, memory of memory.init, source memory/table of copies, table of table.init. */
  index2 = 0;
  /** Memory access: alignment exponent, memory index (multi-memory), static offset. */
  memAlign = 0;
  memIndex = 0;
  memOffset = 0;
  /** Lane of extract/replace_lane and load/store_lane. */
  lane = 0;
  /** Block type: -64 for none, a negative value type code (-1 = i32...), or a type index. */
  blockType = -64;
  /** Value of `i32.const`. */
  i32 = 0;

  /** Starts reading `body`; reads its local declarations. */
  reset(body: Uint8Array, funcIndex = -1, base = 0): this {
    this.body = body;
    this.funcIndex = funcIndex;
    this.base = base;
    this.pos = 0;
    this.depth = 0;
    this.localCount = 0;
    const groups = this.u32();
    for (let i = 0; i < groups; i++) {
      this.localCount += this.u32();
      this.valType();
    }
    if (this.localCount > 0xffffffff) this.fail(`declares ${this.localCount} locals (at most 2^32 - 1)`, 0);
    this.codeStart = this.pos;
    this.depth = 0;
    return this;
  }

  /** Decodes the next instruction; false at the end of the body. */
  next(): boolean {
    const bytes = this.body;
    if (this.pos >= bytes.length) {
      if (this.depth >= 0) this.fail('body ends before its final end', this.pos);
      return false;
    }
    if (this.depth < 0) this.fail('bytes after the final end of the body', this.pos);
    const start = this.pos;
    this.offset = this.base + start;
    const op = bytes[this.pos++]!;
    this.opcode = op;
    let imm: number;
    if (op >= 0xfc && op <= 0xfe) {
      const table = PREFIXES[op]!;
      const sub = this.u32();
      this.sub = sub;
      imm = sub < table.imms.length ? table.imms[sub]! : INVALID;
      if (imm === INVALID) this.fail(`unknown opcode ${hex(op)} ${sub}`, start);
      this.name = table.names[sub]!;
    } else {
      this.sub = -1;
      imm = SINGLE.imms[op]!;
      if (imm === INVALID) this.fail(`unknown opcode ${hex(op)}`, start);
      this.name = SINGLE.names[op]!;
    }
    this.immStart = this.pos;
    switch (imm) {
      case 0 /* None */:
        if (op === 0x0b) this.depth--;
        break;
      case 1 /* BlockType */:
        this.readBlockType();
        this.depth++;
        break;
      case 2 /* Label */:
        this.index = this.u32();
        if (op === 0x18) this.depth--;
        break;
      case 3 /* BrTable */:
        {
          const n = this.u32();
          for (let i = 0; i < n; i++) this.u32();
          this.index = this.u32();
          break;
        }
      case 4 /* Func */:
      case 6 /* Local */:
      case 7 /* Global */:
      case 8 /* Table */:
      case 10 /* MemIdx */:
      case 17 /* Tag */:
      case 19 /* Type */:
      case 20 /* Data */:
      case 23 /* Elem */:
        this.index = this.u32();
        break;
      case 5 /* CallIndirect */:
      case 21 /* MemoryInit */:
      case 22 /* MemoryCopy */:
      case 24 /* TableInit */:
      case 25 /* TableCopy */:
        this.index = this.u32();
        this.index2 = this.u32();
        break;
      case 9 /* MemArg */:
        this.memArg();
        break;
      case 29 /* MemArgLane */:
        this.memArg();
        this.lane = this.byte();
        break;
      case 28 /* Lane */:
        this.lane = this.byte();
        this.index = this.lane;
        break;
      case 11 /* I32 */:
        this.i32 = this.s32();
        break;
      case 12 /* I64 */:
        this.skipLeb(10);
        break;
      case 13 /* F32 */:
        this.skip(4);
        break;
      case 14 /* F64 */:
        this.skip(8);
        break;
      case 26 /* V128 */:
      case 27 /* Shuffle */:
        this.skip(16);
        break;
      case 15 /* SelectT */:
        {
          const n = this.u32();
          for (let i = 0; i < n; i++) this.valType();
          break;
        }
      case 16 /* HeapType */:
        this.heapType();
        break;
      case 18 /* TryTable */:
        {
          this.readBlockType();
          const n = this.u32();
          for (let i = 0; i < n; i++) {
            const kind = this.byte();
            if (kind > 3) this.fail(`unknown try_table catch kind ${kind}`, this.pos - 1);
            if (kind < 2) this.u32();
            this.u32();
          }
          this.depth++;
          break;
        }
      case 30 /* ZeroByte */:
        if (this.byte() !== 0) this.fail(`${this.name} expects a 0x00 byte`, this.pos - 1);
        break;
    }
    this.immEnd = this.pos;
    return true;
  }

  /** The targets of the current `br_table`, default last (allocates). */
  brTableTargets(): number[] {
    const save = this.pos;
    this.pos = this.immStart;
    const n = this.u32();
    const out: number[] = [];
    for (let i = 0; i <= n; i++) out.push(this.u32());
    this.pos = save;
    return out;
  }

  /** The value of the current `i64.const` (allocates a bigint). */
  i64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let at = this.immStart; at < this.immEnd; at++) {
      const byte = this.body[at]!;
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0 && byte & 0x40) result -= 1n << shift;
    }
    return BigInt.asIntN(64, result);
  }

  /** The raw bytes of the immediates (for f32/f64/v128 constants and shuffles: little-endian bits). */
  immediates(): Uint8Array {
    return this.body.subarray(this.immStart, this.immEnd);
  }

  private fail(message: string, at: number): never {
    const fn = this.funcIndex >= 0 ? ` in function ${this.funcIndex}${this.describe(this.funcIndex)}` : '';
    throw new MalformedModuleError(`${message}${fn}`, this.base + at, 'code');
  }

  /** Names a function in error messages (set by `scanFunctions` from the name section). */
  describe: (funcIndex: number) => string = () => '';

  private byte(): number {
    if (this.pos >= this.body.length) this.fail('unexpected end of the function body', this.pos);
    return this.body[this.pos++]!;
  }

  private skip(n: number): void {
    if (this.pos + n > this.body.length) this.fail('unexpected end of the function body', this.pos);
    this.pos += n;
  }

  private skipLeb(max: number): void {
    const bytes = this.body;
    for (let i = 0; i < max; i++) {
      if (this.pos >= bytes.length)
        this.fail('unexpected end of the function body in a LEB128 integer', this.pos);
      if ((bytes[this.pos++]! & 0x80) === 0) return;
    }
    this.fail('LEB128 integer too long', this.pos - 1);
  }

  private u32(): number {
    return this.unsigned(5, 0xf0, 'u32');
  }

  private u64(): number {
    return this.unsigned(10, 0xfe, 'u64');
  }

  /** Unsigned LEB128 of at most `maxBytes` bytes; `unused` are the bits the last byte must not set. */
  private unsigned(maxBytes: number, unused: number, what: string): number {
    const bytes = this.body;
    let pos = this.pos;
    if (pos < bytes.length) {
      const b = bytes[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let result = 0;
    let mul = 1;
    for (let i = 0; i < maxBytes; i++) {
      if (pos >= bytes.length) this.fail('unexpected end of the function body in a LEB128 integer', pos);
      const b = bytes[pos++]!;
      if (i === maxBytes - 1 && b & unused) this.fail(`LEB128 integer too large for ${what}`, pos - 1);
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        this.pos = pos;
        return result;
      }
      mul *= 128;
    }
    /* c8 ignore next */
    return this.fail('LEB128 integer too long', pos);
  }

  private s32(): number {
    const bytes = this.body;
    let pos = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      if (pos >= bytes.length) this.fail('unexpected end of the function body in a LEB128 integer', pos);
      const b = bytes[pos++]!;
      if (i === 4 && (b & 0x80 || ((b & 0x78) !== 0 && (b & 0x78) !== 0x78))) {
        this.fail('LEB128 integer too large for s32', pos - 1);
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) {
        this.pos = pos;
        return b & 0x40 ? result - mul : result;
      }
    }
    /* c8 ignore next */
    return this.fail('LEB128 integer too long', pos);
  }

  private memArg(): void {
    const at = this.pos;
    let flags = this.u32();
    if (flags & 0x40) {
      flags &= ~0x40;
      this.memIndex = this.u32();
    } else {
      this.memIndex = 0;
    }
    if (flags >= 64) this.fail(`alignment flags ${flags} out of range`, at);
    this.memAlign = flags;
    this.memOffset = this.u64();
  }

  private heapType(): void {
    const b = this.body[this.pos];
    if (b !== undefined && HEAP_BY_BYTE.has(b)) {
      this.pos++;
      return;
    }
    const at = this.pos;
    const v = this.s33();
    if (v < 0) this.fail(`unknown heap type ${v}`, at);
  }

  private s33(): number {
    const bytes = this.body;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= bytes.length)
        this.fail('unexpected end of the function body in a LEB128 integer', this.pos);
      const b = bytes[this.pos++]!;
      if (i === 4 && (b & 0x80 || ((b & 0x70) !== 0 && (b & 0x70) !== 0x70))) {
        this.fail('LEB128 integer too large for s33', this.pos - 1);
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return b & 0x40 ? result - mul : result;
    }
    /* c8 ignore next */
    return this.fail('LEB128 integer too long', this.pos);
  }

  private valType(): void {
    const at = this.pos;
    const b = this.byte();
    if (VALTYPE_BY_BYTE.has(b)) return;
    if (b === 0x63 || b === 0x64) {
      this.heapType();
      return;
    }
    this.fail(`unknown value type ${hex(b)}`, at);
  }

  private readBlockType(): void {
    const at = this.pos;
    const b = this.body[at];
    if (b === 0x63 || b === 0x64) {
      this.pos++;
      this.heapType();
      this.blockType = b - 0x80;
      return;
    }
    const v = this.s33();
    if (v < 0 && v !== -64 && !VALTYPE_BY_BYTE.has(v + 0x80)) this.fail(`unknown block type ${v}`, at);
    this.blockType = v;
  }
}

/** One match of `scanFunctions`. */
export interface InstructionMatch {
  /** Function index (imports counted). */
  funcIndex: number;
  /** Absolute byte offset of the instruction in the module. */
  offset: number;
  /** Instruction name, e.g. `table.set`. */
  name: string;
  /** The function's name from the name section, when it has one. */
  funcName?: string | undefined;
}

/**
 * Calls `visit` with the reader positioned on each instruction of each defined function, in
 * order (`reader.funcIndex` says which function). Allocates nothing per instruction. Returning
 * `false` from `visit` stops the scan.
 * @throws MalformedModuleError naming the opcode, function index and byte offset.
 */
export function forEachInstruction(module: WasmModule, visit: (reader: InstructionReader) => unknown): void {
  const code = getSection(module, 'code');
  if (code === undefined) return;
  const imported = importsOf(module, 'func').length;
  const reader = new InstructionReader();
  reader.describe = (i) => {
    const name = functionName(module, i);
    return name === undefined ? '' : ` (${name})`;
  };
  const bodies = code.bodies;
  for (let i = 0; i < bodies.length; i++) {
    const body = bodies[i]!;
    reader.reset(body, imported + i, offsetIn(module, body) ?? 0);
    while (reader.next()) if (visit(reader) === false) return;
  }
}

/**
 * Finds the instructions for which `predicate` returns true, e.g.
 * `scanFunctions(m, (r) => r.name === 'table.set' || r.name === 'memory.init')`.
 */
export function scanFunctions(
  module: WasmModule,
  predicate: (reader: InstructionReader) => boolean,
): InstructionMatch[] {
  const matches: InstructionMatch[] = [];
  forEachInstruction(module, (r) => {
    if (predicate(r)) {
      matches.push({
        funcIndex: r.funcIndex,
        offset: r.offset,
        name: r.name,
        funcName: functionName(module, r.funcIndex),
      });
    }
  });
  return matches;
}

/** One decoded instruction (see `decodeInstructions`). */
export interface Instruction {
  name: string;
  /** Offset in the body (or absolute, when a base is given). */
  offset: number;
  /** The immediates' bytes. */
  immediates: Uint8Array;
}

/** Decodes a whole function body into an array (allocates: for tests, tools and messages). */
export function decodeInstructions(body: Uint8Array, funcIndex = -1, base = 0): Instruction[] {
  const r = new InstructionReader().reset(body, funcIndex, base);
  const out: Instruction[] = [];
  while (r.next()) out.push({ name: r.name, offset: r.offset, immediates: r.immediates() });
  return out;
}
