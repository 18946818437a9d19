import { isWasmRuntimeError } from '@wasm-runtime/errors';
import type { CommandStreams } from './format.js';

/** One warning or error of a `--json` report: always a code, a dot path where one applies. */
export interface JsonIssue {
  code: string;
  message: string;
  /** Dot path of the offending config value (`files.include`), when there is one. */
  path?: string;
  /** The build stage that failed, for a stage failure. */
  stage?: string;
}

/**
 * What every `--json` command prints: one object, on success and on failure alike, versioned by
 * `format` (`wasm-runtime-<command>@1`); the command's own fields sit beside these. See
 * docs/cli.md ("JSON output").
 */
export interface JsonReport {
  format: string;
  ok: boolean;
  warnings: JsonIssue[];
  errors: JsonIssue[];
}

/** The `format` of a command's JSON report. */
export function jsonFormat(command: string): string {
  return `wasm-runtime-${command}@1`;
}

/** Prints a command's JSON report on stdout. */
export function printJson(
  streams: CommandStreams,
  command: string,
  report: { ok: boolean; warnings?: JsonIssue[]; errors?: JsonIssue[] } & Record<string, unknown>,
): void {
  const { ok, warnings = [], errors = [], ...fields } = report;
  const out: JsonReport & Record<string, unknown> = {
    format: jsonFormat(command),
    ok,
    warnings,
    errors,
    ...fields,
  };
  streams.stdout(`${JSON.stringify(out, null, 2)}\n`);
}

/** A thrown error as a JSON issue (its code, or `ERR_INTERNAL` for an untyped one). */
export function issueOf(error: unknown): JsonIssue {
  if (isWasmRuntimeError(error)) {
    const stage = (error as { stage?: unknown }).stage;
    return { code: error.code, message: error.message, ...(typeof stage === 'string' ? { stage } : {}) };
  }
  return { code: 'ERR_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Runs a command's work; with `json`, a typed failure becomes the command's report instead (`ok`
 * false, the error with its code, and `fields` such as the paths given) and the exit status 1.
 */
export async function reportingFailures(
  json: boolean | undefined,
  streams: CommandStreams,
  command: string,
  fields: Record<string, unknown>,
  work: () => Promise<number>,
): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (!json || !isWasmRuntimeError(error)) throw error;
    printJson(streams, command, { ok: false, errors: [issueOf(error)], ...fields });
    return 1;
  }
}
