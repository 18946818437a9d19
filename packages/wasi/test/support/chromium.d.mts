import type { BrowserContext } from 'playwright-core';

/** Where Debian's Chromium is (installed by scripts/setup-toolchain). */
export declare const CHROMIUM: string;

/**
 * Serves `routes` on 127.0.0.1: a path ending in `/` maps a URL prefix to `{ dir }` (files under
 * it, never outside), any other path is a page given as its HTML text. `requested` lists every
 * path asked for, in order.
 */
export declare function serve(
  routes: Record<string, string | { dir: string }>,
): Promise<{ origin: string; requested: string[]; close: () => Promise<void> }>;

/** Launches headless Chromium with a fresh profile; `close` also removes the profile. */
export declare function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }>;

/**
 * Opens `url`, waits for the page to set `window.result`, and returns it with every console error
 * and uncaught page error seen meanwhile.
 */
export declare function pageResult(
  context: BrowserContext,
  url: string,
  timeout?: number,
): Promise<{ result: unknown; errors: string[] }>;
