export {
  type ConstInstr,
  constExprFor,
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
export {
  addCustomSection,
  addElementSegments,
  addExport,
  addFunctions,
  defineToImport,
  functionBody,
  functionType,
  getCustomSections,
  getDataSegments,
  getExports,
  getGlobal,
  getMemory,
  getSection,
  getTable,
  type IndexSpace,
  type IndexSpaces,
  importsOf,
  importToDefinition,
  indexSpaces,
  type MovableKind,
  type NewFunction,
  removeCustomSections,
  removeExport,
  removeSection,
  removeStart,
  renameExport,
  setDataSegments,
  setExports,
  setGlobalInit,
  setMemoryLimits,
  setSection,
  typeAt,
} from './edit.js';
export { MalformedModuleError, ModuleEditError } from './errors.js';
export { type ExceptionForm, exceptionForm } from './exceptions.js';
export {
  decodeInstructions,
  forEachInstruction,
  type Instruction,
  type InstructionMatch,
  InstructionReader,
  scanFunctions,
} from './instructions.js';
export { encodeS, encodeU, type Read, readS32, readS64, readU32 } from './leb128.js';
export {
  functionBodyOffset,
  functionName,
  type NameMapKind,
  type NameSection,
  type NamesUpdate,
  offsetIn,
  readNames,
  setNames,
} from './names.js';
export { parseModule } from './parse.js';
export { originalSectionBytes } from './raw.js';
export type * from './types.js';
export { structurallyEqual, valTypeText } from './values.js';
export { encodeSection, writeModule } from './write.js';
