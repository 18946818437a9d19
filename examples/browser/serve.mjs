// Serves the example page on 127.0.0.1, with the browser builds of the packages it imports
// (/modules/<package>/, from this repository's node_modules) and built dists (/dists/<name>/).
//
//   node examples/browser/serve.mjs templates/lua/dist [--port 8080]
//
// then open the printed address. Build the packages first (`npx turbo run build`) and the app
// (`npx wasm-runtime build` in its directory).

import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The packages the page's import map names. */
export const MODULES = ['pipeline', 'split', 'wasi', 'wasm', 'errors'];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** The file under `root` that `rest` names, or undefined when it would leave `root`. */
function inside(root, rest) {
  const file = resolve(root, decodeURIComponent(rest));
  const rel = relative(root, file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? undefined : file;
}

/**
 * Starts the server. `dists` maps a name to a dist directory, served under `/dists/<name>/`; the
 * page loads `/dists/app/` unless given `?dist=`. Resolves to its origin, the paths requested so
 * far, and `close()`.
 */
export async function serveExample({ dists, port = 0 }) {
  const roots = new Map([
    ...MODULES.map((name) => [
      `/modules/${name}/`,
      join(dirname(require.resolve(`@wasm-runtime/${name}/package.json`)), 'dist'),
    ]),
    ...Object.entries(dists).map(([name, dir]) => [`/dists/${name}/`, resolve(dir)]),
  ]);
  const requested = [];
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    requested.push(path);
    let file;
    if (path === '/' || path === '/index.html' || path === '/app.js') {
      file = join(here, path === '/app.js' ? 'app.js' : 'index.html');
    } else {
      for (const [prefix, root] of roots) {
        if (path.startsWith(prefix)) file = inside(root, path.slice(prefix.length));
      }
    }
    const body = file === undefined ? undefined : await readFile(file).catch(() => undefined);
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    });
    response.end(body);
  });
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    requested,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(done);
      }),
  };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dist, flag, value] = process.argv.slice(2);
  if (dist === undefined || (flag !== undefined && flag !== '--port')) {
    console.error('usage: node examples/browser/serve.mjs <dist-dir> [--port N]');
    process.exit(2);
  }
  const { origin } = await serveExample({ dists: { app: dist }, port: Number(value ?? 8080) });
  console.log(`Serving ${dist}: open ${origin}/`);
}
