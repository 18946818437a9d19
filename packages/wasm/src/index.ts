export { MalformedModuleError } from './errors.js';
export { encodeS, encodeU, type Read, readS32, readS64, readU32 } from './leb128.js';
