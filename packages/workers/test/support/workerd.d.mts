import type { DeployWorkerOptions, DeployWorkerResult } from '@wasm-runtime/workers';

export function workerdBinary(): string;

export function deployAndServe(
  dist: string,
  out: string,
  options?: Omit<DeployWorkerOptions, 'dist' | 'out'>,
): Promise<ServedWorker & { deployed: DeployWorkerResult }>;

export interface WorkerResponse {
  status: number;
  /** The `x-exit-code` header. */
  exitCode: string | null;
  /** The `x-wasm-runtime-error` header. */
  error: string | null;
  body: string;
}

export interface ServedWorker {
  origin: string;
  request(options?: {
    args?: string[];
    stdin?: string;
    query?: Record<string, string>;
  }): Promise<WorkerResponse>;
  logs(): { stdout: string; stderr: string };
  close(): Promise<void>;
}

export function captureOutput(
  child: import('node:child_process').ChildProcess,
): () => { stdout: string; stderr: string };

export function requester(origin: string): ServedWorker['request'];

export function serveWorker(dir: string, options?: { startTimeout?: number }): Promise<ServedWorker>;
