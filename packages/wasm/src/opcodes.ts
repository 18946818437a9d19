/*
 * Opcode tables for the instruction reader: a name and an immediate kind per opcode. Prefixed
 * opcodes (0xfc, 0xfd, 0xfe) are indexed by their LEB128 sub-opcode.
 */

/** Immediate kinds. @internal */
export const Imm = {
  None: 0,
  BlockType: 1,
  Label: 2,
  BrTable: 3,
  Func: 4,
  CallIndirect: 5,
  Local: 6,
  Global: 7,
  Table: 8,
  MemArg: 9,
  MemIdx: 10,
  I32: 11,
  I64: 12,
  F32: 13,
  F64: 14,
  SelectT: 15,
  HeapType: 16,
  Tag: 17,
  TryTable: 18,
  Type: 19,
  Data: 20,
  MemoryInit: 21,
  MemoryCopy: 22,
  Elem: 23,
  TableInit: 24,
  TableCopy: 25,
  V128: 26,
  Shuffle: 27,
  Lane: 28,
  MemArgLane: 29,
  ZeroByte: 30,
  Invalid: 255,
} as const;

type Entry = readonly [name: string, imm: number];

function table(size: number, entries: Record<number, Entry>): { names: string[]; imms: Uint8Array } {
  const names = new Array<string>(size).fill('');
  const imms = new Uint8Array(size).fill(Imm.Invalid);
  for (const [k, [name, imm]] of Object.entries(entries)) {
    names[Number(k)] = name;
    imms[Number(k)] = imm;
  }
  return { names, imms };
}

function run(start: number, imm: number, names: string): Record<number, Entry> {
  const out: Record<number, Entry> = {};
  names
    .trim()
    .split(/\s+/)
    .forEach((name, i) => {
      if (name !== '-') out[start + i] = [name, imm];
    });
  return out;
}

/** Single-byte opcodes. */
export const SINGLE = table(256, {
  0: ['unreachable', Imm.None],
  1: ['nop', Imm.None],
  2: ['block', Imm.BlockType],
  3: ['loop', Imm.BlockType],
  4: ['if', Imm.BlockType],
  5: ['else', Imm.None],
  6: ['try', Imm.BlockType],
  7: ['catch', Imm.Tag],
  8: ['throw', Imm.Tag],
  9: ['rethrow', Imm.Label],
  10: ['throw_ref', Imm.None],
  11: ['end', Imm.None],
  12: ['br', Imm.Label],
  13: ['br_if', Imm.Label],
  14: ['br_table', Imm.BrTable],
  15: ['return', Imm.None],
  16: ['call', Imm.Func],
  17: ['call_indirect', Imm.CallIndirect],
  18: ['return_call', Imm.Func],
  19: ['return_call_indirect', Imm.CallIndirect],
  20: ['call_ref', Imm.Type],
  21: ['return_call_ref', Imm.Type],
  24: ['delegate', Imm.Label],
  25: ['catch_all', Imm.None],
  26: ['drop', Imm.None],
  27: ['select', Imm.None],
  28: ['select', Imm.SelectT],
  31: ['try_table', Imm.TryTable],
  32: ['local.get', Imm.Local],
  33: ['local.set', Imm.Local],
  34: ['local.tee', Imm.Local],
  35: ['global.get', Imm.Global],
  36: ['global.set', Imm.Global],
  37: ['table.get', Imm.Table],
  38: ['table.set', Imm.Table],
  ...run(
    0x28,
    Imm.MemArg,
    `i32.load i64.load f32.load f64.load i32.load8_s i32.load8_u i32.load16_s i32.load16_u
     i64.load8_s i64.load8_u i64.load16_s i64.load16_u i64.load32_s i64.load32_u
     i32.store i64.store f32.store f64.store i32.store8 i32.store16 i64.store8 i64.store16 i64.store32`,
  ),
  63: ['memory.size', Imm.MemIdx],
  64: ['memory.grow', Imm.MemIdx],
  65: ['i32.const', Imm.I32],
  66: ['i64.const', Imm.I64],
  67: ['f32.const', Imm.F32],
  68: ['f64.const', Imm.F64],
  ...run(
    0x45,
    Imm.None,
    `i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s i32.ge_u
     i64.eqz i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_s i64.gt_u i64.le_s i64.le_u i64.ge_s i64.ge_u
     f32.eq f32.ne f32.lt f32.gt f32.le f32.ge
     f64.eq f64.ne f64.lt f64.gt f64.le f64.ge
     i32.clz i32.ctz i32.popcnt i32.add i32.sub i32.mul i32.div_s i32.div_u i32.rem_s i32.rem_u
     i32.and i32.or i32.xor i32.shl i32.shr_s i32.shr_u i32.rotl i32.rotr
     i64.clz i64.ctz i64.popcnt i64.add i64.sub i64.mul i64.div_s i64.div_u i64.rem_s i64.rem_u
     i64.and i64.or i64.xor i64.shl i64.shr_s i64.shr_u i64.rotl i64.rotr
     f32.abs f32.neg f32.ceil f32.floor f32.trunc f32.nearest f32.sqrt
     f32.add f32.sub f32.mul f32.div f32.min f32.max f32.copysign
     f64.abs f64.neg f64.ceil f64.floor f64.trunc f64.nearest f64.sqrt
     f64.add f64.sub f64.mul f64.div f64.min f64.max f64.copysign
     i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u
     i64.extend_i32_s i64.extend_i32_u i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u
     f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s f32.convert_i64_u f32.demote_f64
     f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32
     i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64
     i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s`,
  ),
  208: ['ref.null', Imm.HeapType],
  209: ['ref.is_null', Imm.None],
  210: ['ref.func', Imm.Func],
  211: ['ref.eq', Imm.None],
  212: ['ref.as_non_null', Imm.None],
  213: ['br_on_null', Imm.Label],
  214: ['br_on_non_null', Imm.Label],
});

/** 0xfc: saturating truncation, bulk memory, reference-type table instructions. */
export const PREFIX_FC = table(18, {
  ...run(
    0,
    Imm.None,
    `i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u
     i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u`,
  ),
  8: ['memory.init', Imm.MemoryInit],
  9: ['data.drop', Imm.Data],
  10: ['memory.copy', Imm.MemoryCopy],
  11: ['memory.fill', Imm.MemIdx],
  12: ['table.init', Imm.TableInit],
  13: ['elem.drop', Imm.Elem],
  14: ['table.copy', Imm.TableCopy],
  15: ['table.grow', Imm.Table],
  16: ['table.size', Imm.Table],
  17: ['table.fill', Imm.Table],
});

/** 0xfd: SIMD and relaxed SIMD. */
export const PREFIX_FD = table(0x114, {
  ...run(
    0,
    Imm.MemArg,
    `v128.load v128.load8x8_s v128.load8x8_u v128.load16x4_s v128.load16x4_u v128.load32x2_s v128.load32x2_u
     v128.load8_splat v128.load16_splat v128.load32_splat v128.load64_splat v128.store`,
  ),
  12: ['v128.const', Imm.V128],
  13: ['i8x16.shuffle', Imm.Shuffle],
  ...run(
    14,
    Imm.None,
    'i8x16.swizzle i8x16.splat i16x8.splat i32x4.splat i64x2.splat f32x4.splat f64x2.splat',
  ),
  ...run(
    21,
    Imm.Lane,
    `i8x16.extract_lane_s i8x16.extract_lane_u i8x16.replace_lane i16x8.extract_lane_s i16x8.extract_lane_u
     i16x8.replace_lane i32x4.extract_lane i32x4.replace_lane i64x2.extract_lane i64x2.replace_lane
     f32x4.extract_lane f32x4.replace_lane f64x2.extract_lane f64x2.replace_lane`,
  ),
  ...run(
    35,
    Imm.None,
    `i8x16.eq i8x16.ne i8x16.lt_s i8x16.lt_u i8x16.gt_s i8x16.gt_u i8x16.le_s i8x16.le_u i8x16.ge_s i8x16.ge_u
     i16x8.eq i16x8.ne i16x8.lt_s i16x8.lt_u i16x8.gt_s i16x8.gt_u i16x8.le_s i16x8.le_u i16x8.ge_s i16x8.ge_u
     i32x4.eq i32x4.ne i32x4.lt_s i32x4.lt_u i32x4.gt_s i32x4.gt_u i32x4.le_s i32x4.le_u i32x4.ge_s i32x4.ge_u
     f32x4.eq f32x4.ne f32x4.lt f32x4.gt f32x4.le f32x4.ge
     f64x2.eq f64x2.ne f64x2.lt f64x2.gt f64x2.le f64x2.ge
     v128.not v128.and v128.andnot v128.or v128.xor v128.bitselect v128.any_true`,
  ),
  ...run(
    84,
    Imm.MemArgLane,
    `v128.load8_lane v128.load16_lane v128.load32_lane v128.load64_lane
     v128.store8_lane v128.store16_lane v128.store32_lane v128.store64_lane`,
  ),
  92: ['v128.load32_zero', Imm.MemArg],
  93: ['v128.load64_zero', Imm.MemArg],
  ...run(
    94,
    Imm.None,
    `f32x4.demote_f64x2_zero f64x2.promote_low_f32x4
     i8x16.abs i8x16.neg i8x16.popcnt i8x16.all_true i8x16.bitmask i8x16.narrow_i16x8_s i8x16.narrow_i16x8_u
     f32x4.ceil f32x4.floor f32x4.trunc f32x4.nearest
     i8x16.shl i8x16.shr_s i8x16.shr_u i8x16.add i8x16.add_sat_s i8x16.add_sat_u
     i8x16.sub i8x16.sub_sat_s i8x16.sub_sat_u f64x2.ceil f64x2.floor
     i8x16.min_s i8x16.min_u i8x16.max_s i8x16.max_u f64x2.trunc i8x16.avgr_u
     i16x8.extadd_pairwise_i8x16_s i16x8.extadd_pairwise_i8x16_u
     i32x4.extadd_pairwise_i16x8_s i32x4.extadd_pairwise_i16x8_u
     i16x8.abs i16x8.neg i16x8.q15mulr_sat_s i16x8.all_true i16x8.bitmask
     i16x8.narrow_i32x4_s i16x8.narrow_i32x4_u
     i16x8.extend_low_i8x16_s i16x8.extend_high_i8x16_s i16x8.extend_low_i8x16_u i16x8.extend_high_i8x16_u
     i16x8.shl i16x8.shr_s i16x8.shr_u i16x8.add i16x8.add_sat_s i16x8.add_sat_u
     i16x8.sub i16x8.sub_sat_s i16x8.sub_sat_u f64x2.nearest
     i16x8.mul i16x8.min_s i16x8.min_u i16x8.max_s i16x8.max_u - i16x8.avgr_u
     i16x8.extmul_low_i8x16_s i16x8.extmul_high_i8x16_s i16x8.extmul_low_i8x16_u i16x8.extmul_high_i8x16_u
     i32x4.abs i32x4.neg - i32x4.all_true i32x4.bitmask - -
     i32x4.extend_low_i16x8_s i32x4.extend_high_i16x8_s i32x4.extend_low_i16x8_u i32x4.extend_high_i16x8_u
     i32x4.shl i32x4.shr_s i32x4.shr_u i32x4.add - - i32x4.sub - - -
     i32x4.mul i32x4.min_s i32x4.min_u i32x4.max_s i32x4.max_u i32x4.dot_i16x8_s -
     i32x4.extmul_low_i16x8_s i32x4.extmul_high_i16x8_s i32x4.extmul_low_i16x8_u i32x4.extmul_high_i16x8_u
     i64x2.abs i64x2.neg - i64x2.all_true i64x2.bitmask - -
     i64x2.extend_low_i32x4_s i64x2.extend_high_i32x4_s i64x2.extend_low_i32x4_u i64x2.extend_high_i32x4_u
     i64x2.shl i64x2.shr_s i64x2.shr_u i64x2.add - - i64x2.sub - - - i64x2.mul
     i64x2.eq i64x2.ne i64x2.lt_s i64x2.gt_s i64x2.le_s i64x2.ge_s
     i64x2.extmul_low_i32x4_s i64x2.extmul_high_i32x4_s i64x2.extmul_low_i32x4_u i64x2.extmul_high_i32x4_u
     f32x4.abs f32x4.neg - f32x4.sqrt f32x4.add f32x4.sub f32x4.mul f32x4.div
     f32x4.min f32x4.max f32x4.pmin f32x4.pmax
     f64x2.abs f64x2.neg - f64x2.sqrt f64x2.add f64x2.sub f64x2.mul f64x2.div
     f64x2.min f64x2.max f64x2.pmin f64x2.pmax
     i32x4.trunc_sat_f32x4_s i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s f32x4.convert_i32x4_u
     i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero f64x2.convert_low_i32x4_s f64x2.convert_low_i32x4_u
     i8x16.relaxed_swizzle i32x4.relaxed_trunc_f32x4_s i32x4.relaxed_trunc_f32x4_u
     i32x4.relaxed_trunc_f64x2_s_zero i32x4.relaxed_trunc_f64x2_u_zero
     f32x4.relaxed_madd f32x4.relaxed_nmadd f64x2.relaxed_madd f64x2.relaxed_nmadd
     i8x16.relaxed_laneselect i16x8.relaxed_laneselect i32x4.relaxed_laneselect i64x2.relaxed_laneselect
     f32x4.relaxed_min f32x4.relaxed_max f64x2.relaxed_min f64x2.relaxed_max
     i16x8.relaxed_q15mulr_s i16x8.relaxed_dot_i8x16_i7x16_s i32x4.relaxed_dot_i8x16_i7x16_add_s`,
  ),
});

const RMW = ['add', 'sub', 'and', 'or', 'xor', 'xchg', 'cmpxchg'];
const RMW_WIDTHS = [
  'i32.atomic.rmw.',
  'i64.atomic.rmw.',
  'i32.atomic.rmw8.',
  'i32.atomic.rmw16.',
  'i64.atomic.rmw8.',
  'i64.atomic.rmw16.',
  'i64.atomic.rmw32.',
];

/** 0xfe: threads (atomics). */
export const PREFIX_FE = table(0x4f, {
  0: ['memory.atomic.notify', Imm.MemArg],
  1: ['memory.atomic.wait32', Imm.MemArg],
  2: ['memory.atomic.wait64', Imm.MemArg],
  3: ['atomic.fence', Imm.ZeroByte],
  ...run(
    0x10,
    Imm.MemArg,
    `i32.atomic.load i64.atomic.load i32.atomic.load8_u i32.atomic.load16_u
     i64.atomic.load8_u i64.atomic.load16_u i64.atomic.load32_u
     i32.atomic.store i64.atomic.store i32.atomic.store8 i32.atomic.store16
     i64.atomic.store8 i64.atomic.store16 i64.atomic.store32`,
  ),
  ...Object.fromEntries(
    RMW.flatMap((op, i) =>
      RMW_WIDTHS.map((w, j): [number, Entry] => [
        0x1e + i * 7 + j,
        [`${w}${op}${j < 2 ? '' : '_u'}`, Imm.MemArg],
      ]),
    ),
  ),
});
