/** The pinned version scripts/setup-wasmtime installs. */
export declare const WASMTIME_VERSION: string;
/** The harness script (scripts/wasmtime/run.py). */
export declare const WASMTIME_RUN: string;
/** Where the harness keeps compiled code between runs. */
export declare const WASMTIME_CACHE: string;
/** The Python of the virtual environment scripts/setup-wasmtime made. */
export declare const WASMTIME_PYTHON: string;

/** What to run under Wasmtime. */
export interface WasmtimeSpec {
  /** A command module, an engine (with `preload`), or a component (with `component`). */
  file: string;
  /** Arguments after argv[0]. */
  args?: string[];
  /** argv[0]; default the file's name. */
  argv0?: string;
  /** The guest's whole environment. */
  env?: Record<string, string>;
  stdin?: string;
  /** Preopened host directories (read-write). */
  dirs?: Array<{ host: string; guest: string }>;
  /** Modules instantiated first and linked by name, as `wasmtime run --preload NAME=FILE`. */
  preload?: Record<string, string>;
  /** `file` is a WASI 0.2 command component. */
  component?: boolean;
}

/** What one run gave. */
export interface WasmtimeResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export declare function runWasmtime(spec: WasmtimeSpec): Promise<WasmtimeResult>;
export declare function tryWasmtime(spec: WasmtimeSpec): Promise<{
  stdout: string;
  stderr: string;
  exitCode: number | null;
  trap: string | null;
  error: string | null;
}>;
export declare function benchWasmtime(spec: WasmtimeSpec, starts: number): Promise<number[]>;
