// Bundles the Worker's runtime (dist/worker/runtime.js, compiled by tsc) with the browser builds of
// the packages it imports into one ES module, dist/worker-runtime.js, which `deployWorker` copies
// into every Worker it writes. Built for the browser platform: a Node built-in anywhere in its
// imports fails the build.

import { build } from 'esbuild';

const result = await build({
  entryPoints: [new URL('../dist/worker/runtime.js', import.meta.url).pathname],
  outfile: new URL('../dist/worker-runtime.js', import.meta.url).pathname,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs);
const builtins = inputs.filter((i) => i.startsWith('node:') || !i.includes('/'));
if (builtins.length > 0) {
  console.error(`the Worker runtime imports Node built-ins: ${builtins.join(', ')}`);
  process.exit(1);
}
