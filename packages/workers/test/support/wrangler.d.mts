import type { WorkerResponse } from './workerd.mjs';

export function wranglerCli(): string;

export function plain(text: string): string;

export function wrangler(
  args: string[],
  options: { cwd: string; timeout?: number },
): Promise<{ code: number; stdout: string; stderr: string }>;

export interface WranglerDev {
  origin: string;
  request(options?: {
    args?: string[];
    stdin?: string;
    query?: Record<string, string>;
  }): Promise<WorkerResponse>;
  output(): { stdout: string; stderr: string };
  close(): Promise<void>;
}

export function wranglerDev(dir: string, options?: { startTimeout?: number }): Promise<WranglerDev>;
