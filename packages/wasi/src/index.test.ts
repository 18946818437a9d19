import { expect, it } from 'vitest';
import * as api from './index.js';
import * as nodeApi from './node.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "ClockId",
      "Errno",
      "EventType",
      "FdFlags",
      "FileHandle",
      "FileSystem",
      "FileType",
      "FstFlags",
      "LookupFlags",
      "MemoryFS",
      "OFlags",
      "ProcExit",
      "RIGHTS_ALL",
      "RIGHTS_DIR",
      "RIGHTS_FILE",
      "RIGHTS_STDIO",
      "Rights",
      "WASI",
      "WasiConfigError",
      "WasiStateError",
      "Whence",
      "errnoName",
      "readAll",
    ]
  `);
});

it('the node entry point adds only the Node-specific parts', () => {
  const extra = Object.keys(nodeApi).filter((k) => !(k in api));
  expect(extra.sort()).toEqual(['NodeFS', 'errnoFromNode']);
  expect(nodeApi.WASI).not.toBe(api.WASI);
  expect(Object.getPrototypeOf(nodeApi.WASI)).toBe(api.WASI);
});
