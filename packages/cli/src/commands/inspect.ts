import { isWasmRuntimeError } from '@wasm-runtime/errors';
import type { ExternTypeInfo, ModuleReport } from '@wasm-runtime/pipeline';
import { InvalidModuleError, UsageError } from '../errors.js';
import { type CommandStreams, formatBytes, painter, processStreams, readArgs, table } from './format.js';
import { issueOf, type JsonIssue, printJson } from './json-report.js';
import { readModuleFile } from './read-module.js';

/** Options of `wasm-runtime inspect`, which are also its programmatic API. */
export interface InspectOptions {
  /** The module to inspect. */
  module: string;
  /** Print the report as JSON on stdout. */
  json?: boolean | undefined;
}

/** `wasm-runtime inspect --help`. */
export const INSPECT_HELP = `Usage: wasm-runtime inspect <module.wasm> [--json]

Shows what a WebAssembly module holds: sections and their sizes, imports, exports, memories,
globals, data segments, whether it looks pre-initialized (a snapshot), and whether it is the
engine or the app module of a split pair. A module that V8 rejects is reported with what could be
read of it and V8's reason, and the exit status is 1.

Options:
  --json      print the report as one JSON object on stdout (wasm-runtime-inspect@1, below), also
              when the module cannot be read
  -h, --help  show this help
`;

/** Parses the arguments after `inspect`. Throws `UsageError`. */
export function parseInspectArgs(argv: readonly string[]): InspectOptions {
  const { flags, positionals } = readArgs('inspect', argv, { flags: ['--json'] });
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'inspect needs a module: wasm-runtime inspect <module.wasm>'
        : 'inspect takes one module',
      'inspect',
    );
  }
  return { module: positionals[0]!, json: flags.has('--json') };
}

/** An import's or export's type as one line: `(i32, i32) -> i32`, `mut i32`, `17 pages..`. */
export function typeText(kind: string, type: ExternTypeInfo | null): string {
  if (type === null) return 'undefined index';
  if ('typeIndex' in type) {
    if (type.params === null || type.results === null) return `type ${type.typeIndex}`;
    const sig = `(${type.params.join(', ')})`;
    return kind === 'tag'
      ? `tag ${sig}`
      : `${sig} -> ${type.results.length === 0 ? '()' : type.results.join(', ')}`;
  }
  if ('valType' in type) return `${type.mutable ? 'mut ' : ''}${type.valType}`;
  const limits = `${type.min}..${type.max ?? ''}`;
  if ('elemType' in type) return `${type.elemType} ${limits}${type.table64 ? ' table64' : ''}`;
  const unit = type.pageSize === 65536 ? 'pages' : `pages of ${type.pageSize} B`;
  return `${limits} ${unit}${type.shared ? ', shared' : ''}${type.memory64 ? ', memory64' : ''}`;
}

function render(path: string, r: ModuleReport, streams: CommandStreams, uncheckable: boolean): string {
  const paint = painter(streams);
  const h = (text: string) => `\n${paint(1, text)}\n`;
  let out = `${paint(1, path)}: ${formatBytes(r.size)}\n`;
  out += h('sections');
  out += table(
    r.sections.map((s) => [s.name, s.count === undefined ? '' : String(s.count), formatBytes(s.size)]),
    [false, true, true],
  );
  out += h(`imports (${r.imports.length})`);
  out +=
    r.imports.length === 0
      ? '  none\n'
      : table(r.imports.map((i) => [`  ${i.module}.${i.name}`, i.kind, typeText(i.kind, i.type)]));
  out += h(`exports (${r.exports.length})`);
  out +=
    r.exports.length === 0
      ? '  none\n'
      : table(r.exports.map((e) => [`  ${e.name}`, e.kind, String(e.index), typeText(e.kind, e.type)]));
  out += h('functions');
  out += `  ${r.functions.imported} imported, ${r.functions.defined} defined, code ${formatBytes(r.functions.codeBytes)}\n`;
  out += h(`memories (${r.memories.length})`);
  for (const m of r.memories) {
    out += `  ${m.index}: ${m.imported ? 'imported, ' : ''}${m.min} pages (${formatBytes(m.min * 65536)})${m.max === null ? '' : `, max ${m.max}`}${m.shared ? ', shared' : ''}${m.memory64 ? ', memory64' : ''}\n`;
  }
  out += h(`globals (${r.globals.length})`);
  out +=
    r.globals.length === 0
      ? '  none\n'
      : table(
          r.globals.map((g) => [
            `  ${g.index}${g.name === null ? '' : ` ${g.name}`}`,
            `${g.mutable ? 'mut ' : ''}${g.type}`,
            g.imported ? 'imported' : (g.value ?? ''),
          ]),
        );
  out += h('data');
  out += `  ${r.data.segments} segments (${r.data.active} active, ${r.data.passive} passive), ${formatBytes(r.data.bytes)}, ${formatBytes(r.data.nonZeroBytes)} non-zero\n`;
  out += h('snapshot');
  out += `  ${r.snapshot.verdict}: ${r.snapshot.reason}\n`;
  if (r.memories.length > 0)
    out += `  data defines ${(r.snapshot.density * 100).toFixed(1)}% of the initial memory with non-zero bytes\n`;
  out += h('split');
  out +=
    r.split.role === 'none'
      ? '  not part of a split pair\n'
      : r.split.role === 'engine'
        ? `  engine: imports its state from "${r.split.importModule}"\n`
        : '  app module: data only, link it with its engine\n';
  out += h('validation');
  out += r.validation.valid
    ? '  valid\n'
    : uncheckable
      ? `  not checked: this V8 does not run the exnref form (${r.validation.error}); Wasmtime does\n`
      : `  invalid: ${r.validation.error}\n`;
  out += h('exceptions');
  out +=
    r.exceptions === 'legacy'
      ? '  legacy (try/catch): runs in V8 (Node, browsers); Wasmtime and wasm-tools refuse it (use the exnref form)\n'
      : r.exceptions === 'exnref'
        ? '  exnref (try_table/throw_ref): runs in Wasmtime (-W exceptions=y); Node 20 refuses it\n'
        : '  none: no exception handling, runs in V8 and Wasmtime alike\n';
  return out;
}

/**
 * `wasm-runtime inspect`: prints the report of a module, or with `json` one `wasm-runtime-inspect@1`
 * object (also when the module cannot be read: then `ok` is false and `errors` says why). Resolves
 * to the exit status.
 */
export async function inspectCommand(
  options: InspectOptions,
  streams: CommandStreams = processStreams(),
): Promise<number> {
  try {
    return await inspectFile(options, streams);
  } catch (error) {
    if (!options.json || !isWasmRuntimeError(error)) throw error;
    printJson(streams, 'inspect', { ok: false, errors: [issueOf(error)], file: options.module });
    return 1;
  }
}

async function inspectFile(options: InspectOptions, streams: CommandStreams): Promise<number> {
  const { hostExceptionForms, inspectModule } = await import('@wasm-runtime/pipeline');
  const bytes = await readModuleFile(options.module);
  let report: ModuleReport;
  try {
    report = inspectModule(bytes);
  } catch (cause) {
    throw new InvalidModuleError(options.module, (cause as Error).message, { cause });
  }
  // The exnref files a build ships for Wasmtime use instructions Node 20's V8 does not know: V8
  // cannot judge them, which does not make them invalid.
  const uncheckable =
    !report.validation.valid && report.exceptions === 'exnref' && !hostExceptionForms().exnref;
  // What could be read is shown either way; the module itself is still unusable.
  const invalid =
    report.validation.valid || uncheckable
      ? undefined
      : new InvalidModuleError(options.module, `V8 rejects it: ${report.validation.error}`);
  if (options.json) {
    const warnings: JsonIssue[] = uncheckable
      ? [
          {
            code: 'WARN_INSPECT_NOT_VALIDATED',
            message: `not checked: this V8 does not run the exnref form (${report.validation.error}); Wasmtime does`,
          },
        ]
      : [];
    printJson(streams, 'inspect', {
      ok: invalid === undefined,
      warnings,
      errors: invalid === undefined ? [] : [issueOf(invalid)],
      file: options.module,
      ...report,
    });
    return invalid === undefined ? 0 : 1;
  }
  streams.stdout(render(options.module, report, streams, uncheckable));
  if (invalid !== undefined) throw invalid;
  return 0;
}
