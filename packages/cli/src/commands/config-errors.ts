import { relative } from 'node:path';
import type { ResolvedConfig, ValidationResult } from '@wasm-runtime/pipeline';
import type { CommandStreams } from './format.js';
import { printJson } from './json-report.js';

/** A config that failed validation, as `loadConfig` returns it. */
type FailedConfig = ValidationResult<ResolvedConfig> & { configFile: string | null };

/** Where a config's messages point: its file relative to the working directory, else the app dir. */
export function configLocation(configFile: string | null, dir: string): string {
  return configFile === null ? dir : relative(process.cwd(), configFile);
}

/** A config's warnings as JSON issues. */
export function configWarnings(loaded: { warnings: ValidationResult<ResolvedConfig>['warnings'] }) {
  return loaded.warnings.map((w) => ({ code: 'WARN_CONFIG', path: w.path, message: w.message }));
}

/**
 * Prints every error of a config (each with its dot path) on stderr, or the command's JSON report
 * (`command`) on stdout; returns the exit status 1.
 */
export function reportConfigErrors(
  loaded: FailedConfig,
  dir: string,
  json: boolean | undefined,
  streams: CommandStreams,
  command: string,
): number {
  if (json) {
    printJson(streams, command, {
      ok: false,
      configFile: loaded.configFile,
      warnings: configWarnings(loaded),
      errors: loaded.errors.map((e) => ({ code: 'ERR_CONFIG_INVALID', path: e.path, message: e.message })),
    });
    return 1;
  }
  const where = configLocation(loaded.configFile, dir);
  const n = loaded.errors.length;
  streams.stderr(`error[ERR_CONFIG_INVALID]: ${where} has ${n} error${n === 1 ? '' : 's'}:\n`);
  for (const e of loaded.errors) streams.stderr(`  ${e.path === '' ? '' : `${e.path}: `}${e.message}\n`);
  return 1;
}
