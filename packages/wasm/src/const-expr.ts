import { Cursor } from './cursor.js';
import { MalformedModuleError } from './errors.js';
import { encodeS, encodeU } from './leb128.js';
import type { ConstExpr, HeapType, ValType } from './types.js';
import { encodeHeapType } from './write.js';

/** One instruction of a constant expression, decoded. */
export type ConstInstr =
  | { readonly op: 'i32.const'; readonly value: number }
  | { readonly op: 'i64.const'; readonly value: bigint }
  | { readonly op: 'f32.const'; readonly bits: number }
  | { readonly op: 'f64.const'; readonly bits: bigint }
  | { readonly op: 'v128.const'; readonly bytes: Uint8Array }
  | { readonly op: 'global.get' | 'ref.func'; readonly index: number }
  | { readonly op: 'ref.null'; readonly heap: HeapType }
  | {
      readonly op: 'i32.add' | 'i32.sub' | 'i32.mul' | 'i64.add' | 'i64.sub' | 'i64.mul';
    }
  | {
      readonly op: 'struct.new' | 'struct.new_default' | 'array.new' | 'array.new_default';
      readonly index: number;
    }
  | { readonly op: 'array.new_fixed'; readonly index: number; readonly length: number }
  | { readonly op: 'ref.i31' | 'any.convert_extern' | 'extern.convert_any' };

const ARITH: Record<number, ConstInstr['op']> = {
  106: 'i32.add',
  107: 'i32.sub',
  108: 'i32.mul',
  124: 'i64.add',
  125: 'i64.sub',
  126: 'i64.mul',
};

/**
 * Reads a constant expression at `c.pos` through its `end`, returning the decoded instructions
 * when `out` is given. Accepts the MVP constants, extended-const arithmetic, references, SIMD
 * `v128.const` and the GC allocation instructions.
 * @internal
 */
export function readConstExpr(c: Cursor, out?: ConstInstr[]): void {
  for (;;) {
    const at = c.pos;
    const op = c.u8();
    switch (op) {
      case 0x0b:
        return;
      case 0x41: {
        const value = c.s32();
        out?.push({ op: 'i32.const', value });
        break;
      }
      case 0x42: {
        if (out) out.push({ op: 'i64.const', value: c.s64() });
        else c.skipLeb(10);
        break;
      }
      case 0x43: {
        const b = c.take(4);
        out?.push({ op: 'f32.const', bits: (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0 });
        break;
      }
      case 0x44: {
        const b = c.take(8);
        if (out) {
          let bits = 0n;
          for (let i = 7; i >= 0; i--) bits = (bits << 8n) | BigInt(b[i]!);
          out.push({ op: 'f64.const', bits });
        }
        break;
      }
      case 0x23:
      case 0xd2: {
        const index = c.u32();
        out?.push({ op: op === 0x23 ? 'global.get' : 'ref.func', index });
        break;
      }
      case 0xd0: {
        const heap = c.heapType();
        out?.push({ op: 'ref.null', heap });
        break;
      }
      case 0x6a:
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        out?.push({ op: ARITH[op] } as ConstInstr);
        break;
      case 0xfd: {
        const sub = c.u32();
        if (sub !== 12) c.fail(`instruction 0xfd ${sub} is not allowed in a constant expression`, at);
        const bytes = c.take(16);
        out?.push({ op: 'v128.const', bytes });
        break;
      }
      case 0xfb: {
        const sub = c.u32();
        if (sub === 0 || sub === 1 || sub === 6 || sub === 7) {
          const index = c.u32();
          const names = [
            'struct.new',
            'struct.new_default',
            '',
            '',
            '',
            '',
            'array.new',
            'array.new_default',
          ] as const;
          out?.push({ op: names[sub] as 'struct.new', index });
        } else if (sub === 8) {
          const index = c.u32();
          const length = c.u32();
          out?.push({ op: 'array.new_fixed', index, length });
        } else if (sub === 0x1c || sub === 0x1a || sub === 0x1b) {
          out?.push({
            op: sub === 0x1c ? 'ref.i31' : sub === 0x1a ? 'any.convert_extern' : 'extern.convert_any',
          });
        } else {
          c.fail(`instruction 0xfb ${sub} is not allowed in a constant expression`, at);
        }
        break;
      }
      default:
        c.fail(
          `instruction 0x${op.toString(16).padStart(2, '0')} is not allowed in a constant expression`,
          at,
        );
    }
  }
}

/**
 * Decodes a constant expression into its instructions (without the final `end`).
 * Throws a MalformedModuleError if the bytes are not one whole constant expression.
 */
export function decodeConstExpr(expr: ConstExpr): ConstInstr[] {
  const out: ConstInstr[] = [];
  const c = new Cursor(expr, 0, expr.length, 'constant expression');
  readConstExpr(c, out);
  if (c.pos !== expr.length) {
    throw new MalformedModuleError(
      'bytes after the end of the constant expression',
      c.pos,
      'constant expression',
    );
  }
  return out;
}

/**
 * The value of a constant expression made of a single `i32.const`, `i64.const`, `f32.const`
 * (bits), `f64.const` (bits), `global.get` (index) or `ref.func` (index); undefined otherwise.
 */
export function constExprValue(expr: ConstExpr): ConstInstr | undefined {
  const instrs = decodeConstExpr(expr);
  return instrs.length === 1 ? instrs[0] : undefined;
}

function expr(...parts: (number | Uint8Array)[]): ConstExpr {
  const bytes: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') bytes.push(part);
    else bytes.push(...part);
  }
  bytes.push(0x0b);
  return Uint8Array.from(bytes);
}

/** `(i32.const value)`; `value` is taken modulo 2^32 (so both -1 and 0xffffffff work). */
export function i32Const(value: number): ConstExpr {
  return expr(0x41, encodeS(value | 0));
}

/** `(i64.const value)`; `value` is taken modulo 2^64. */
export function i64Const(value: bigint | number): ConstExpr {
  return expr(0x42, encodeS(BigInt.asIntN(64, BigInt(value))));
}

/** `(f32.const)` from the raw IEEE-754 bits, so NaN payloads survive. */
export function f32Const(bits: number): ConstExpr {
  const b = bits >>> 0;
  return expr(0x43, b & 0xff, (b >>> 8) & 0xff, (b >>> 16) & 0xff, b >>> 24);
}

/** `(f64.const)` from the raw IEEE-754 bits, so NaN payloads survive. */
export function f64Const(bits: bigint): ConstExpr {
  const out = new Uint8Array(8);
  let v = BigInt.asUintN(64, bits);
  for (let i = 0; i < 8; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return expr(0x44, out);
}

/** `(v128.const)` from its 16 bytes in memory order. */
export function v128Const(bytes: Uint8Array): ConstExpr {
  if (bytes.length !== 16) throw new RangeError(`v128Const needs 16 bytes, got ${bytes.length}`);
  return expr(0xfd, 12, bytes);
}

/** `(global.get index)`. */
export function globalGet(index: number): ConstExpr {
  return expr(0x23, encodeU(index));
}

/** `(ref.func index)`. */
export function refFunc(index: number): ConstExpr {
  return expr(0xd2, encodeU(index));
}

/** `(ref.null heap)`, e.g. `refNull('func')` or `refNull('extern')`. */
export function refNull(heap: HeapType): ConstExpr {
  return expr(0xd0, encodeHeapType(heap));
}

const scratch = new DataView(new ArrayBuffer(8));

/**
 * The constant expression for a value as the JS API gives it (`WebAssembly.Global#value`):
 * a number for i32/f32/f64, a bigint for i64, `null` for a reference type. Floats go through
 * their IEEE bits (NaN payloads are whatever JS kept). Other values throw a RangeError.
 */
export function constExprFor(type: ValType, value: unknown): ConstExpr {
  switch (type) {
    case 'i32':
      if (typeof value === 'number') return i32Const(value);
      break;
    case 'i64':
      if (typeof value === 'bigint' || typeof value === 'number') return i64Const(value);
      break;
    case 'f32':
      if (typeof value === 'number') {
        scratch.setFloat32(0, value, true);
        return f32Const(scratch.getUint32(0, true));
      }
      break;
    case 'f64':
      if (typeof value === 'number') {
        scratch.setFloat64(0, value, true);
        return f64Const(scratch.getBigUint64(0, true));
      }
      break;
    case 'v128':
      if (value instanceof Uint8Array) return v128Const(value);
      break;
    default:
      if (value === null) {
        if (typeof type === 'object') return refNull(type.ref);
        const heap =
          type === 'nullref'
            ? 'none'
            : type.startsWith('null')
              ? `no${type.slice(4, -3)}`
              : type.slice(0, -3);
        return refNull(heap as HeapType);
      }
  }
  throw new RangeError(
    `cannot make a constant expression of type ${JSON.stringify(type)} from ${String(value)}`,
  );
}
