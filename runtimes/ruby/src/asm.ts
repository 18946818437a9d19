import { encodeS, encodeU } from '@wasm-runtime/wasm';

// Just enough of a WebAssembly code emitter for the recipe's few added functions: i32 locals,
// calls, loads and stores, blocks. Bodies are built as bytes for `addFunctions`.

const OP = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Load8U: 0x2d,
  i32Store: 0x36,
  i32Store8: 0x3a,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Ne: 0x47,
  i32GtU: 0x4b,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32ShrU: 0x76,
} as const;
const VOID = 0x40;

/** A function body under construction: `params` i32 parameters, then i32 locals from `local()`. */
export class Body {
  private readonly bytes: number[] = [];
  private locals = 0;

  constructor(private readonly params: number) {}

  /** A new i32 local; returns its index. */
  local(): number {
    return this.params + this.locals++;
  }

  private op(...items: number[]): this {
    this.bytes.push(...items);
    return this;
  }

  get(local: number): this {
    return this.op(OP.localGet, ...encodeU(local));
  }
  set(local: number): this {
    return this.op(OP.localSet, ...encodeU(local));
  }
  tee(local: number): this {
    return this.op(OP.localTee, ...encodeU(local));
  }
  i32(value: number): this {
    return this.op(OP.i32Const, ...encodeS(value | 0));
  }
  call(func: number): this {
    return this.op(OP.call, ...encodeU(func));
  }
  load(offset = 0): this {
    return this.op(OP.i32Load, 2, ...encodeU(offset));
  }
  load8u(offset = 0): this {
    return this.op(OP.i32Load8U, 0, ...encodeU(offset));
  }
  store(offset = 0): this {
    return this.op(OP.i32Store, 2, ...encodeU(offset));
  }
  store8(offset = 0): this {
    return this.op(OP.i32Store8, 0, ...encodeU(offset));
  }
  add(): this {
    return this.op(OP.i32Add);
  }
  sub(): this {
    return this.op(OP.i32Sub);
  }
  mul(): this {
    return this.op(OP.i32Mul);
  }
  and(): this {
    return this.op(OP.i32And);
  }
  shrU(): this {
    return this.op(OP.i32ShrU);
  }
  gtU(): this {
    return this.op(OP.i32GtU);
  }
  eqz(): this {
    return this.op(OP.i32Eqz);
  }
  ne(): this {
    return this.op(OP.i32Ne);
  }
  drop(): this {
    return this.op(OP.drop);
  }
  unreachable(): this {
    return this.op(OP.unreachable);
  }
  return(): this {
    return this.op(OP.return);
  }
  block(): this {
    return this.op(OP.block, VOID);
  }
  loop(): this {
    return this.op(OP.loop, VOID);
  }
  if(): this {
    return this.op(OP.if, VOID);
  }
  end(): this {
    return this.op(OP.end);
  }
  br(depth: number): this {
    return this.op(OP.br, ...encodeU(depth));
  }
  brIf(depth: number): this {
    return this.op(OP.brIf, ...encodeU(depth));
  }

  /** Stores `data` at `[local] + offset`, four bytes at a time. */
  storeBytes(local: number, offset: number, data: Uint8Array): this {
    let i = 0;
    for (; i + 4 <= data.length; i += 4) {
      const word = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
      this.get(local)
        .i32(word)
        .store(offset + i);
    }
    for (; i < data.length; i++)
      this.get(local)
        .i32(data[i]!)
        .store8(offset + i);
    return this;
  }

  /** The body's bytes: one declaration of all i32 locals, the code, the final `end`. */
  finish(): Uint8Array {
    const decls = this.locals === 0 ? [0] : [1, ...encodeU(this.locals), 0x7f];
    return Uint8Array.from([...decls, ...this.bytes, OP.end]);
  }
}
