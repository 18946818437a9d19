import { Imm, PREFIX_FC, PREFIX_FD, PREFIX_FE, SINGLE } from '../src/opcodes.js';

/** Text for one instruction with made-up but well-formed immediates (the result is not type-correct). */
function line(name: string, imm: number): string[] {
  switch (imm) {
    case Imm.BlockType:
      if (name === 'if') return ['if (result i32)', 'i32.const 1', 'else', 'i32.const 2', 'end'];
      if (name === 'try') return ['try', 'catch $tag', 'catch_all', 'end', 'try', 'delegate 0'];
      return [`${name} (param i32) (result i32 i64)`, 'end'];
    case Imm.Label:
      return name === 'delegate' || WABT_CANNOT.includes(name) ? [] : [`${name} 0`];
    case Imm.BrTable:
      return [`${name} 0 0 0`];
    case Imm.Func:
      return [`${name} $callee`];
    case Imm.CallIndirect:
      return [`${name} $table2 (type $sig)`];
    case Imm.Local:
      return [`${name} 0`];
    case Imm.Global:
      return [`${name} $global`];
    case Imm.Table:
      return [`${name} $table2`];
    case Imm.MemArg:
      return [`${name} $mem2 offset=7 align=1`];
    case Imm.MemArgLane:
      return [`${name} $mem2 offset=3 align=1 1`];
    case Imm.MemIdx:
      return [`${name} $mem2`];
    case Imm.I32:
      return [`${name} -123456`];
    case Imm.I64:
      return [`${name} -9223372036854775808`];
    case Imm.F32:
      return [`${name} 1.5`];
    case Imm.F64:
      return [`${name} -2.25`];
    case Imm.SelectT:
      return [`${name} (result i32)`];
    case Imm.HeapType:
      return [`${name} extern`];
    case Imm.Tag:
      return name === 'catch' ? [] : [`${name} $tag`];
    case Imm.TryTable:
      return [`${name} (catch $tag 0) (catch_ref $tag 0) (catch_all 0) (catch_all_ref 0)`, 'end'];
    case Imm.Type:
      return [];
    case Imm.Data:
      return [`${name} $data`];
    case Imm.Elem:
      return [`${name} $elem`];
    case Imm.MemoryInit:
      return [`${name} $mem2 $data`];
    case Imm.MemoryCopy:
      return [`${name} $mem2 $mem2`];
    case Imm.TableInit:
      return [`${name} $table2 $elem`];
    case Imm.TableCopy:
      return [`${name} $table2 $table2`];
    case Imm.V128:
      return [`${name} i32x4 1 2 3 4`];
    case Imm.Shuffle:
      return [`${name} 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15`];
    case Imm.Lane:
      return [`${name} 1`];
    default:
      if (['else', 'end', 'catch_all'].includes(name) || WABT_CANNOT.includes(name)) return [];
      return [name];
  }
}

/** Instructions wabt 1.0.39 cannot assemble: tested with hand-written bytes instead. */
export const WABT_CANNOT = [
  'ref.eq',
  'call_ref',
  'return_call_ref',
  'ref.as_non_null',
  'br_on_null',
  'br_on_non_null',
];

/** Every instruction the reader knows, except those in `WABT_CANNOT`. */
export function everyOpcodeWat(): string {
  const body: string[] = [];
  for (const t of [SINGLE, PREFIX_FC, PREFIX_FD, PREFIX_FE]) {
    t.names.forEach((name, i) => {
      const imm = t.imms[i]!;
      if (imm !== Imm.Invalid) body.push(...line(name, imm));
    });
  }
  return `(module
  (type $sig (func (param i32) (result i32)))
  (memory $mem1 1)
  (memory $mem2 1 1 shared)
  (table $table1 1 funcref)
  (table $table2 1 funcref)
  (global $global (mut i32) (i32.const 0))
  (tag $tag (param i32))
  (data $data "x")
  (elem $elem func $callee)
  (func $callee (type $sig) (local.get 0))
  (func $every (param i32) (result i32)
    ${body.join('\n    ')}
  )
)`;
}
