import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDir, buildApp, tempDir } from './helpers.js';

let scratch: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  scratch = await tempDir('python-errors-');
});
afterAll(() => scratch?.remove());

describe('a failing init', () => {
  it("fails the build with the Python traceback in the app's own paths", async () => {
    const error = await buildApp(appDir('init-error'), join(scratch.path, 'init-error'), 'init-error').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    expect(message).toMatch(
      /Traceback \(most recent call last\):\n[\s\S]*File "broken\/mod\.py", line 5, in <module>\n {4}raise RuntimeError\(f"refusing to start: port \{SETTINGS\['port'\]\} is privileged"\)\nRuntimeError: refusing to start: port 80 is privileged\n/,
    );
    expect(message).not.toContain('/app/');
  }, 300_000);

  it('refuses an entry module with no main(), unless the config says the app is a reactor', async () => {
    const error = await buildApp(appDir('no-main'), join(scratch.path, 'no-main'), 'no-main').then(
      () => undefined,
      (e: unknown) => e,
    );
    const message = (error as { cause?: Error }).cause?.message ?? String(error);
    expect(message).toContain('main.py has no main(): its top level ran once, now, at build time');
    const ok = await buildApp(appDir('no-main'), join(scratch.path, 'no-main-reactor'), 'no-main', {
      hashSeed: 1,
      reactor: true,
    });
    expect(ok.initOutput.stdout).toBe('a script: all of it runs at build time\n');
  }, 300_000);
});
