import { helpText } from './cli.js';

/** The commands, in the order the reference lists them. */
const COMMANDS = ['build', 'run', 'deploy', 'fetch', 'inspect', 'preinit', 'split'] as const;

/**
 * The CLI reference (docs/cli.md) as Markdown, generated from the same help texts the commands
 * print, so the two cannot drift: a test fails when docs/cli.md is stale.
 */
export async function cliReference(): Promise<string> {
  const parts = [
    '# CLI reference',
    '',
    '<!-- Generated from `wasm-runtime --help` and `wasm-runtime <command> --help` by',
    '     `npm run docs`; a test fails when this file is stale. Do not edit by hand. -->',
    '',
    '```text',
    (await helpText()).trimEnd(),
    '```',
  ];
  for (const command of COMMANDS) {
    parts.push('', `## wasm-runtime ${command}`, '', '```text', (await helpText(command)).trimEnd(), '```');
  }
  parts.push(
    '',
    '## Exit status',
    '',
    'Every command exits 0 on success, 1 when it fails (the message is `error[CODE]: message` on',
    "stderr, with a stable code), and 2 for a usage error. `run` exits with the guest's exit code",
    '(0-125; a `proc_exit` status above 125 fails the run with `ERR_WASI_EXIT_STATUS` and exit 1, as',
    'in Wasmtime), 134 when the guest traps, 142 when `--timeout` stopped it (`ERR_RUN_TIMEOUT`) and',
    '137 when it failed at its `--max-memory` limit (`ERR_RUN_MEMORY_LIMIT`). See',
    '[Bounded runs and exit statuses](limits.md).',
    '',
    '## JSON output',
    '',
    '`build --json`, `fetch --json`, `inspect --json`, `preinit --json` and `split --json` print one',
    'object on stdout, on success and on failure alike (then with exit status 1 and nothing on stderr):',
    '',
    '```text',
    '{ "format": "wasm-runtime-<command>@1", "ok": true | false,',
    '  "warnings": [{ "code", "message", "path"? }], "errors": [{ "code", "message", "path"?, "stage"? }],',
    "  ...the command's own fields }",
    '```',
    '',
    '`format` changes only when a field changes meaning or goes away. A config error has the code',
    '`ERR_CONFIG_INVALID` and the dot path of the value (`files.include`); a failed build stage has the',
    'stage (`preinit`). On success `build` adds `configFile`, `outDir`, `name`, `timings`,',
    '`preinitTimings`, `sizes`, `runtimeFromCache`, `initOutput` (what init printed), `files` and',
    '`manifest`; `fetch` adds `language`, `runtime`, `recipe`, `path`, `size`, `sha256`, `fromCache`,',
    '`cacheDir` and `ms`.',
    '',
    '`inspect` adds `file` (the path given) and, when the file is a module it could read (also one V8',
    'rejects: then `ok` is false, the error `ERR_CLI_INVALID_MODULE`, and the report is what could be',
    'read), `size`, `sections`, `imports`, `exports`, `functions`, `memories`, `globals`, `data`,',
    '`snapshot`, `split`, `validation` and `exceptions`. A file it cannot read is',
    '`ERR_CLI_MODULE_NOT_FOUND`; an exnref module this V8 cannot check is ok with the warning',
    '`WARN_INSPECT_NOT_VALIDATED`. Each import is `{ module, name, kind, type }` and each export',
    '`{ name, kind, index, type }`, where `type` depends on `kind`:',
    '',
    '| kind | type |',
    '| --- | --- |',
    '| `func`, `tag` | `{ typeIndex, params, results }`: value types such as `"i32"`, `"funcref"`; `null` for a GC type it does not decode |',
    '| `memory` | `{ min, max, shared, memory64, pageSize }`: limits in pages of `pageSize` bytes, `max` null when unbounded |',
    '| `global` | `{ valType, mutable }` |',
    '| `table` | `{ elemType, min, max, table64 }`: limits in elements |',
    '',
    "An export's `type` is null when its index names nothing in the module (V8 then rejects it).",
    '',
    '`preinit` adds `input` and `output` (the paths given) and, on success, `report`: `initFunc`,',
    '`ranInitialize`, `exitedWithZero`, `memories`, `globals`, `tables`, `snapshotNonZeroBytes`,',
    '`dataSegments`, `inputSize`, `outputSize`, `nondeterminism` (what init read of randomness and',
    "clocks, when WASI was allowed), `timings` and `warnings`; the pre-initializer's warnings (a rename",
    "whose source is not exported) are also in `warnings`, with the code `WARN_PREINIT`. Init's own",
    'stdout goes to stderr then, so that stdout is the report alone. `split` adds `snapshot` and',
    '`outDir` (the paths given) and, on success, `files` (`engine`, `app` and `manifest`: the names',
    'written in `outDir`) and `manifest` (what the `.split.json` holds). A module they cannot read is',
    '`ERR_CLI_MODULE_NOT_FOUND` and an output they cannot write `ERR_CLI_WRITE_FAILED`; the',
    "pre-initializer's and the splitter's own failures keep their codes (`ERR_PREINIT_*`, such as",
    '`ERR_PREINIT_MALFORMED` for bytes that are not a module; `ERR_SPLIT_*`; `split` of bytes V8',
    'rejects is `ERR_CLI_INVALID_MODULE`).',
    '',
  );
  return parts.join('\n');
}
