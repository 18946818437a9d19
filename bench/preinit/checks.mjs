// Light equivalence checks of the snapshots, cheap enough to run on every benchmark run. Each
// returns a short text for the report, starting with "ok" or "DIFF"/"FAIL".

import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLuaInstance } from '@wasm-runtime/lua';

function throwingImports(module, provided = {}) {
  const imports = {};
  for (const { module: m, name, kind } of WebAssembly.Module.imports(module)) {
    imports[m] ??= {};
    if (provided[m]?.[name] !== undefined) imports[m][name] = provided[m][name];
    else if (kind === 'function')
      imports[m][name] = () => {
        throw new Error(`unexpected call to ${m}::${name}`);
      };
  }
  return imports;
}

/** Both snapshots of the fixture: same exports, globals, memory bytes and `sum()`. */
export async function checkFixture(oursPath, wizerPath) {
  const state = async (path) => {
    const module = await WebAssembly.compile(readFileSync(path));
    const { exports: e } = await WebAssembly.instantiate(module, {});
    return {
      exports: WebAssembly.Module.exports(module)
        .map((x) => `${x.name}:${x.kind}`)
        .join(','),
      globals: [e.count.value, e.big.value, e.ratio.value, e.scale.value].map(String).join(','),
      memory: Buffer.from(e.memory.buffer),
      sum: e.sum(),
    };
  };
  const a = await state(oursPath);
  const b = await state(wizerPath);
  const diffs = [];
  if (a.exports !== b.exports) diffs.push(`exports ${a.exports} vs ${b.exports}`);
  if (a.globals !== b.globals) diffs.push(`globals ${a.globals} vs ${b.globals}`);
  if (!a.memory.equals(b.memory))
    diffs.push(`memory differs (${a.memory.length} vs ${b.memory.length} bytes)`);
  if (a.sum !== b.sum) diffs.push(`sum ${a.sum} vs ${b.sum}`);
  return diffs.length === 0
    ? `ok: identical exports, globals (${a.globals}), memory (${a.memory.length} B), sum() = ${a.sum}`
    : `DIFF: ${diffs.join('; ')}`;
}

async function luaHost(appDir) {
  const { WASI } = await import('node:wasi');
  const wasi = new WASI({
    version: 'preview1',
    args: ['app'],
    env: {},
    preopens: { '/app': appDir },
    returnOnExit: true,
  });
  return {
    imports: { wasi_snapshot_preview1: wasi.wasiImport },
    // node:wasi's initialize() refuses an instance exporting `_start` (the snapshot renames
    // wasm-runtime.run to it): bind it to the memory through a stand-in, then run the constructors.
    start: (instance) => {
      const { memory, _initialize } = instance.exports;
      wasi.initialize({ exports: { memory } });
      if (typeof _initialize === 'function') _initialize();
    },
  };
}

/** Our Lua snapshot against init run cold on the original module: the same answer to one call. */
export async function checkLua(originalPath, oursPath, appDir, fn, arg) {
  const cold = await createLuaInstance({ module: readFileSync(originalPath), ...(await luaHost(appDir)) });
  const warm = await createLuaInstance({
    module: readFileSync(oursPath),
    ...(await luaHost(appDir)),
    initialize: false,
  });
  const a = cold.callText(fn, arg);
  const b = warm.callText(fn, arg);
  const shown = a.length > 60 ? `${a.slice(0, 57)}...` : a;
  return a === b
    ? `ok: snapshot ${fn}(${JSON.stringify(arg)}) = cold init's (${JSON.stringify(shown)})`
    : `DIFF: ${fn}(): snapshot ${JSON.stringify(b.slice(0, 80))} vs cold ${JSON.stringify(a.slice(0, 80))}`;
}

/**
 * componentize-js's own post-Wizer check, `check_init()` (0 = INIT_OK), on each snapshot, with what
 * it printed to stderr; then how many bytes of the two snapshots' memories differ.
 */
export async function checkStarlingMonkey(paths) {
  const results = [];
  for (const [who, path] of Object.entries(paths)) {
    const module = await WebAssembly.compile(readFileSync(path));
    let stderr = '';
    let memory;
    // As componentize-js does: stderr captured, every other import a trap.
    const fd_write = (fd, iovs, count, nwritten) => {
      const view = new DataView(memory.buffer);
      let n = 0;
      for (let i = 0; i < count; i++) {
        const len = view.getUint32(iovs + 8 * i + 4, true);
        if (fd === 2)
          stderr += Buffer.from(memory.buffer, view.getUint32(iovs + 8 * i, true), len).toString();
        n += len;
      }
      view.setUint32(nwritten, n, true);
      return 0;
    };
    const instance = await WebAssembly.instantiate(
      module,
      throwingImports(module, { wasi_snapshot_preview1: { fd_write } }),
    );
    memory = instance.exports.memory;
    const before = Buffer.from(memory.buffer.slice(0));
    const status = instance.exports.check_init();
    results.push({ who, status, stderr: stderr.trim(), memory: before });
  }
  const text = results.map(
    (r) =>
      `${r.who} check_init()=${r.status}${r.stderr ? ` (stderr ${JSON.stringify(r.stderr.slice(0, 80))})` : ''}`,
  );
  const [a, b] = results;
  if (a && b) {
    let differ = 0;
    const n = Math.min(a.memory.length, b.memory.length);
    for (let i = 0; i < n; i++) if (a.memory[i] !== b.memory[i]) differ++;
    text.push(`memories ${a.memory.length} vs ${b.memory.length} B, ${differ} bytes differ`);
  }
  const same = results.every((r) => r.status === results[0].status && r.stderr === results[0].stderr);
  return `${same ? (results[0].status === 0 ? 'ok' : 'same') : 'DIFF'}: ${text.join(', ')}`;
}

const RUBY_EVAL = 'rb-eval-string-protect: func(str: string) -> tuple<handle<rb-abi-value>, s32>';

/** Each Ruby snapshot evaluates a line under node:wasi without re-running init; outputs compared. */
export async function checkRuby(paths) {
  const script = 'print [RUBY_VERSION, (1..100).sum, $0, "é".encoding].join(" "); $stdout.flush';
  const { WASI } = await import('node:wasi');
  const outputs = {};
  for (const [who, path] of Object.entries(paths)) {
    const dir = mkdtempSync(join(tmpdir(), 'preinit-bench-ruby-'));
    const fd = openSync(join(dir, 'out'), 'w');
    try {
      const wasi = new WASI({ version: 'preview1', args: ['ruby'], env: {}, stdout: fd, returnOnExit: true });
      const module = await WebAssembly.compile(readFileSync(path));
      let handles = 0;
      const instance = await WebAssembly.instantiate(
        module,
        throwingImports(module, {
          wasi_snapshot_preview1: wasi.wasiImport,
          canonical_abi: {
            'resource_new_rb-abi-value': () => ++handles,
            'resource_drop_js-abi-value': () => {},
          },
        }),
      );
      const e = instance.exports;
      wasi.initialize({ exports: { memory: e.memory } });
      e._initialize(); // the no-op it was renamed to
      const bytes = new TextEncoder().encode(script);
      const ptr = e.cabi_realloc(0, 0, 1, bytes.length);
      new Uint8Array(e.memory.buffer, ptr, bytes.length).set(bytes);
      const ret = e[RUBY_EVAL](ptr, bytes.length);
      const status = new DataView(e.memory.buffer).getInt32(ret + 4, true);
      closeSync(fd);
      outputs[who] = `${readFileSync(join(dir, 'out'), 'utf8')}${status === 0 ? '' : ` (status ${status})`}`;
    } catch (err) {
      outputs[who] = `error: ${err.message}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const values = Object.values(outputs);
  const same =
    values.every((v) => v === values[0]) && !values[0].startsWith('error') && !values[0].includes('status');
  return same
    ? `ok: both evaluate to ${JSON.stringify(values[0])}`
    : `DIFF: ${Object.entries(outputs)
        .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
        .join(', ')}`;
}

/**
 * Two components of the componentize-js app (its own Wizer's, ours): transpiled with jco into
 * `workDir` (inside the repository, where @bytecodealliance/preview2-shim resolves), loaded, and
 * the exported `render` called with a few names on each; the answers must be equal.
 */
export async function checkComponents(oursPath, theirsPath, workDir) {
  const { transpile } = await import('@bytecodealliance/jco');
  const load = async (path, name) => {
    const { files } = await transpile(readFileSync(path), { name });
    const out = join(workDir, name);
    for (const [file, bytes] of Object.entries(files)) {
      mkdirSync(dirname(join(out, file)), { recursive: true });
      writeFileSync(join(out, file), bytes);
    }
    return import(pathToFileURL(join(out, `${name}.js`)).href);
  };
  const ours = await load(oursPath, 'ours');
  const theirs = await load(theirsPath, 'theirs');
  const names = ['alpha', 'hotel', 'zulu'];
  const a = names.map((n) => ours.render(n));
  const b = names.map((n) => theirs.render(n));
  return JSON.stringify(a) === JSON.stringify(b)
    ? `ok: render() answers the same on both (${JSON.stringify(a[1])})`
    : `DIFF: ours ${JSON.stringify(a)} vs componentize-js's own ${JSON.stringify(b)}`;
}
