import { WasmRuntimeError } from '@wasm-runtime/errors';
import { type NondeterminismReport, preinitialize } from '@wasm-runtime/preinit';
import type { FileSystem, HostState } from '@wasm-runtime/wasi';
import { InitFailedError } from '../errors.js';

/** What the build asks of the pre-initializer. */
export interface PreinitRequest {
  initFunc: string;
  renameFuncs: Array<[dst: string, src: string]>;
  args: string[];
  env: Record<string, string>;
  stdin?: string | Uint8Array | undefined;
  maxDataSegments?: number | undefined;
  preopens: Record<string, FileSystem>;
  /** Name of the input in messages. */
  inputName: string;
  /** Rewrites guest paths in what init printed into the user's source paths. */
  userPaths?: (text: string) => string;
}

/** The part of the pre-initializer's report the manifest keeps (no timings: they vary). */
export interface PreinitSummary {
  initFunc: string;
  /** Whether `_initialize` ran before the init export. */
  ranInitialize: boolean;
  /** Per defined memory: pages after init, non-zero bytes, bytes and count of data segments. */
  memories: Array<{
    index: number;
    pages: number;
    nonZeroBytes: number;
    segmentBytes: number;
    segments: number;
  }>;
  /** Mutable globals given constant initializers. */
  globals: number;
  snapshotNonZeroBytes: number;
  dataSegments: number;
  inputSize: number;
  outputSize: number;
  /** Nondeterministic inputs init read (randomness, clocks, env, args, stdin): what to reseed. */
  nondeterminism: NondeterminismReport | null;
}

/** What the adapter gives back. */
export interface PreinitOutcome {
  module: Uint8Array;
  summary: PreinitSummary;
  /** Phase timings in milliseconds as the pre-initializer reported them. */
  timings: Record<string, number>;
  /**
   * The WASI descriptor table when init left files or directories open (beyond stdio and the
   * preopens), else null: state that must be restored at run time.
   */
  hostState: HostState | null;
  /** What init wrote to stdout and stderr. */
  stdout: string;
  stderr: string;
}

/**
 * The one place the build talks to `@wasm-runtime/preinit`: runs init deterministically with the
 * staged mounts (WASI allowed) and maps the report to the manifest's summary.
 */
export async function runPreinit(bytes: Uint8Array, request: PreinitRequest): Promise<PreinitOutcome> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = new TextDecoder();
  const err = new TextDecoder();
  let result: Awaited<ReturnType<typeof preinitialize>>;
  try {
    result = await preinitialize(bytes, {
      initFunc: request.initFunc,
      renameFuncs: request.renameFuncs,
      allowWasi: true,
      inputName: request.inputName,
      ...(request.maxDataSegments === undefined ? {} : { maxDataSegments: request.maxDataSegments }),
      wasi: {
        args: request.args,
        env: request.env,
        preopens: request.preopens,
        deterministic: true,
        ...(request.stdin === undefined
          ? {}
          : { stdin: typeof request.stdin === 'string' ? { text: request.stdin } : request.stdin }),
        stdout: (chunk: Uint8Array) => {
          stdout.push(out.decode(chunk, { stream: true }));
        },
        stderr: (chunk: Uint8Array) => {
          stderr.push(err.decode(chunk, { stream: true }));
        },
      },
    });
  } catch (error) {
    // What the runtime printed before failing (a Lua syntax error, a Python traceback) is what the
    // user needs: it leads the message, in the user's paths; the pre-initializer's error (a trap
    // and its wasm backtrace) stays the cause.
    const printed = stderr.join('') + err.decode();
    if (!(error instanceof WasmRuntimeError) || printed.trim() === '') throw error;
    const tail = printed.length > 4000 ? `…${printed.slice(-4000)}` : printed;
    throw new InitFailedError((request.userPaths ?? ((t) => t))(tail.trimEnd()), error);
  }
  const { module, report, wasiState } = result;
  const open = wasiState?.fds.filter(
    (fd) => fd.kind === 'file' || (fd.kind === 'dir' && fd.preopen === undefined),
  );
  return {
    module,
    // Clock and generator positions are left out: a restored instance runs with real ones.
    hostState:
      wasiState !== undefined && open !== undefined && open.length > 0
        ? { version: 1, fds: wasiState.fds }
        : null,
    summary: {
      initFunc: report.initFunc,
      ranInitialize: report.ranInitialize,
      memories: report.memories.map((m) => ({
        index: m.index,
        pages: m.pages,
        nonZeroBytes: m.nonZeroBytes,
        segmentBytes: m.segmentBytes,
        segments: m.segments,
      })),
      globals: report.globals,
      snapshotNonZeroBytes: report.snapshotNonZeroBytes,
      dataSegments: report.dataSegments,
      inputSize: report.inputSize,
      outputSize: report.outputSize,
      nondeterminism: report.nondeterminism ?? null,
    },
    timings: { ...report.timings },
    stdout: stdout.join('') + out.decode(),
    stderr: (request.userPaths ?? ((t) => t))(stderr.join('') + err.decode()),
  };
}
