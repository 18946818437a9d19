/** The ways a Wasmtime user runs a dist. */
export type WasmtimeWay = 'snapshot' | 'split' | 'component';

export interface DistRunOptions {
  args?: string[];
  env?: Record<string, string>;
  stdin?: string;
  /** Extra preopens after the dist's own mounts. */
  dirs?: Array<{ host: string; guest: string }>;
}

export interface Observed {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs a dist under the real Wasmtime (exnref forms where built), argv[0] the app's name. */
export declare function runDistOnWasmtime(
  dist: string,
  way: WasmtimeWay,
  options?: DistRunOptions,
): Promise<Observed>;

/** Runs a dist's component under `jco run` on this Node. */
export declare function runDistOnJco(dist: string, options?: Omit<DistRunOptions, 'dirs'>): Promise<Observed>;

/** A component's exit code for a preview1 exit status (WASI 0.2 carries only success or failure). */
export declare function componentExitCode(code: number): number;

/** Every Wasmtime way of a dist (the component when it has one), each result tagged with its way. */
export declare function allWaysOnWasmtime(
  dist: string,
  options?: DistRunOptions,
): Promise<Array<Observed & { way: WasmtimeWay }>>;

/** What {@link allWaysOnWasmtime} gives when every way behaves as `ours` did. */
export declare function expectedWays(
  dist: string,
  ours: Observed,
): Promise<Array<Observed & { way: WasmtimeWay }>>;
