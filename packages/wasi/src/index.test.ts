import { expect, it } from 'vitest';
import * as api from './index.js';
import * as nodeApi from './node.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "ClockId",
      "Errno",
      "EventType",
      "ExitStatusError",
      "FdFlags",
      "FileHandle",
      "FileSystem",
      "FileType",
      "FstFlags",
      "LookupFlags",
      "MAX_EXIT_STATUS",
      "MemoryFS",
      "OFlags",
      "PREVIEW1_MODULE",
      "PREVIEW1_SIGNATURES",
      "PREVIEW2_LATEST_PATCH",
      "ProcExit",
      "RIGHTS_ALL",
      "RIGHTS_DIR",
      "RIGHTS_FILE",
      "RIGHTS_STDIO",
      "Rights",
      "WASI",
      "WasiConfigError",
      "WasiImportError",
      "WasiStateError",
      "WasiTrapError",
      "WasiUnsupportedError",
      "Whence",
      "checkImports",
      "errnoName",
      "preview2ModuleNames",
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

it('provides every wasi_snapshot_preview1 function, and nothing else', () => {
  const names = Object.keys(new api.WASI({}).imports.wasi_snapshot_preview1).sort();
  expect(names).toEqual(
    [
      'args_get',
      'args_sizes_get',
      'environ_get',
      'environ_sizes_get',
      'clock_res_get',
      'clock_time_get',
      'fd_advise',
      'fd_allocate',
      'fd_close',
      'fd_datasync',
      'fd_fdstat_get',
      'fd_fdstat_set_flags',
      'fd_fdstat_set_rights',
      'fd_filestat_get',
      'fd_filestat_set_size',
      'fd_filestat_set_times',
      'fd_pread',
      'fd_prestat_get',
      'fd_prestat_dir_name',
      'fd_pwrite',
      'fd_read',
      'fd_readdir',
      'fd_renumber',
      'fd_seek',
      'fd_sync',
      'fd_tell',
      'fd_write',
      'path_create_directory',
      'path_filestat_get',
      'path_filestat_set_times',
      'path_link',
      'path_open',
      'path_readlink',
      'path_remove_directory',
      'path_rename',
      'path_symlink',
      'path_unlink_file',
      'poll_oneoff',
      'proc_exit',
      'proc_raise',
      'sched_yield',
      'random_get',
      'sock_accept',
      'sock_recv',
      'sock_send',
      'sock_shutdown',
    ].sort(),
  );
});
