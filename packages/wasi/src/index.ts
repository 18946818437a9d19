/**
 * `@wasm-runtime/wasi`: a WASI preview1 host for Node and browsers. This entry point is
 * browser-safe; under Node the `node` export condition adds host directories and inherited stdio.
 */

export {
  type CheckImportsOptions,
  checkImports,
  PREVIEW1_MODULE,
  PREVIEW1_SIGNATURES,
  WasiImportError,
} from './check-imports.js';
export {
  ClockId,
  Errno,
  EventType,
  errnoName,
  FdFlags,
  FileType,
  FstFlags,
  LookupFlags,
  OFlags,
  RIGHTS_ALL,
  RIGHTS_DIR,
  RIGHTS_FILE,
  RIGHTS_STDIO,
  Rights,
  Whence,
} from './constants.js';
export {
  ExitStatusError,
  MAX_EXIT_STATUS,
  ProcExit,
  WasiConfigError,
  WasiStateError,
} from './errors.js';
export { type DirEntry, FileHandle, FileSystem, type OpenFlags, type Stat } from './fs/file-system.js';
export { MemoryFS, type MemoryFSOptions, type MemoryTree } from './fs/memory.js';
export type { Consumed, Preview1Imports } from './host.js';
export {
  PREVIEW2_LATEST_PATCH,
  preview2ModuleNames,
  WasiTrapError,
  WasiUnsupportedError,
} from './preview2/index.js';
export {
  type InputOption,
  type NodeReadableLike,
  type NodeWritableLike,
  type OutputOption,
  readAll,
  type Sink,
  type Source,
} from './stdio.js';
export {
  type DeterministicOptions,
  type HostPlatform,
  type HostState,
  type PreopenSpec,
  type SavedDescriptor,
  WASI,
  type WASIOptions,
} from './wasi.js';
