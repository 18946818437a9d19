import type { ServedWorker } from './workerd.mjs';

export function wranglerCli(): string;

export function plain(text: string): string;

export function wrangler(
  args: string[],
  options: { cwd: string; timeout?: number },
): Promise<{ code: number; stdout: string; stderr: string }>;

export function wranglerDev(dir: string, options?: { startTimeout?: number }): Promise<ServedWorker>;
