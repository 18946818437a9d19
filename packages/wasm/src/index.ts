export {
  type ConstInstr,
  constExprValue,
  decodeConstExpr,
  f32Const,
  f64Const,
  globalGet,
  i32Const,
  i64Const,
  refFunc,
  refNull,
  v128Const,
} from './const-expr.js';
export { MalformedModuleError } from './errors.js';
export { encodeS, encodeU, type Read, readS32, readS64, readU32 } from './leb128.js';
export { parseModule } from './parse.js';
export { originalSectionBytes } from './raw.js';
export type * from './types.js';
export { encodeSection, writeModule } from './write.js';
