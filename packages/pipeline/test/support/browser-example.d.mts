/** What the example page shows after a click of Run. */
export interface PageRun {
  /** False when the run threw (a trap, a typed error): `stderr` then holds the error's message. */
  ok: boolean;
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

export interface BrowserExample {
  origin: string;
  /** Paths the server was asked for, in order. */
  requested: string[];
  /** Console errors and uncaught exceptions of the pages. */
  errors: string[];
  /** The Playwright page showing `name`, loaded. */
  page(name: string): Promise<import('playwright-core').Page>;
  status(name: string): Promise<{ state: string | undefined; text: string | null }>;
  run(name: string, input?: { args?: string[]; stdin?: string }): Promise<PageRun>;
  close(): Promise<void>;
}

/** Serves `dists` (name → dist directory) with examples/browser and opens headless Chromium. */
export declare function openBrowserExample(
  dists: Record<string, string>,
  options?: { timeout?: number },
): Promise<BrowserExample>;
