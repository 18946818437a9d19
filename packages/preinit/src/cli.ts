import { type FileHandle, open, readFile, rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isWasmRuntimeError } from '@wasm-runtime/errors';
import type { WASIOptions } from '@wasm-runtime/wasi';
import { PreinitIoError, PreinitUsageError } from './errors.js';
import { type PreinitOptions, type Preload, preinitializeTo } from './preinit.js';
import { parseWizerArgs, WIZER_HELP, type WizerArgs } from './wizer-args.js';
import { joinParts, type ModuleParts } from './write.js';

/** Where the CLI reads and writes; the defaults are the process's own streams. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return new Uint8Array(Buffer.concat(chunks));
}

async function readInput(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw new PreinitIoError(path, `${what}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Maps parsed `wizer` arguments to {@link preinitialize} options (preload files are read here).
 * Exposed for `wasm-runtime preinit`, which accepts the same flags.
 */
export async function wizerArgsToOptions(
  args: WizerArgs,
  context: { cwd: string; env: NodeJS.ProcessEnv; stdinIsInput: boolean; outputToStdout: boolean },
): Promise<PreinitOptions> {
  const preopens: Record<string, string> = {};
  for (const dir of args.dirs) preopens[dir] = resolve(context.cwd, dir);
  for (const [guest, host] of args.mapdirs) preopens[guest] = resolve(context.cwd, host);
  const env: Record<string, string> = {};
  if (args.inheritEnv) {
    for (const [k, v] of Object.entries(context.env)) if (v !== undefined) env[k] = v;
  }
  const wasi: WASIOptions = { args: [], env, preopens };
  if (args.inheritStdio) {
    wasi.stdin = context.stdinIsInput ? 'ignore' : 'inherit';
    // The module itself goes to stdout then: the guest's stdout would corrupt it, so it goes to stderr.
    wasi.stdout = context.outputToStdout ? 'ignore' : 'inherit';
    if (context.outputToStdout) wasi.stdout = (chunk: Uint8Array) => process.stderr.write(chunk);
    wasi.stderr = 'inherit';
  } else {
    wasi.stdin = 'ignore';
    wasi.stdout = 'ignore';
    wasi.stderr = 'ignore';
  }
  const preloads: Preload[] = [];
  for (const [name, file] of args.preloads) {
    if (file.endsWith('.wat')) {
      throw new PreinitUsageError(
        `--preload ${name}=${file}: text modules are not accepted, assemble it first (e.g. wat2wasm ${file})`,
      );
    }
    preloads.push({ name, module: await readInput(resolve(context.cwd, file), `preload \`${name}\``) });
  }
  return {
    initFunc: args.initFunc,
    renameFuncs: args.renameFuncs,
    keepInitFunc: args.keepInitFunc,
    allowWasi: args.allowWasi,
    wasi,
    preloads,
  };
}

/** Writes every piece, in order (writev takes at most IOV_MAX buffers at a time). */
async function writePieces(file: FileHandle, parts: readonly Uint8Array[]): Promise<void> {
  const batch = 1024;
  for (let k = 0; k < parts.length; k += batch) {
    const group = parts.slice(k, k + batch);
    let { bytesWritten } = await file.writev(group);
    // A short write: finish the group one piece at a time from where it stopped.
    for (const p of group) {
      if (bytesWritten >= p.length) {
        bytesWritten -= p.length;
        continue;
      }
      let at = bytesWritten;
      bytesWritten = 0;
      while (at < p.length) at += (await file.write(p, at, p.length - at)).bytesWritten;
    }
  }
}

/** Writes the pieces to `path` through a temporary file, so no partial output is ever left there. */
async function writeAtomically(path: string, output: ModuleParts): Promise<void> {
  // Unique enough with 'wx' (which refuses an existing file); node:crypto would cost ~5 ms to load.
  const tmp = `${path}.${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    const file = await open(tmp, 'wx');
    try {
      await writePieces(file, output.parts);
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new PreinitIoError(path, `cannot write the output: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The `wasm-runtime-wizer` command: Wizer 11's command line over {@link preinitialize}.
 * Returns the exit code: 0 on success, 1 on a failure, 2 on bad arguments.
 */
export async function runWizerCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const stdin = io.stdin ?? process.stdin;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const cwd = io.cwd ?? process.cwd();
  const env = io.env ?? process.env;
  let args: WizerArgs;
  try {
    args = parseWizerArgs(argv);
  } catch (err) {
    if (isWasmRuntimeError(err)) {
      stderr.write(`error[${err.code}]: ${err.message}\n\nUsage: wasm-runtime-wizer [OPTIONS] [INPUT]\n`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    stdout.write(WIZER_HELP);
    return 0;
  }
  try {
    const input =
      args.input === undefined
        ? await readStream(stdin)
        : await readInput(resolve(cwd, args.input), 'input module');
    const options = await wizerArgsToOptions(args, {
      cwd,
      env,
      stdinIsInput: args.input === undefined,
      outputToStdout: args.output === undefined,
    });
    options.inputName = args.input ?? 'the module read from stdin';
    const { parts, report } = await preinitializeTo(input, options, false);
    for (const warning of report.warnings) stderr.write(`warning: ${warning}\n`);
    if (args.output === undefined) {
      const module = joinParts(parts);
      await new Promise<void>((done, fail) => stdout.write(module, (err) => (err ? fail(err) : done())));
    } else await writeAtomically(resolve(cwd, args.output), parts);
    return 0;
  } catch (err) {
    if (isWasmRuntimeError(err)) stderr.write(`error[${err.code}]: ${err.message}\n`);
    else
      stderr.write(
        `error[ERR_INTERNAL]: ${(err as Error)?.stack ?? String(err)}\n(this is a bug in wasm-runtime: please report it)\n`,
      );
    return 1;
  }
}
