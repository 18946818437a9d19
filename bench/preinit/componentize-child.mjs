// One componentize-js build of bench/preinit/componentize/app.js, as a child process the benchmark
// times: `node componentize-child.mjs <out.wasm> [wizer-bin]`. Without a Wizer binary,
// componentize-js runs its own (Wizer 10, bundled); with one, it runs that instead (`wizerBin`).

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { componentize } from '@bytecodealliance/componentize-js';

const [out, wizerBin] = process.argv.slice(2);
const { component } = await componentize({
  sourcePath: fileURLToPath(new URL('./componentize/app.js', import.meta.url)),
  witPath: fileURLToPath(new URL('./componentize/app.wit', import.meta.url)),
  ...(wizerBin ? { wizerBin } : {}),
});
writeFileSync(out, component);
