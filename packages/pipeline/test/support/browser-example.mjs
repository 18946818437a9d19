// Runs built dists in real headless Chromium through the repository's example page
// (examples/browser): types the arguments and stdin into it, clicks Run and reads what the page
// shows. Shared by every runtime's browser test, so each one proves its apps run in a browser the
// way a user of the page sees them.

import { serveExample } from '../../../../examples/browser/serve.mjs';
import { launchChromium } from '../../../wasi/test/support/chromium.mjs';

/**
 * Serves `dists` (name → dist directory) with the example page and opens Chromium. `run(name,
 * { args, stdin })` runs the app in that dist's page (one page per dist, kept open, so every
 * click after the first reuses the loaded dist) and resolves to what the page shows.
 */
export async function openBrowserExample(dists, { timeout = 60_000 } = {}) {
  const server = await serveExample({ dists });
  let browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await server.close();
    throw error;
  }
  const pages = new Map();
  const errors = [];

  async function pageFor(name) {
    let page = pages.get(name);
    if (page === undefined) {
      page = await browser.context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`${name}: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`${name}: ${String(e)}`));
      await page.goto(`${server.origin}/?dist=/dists/${encodeURIComponent(name)}/`);
      await page.waitForFunction(() => document.getElementById('status').dataset.state !== undefined, null, {
        timeout,
      });
      pages.set(name, page);
    }
    return page;
  }

  return {
    origin: server.origin,
    requested: server.requested,
    errors,
    /** The Playwright page of `name`, loaded. */
    page: pageFor,
    /** The page's status line after loading `name` (`ready`, or the load error it shows). */
    async status(name) {
      const page = await pageFor(name);
      return page.evaluate(() => {
        const status = document.getElementById('status');
        return { state: status.dataset.state, text: status.textContent };
      });
    },
    async run(name, { args = [], stdin = '' } = {}) {
      const page = await pageFor(name);
      const state = await page.evaluate(() => document.getElementById('status').dataset.state);
      if (state === 'error') {
        throw new Error(await page.evaluate(() => document.getElementById('status').textContent));
      }
      const before = Number(await page.getAttribute('#status', 'data-runs'));
      await page.fill('#args', args.join(' '));
      await page.fill('#stdin', stdin);
      await page.click('#run');
      await page.waitForFunction((n) => Number(document.getElementById('status').dataset.runs) > n, before, {
        timeout,
      });
      return page.evaluate(() => {
        const text = (id) => document.getElementById(id).textContent;
        const status = document.getElementById('status').dataset.state;
        return {
          ok: status === 'done',
          exitCode: text('exit') === '' ? undefined : Number(text('exit')),
          stdout: text('stdout'),
          stderr: text('stderr'),
        };
      });
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
