import { relative } from 'node:path';
import type { ResolvedConfig, ValidationResult } from '@wasm-runtime/pipeline';
import type { CommandStreams } from './format.js';

/** A config that failed validation, as `loadConfig` returns it. */
type FailedConfig = ValidationResult<ResolvedConfig> & { configFile: string | null };

/** Where a config's messages point: its file relative to the working directory, else the app dir. */
export function configLocation(configFile: string | null, dir: string): string {
  return configFile === null ? dir : relative(process.cwd(), configFile);
}

/**
 * Prints every error of a config (each with its dot path) on stderr, or all of them as one JSON
 * object on stdout; returns the exit status 1.
 */
export function reportConfigErrors(
  loaded: FailedConfig,
  dir: string,
  json: boolean | undefined,
  streams: CommandStreams,
): number {
  if (json) {
    streams.stdout(
      `${JSON.stringify({ ok: false, configFile: loaded.configFile, errors: loaded.errors, warnings: loaded.warnings }, null, 2)}\n`,
    );
    return 1;
  }
  const where = configLocation(loaded.configFile, dir);
  const n = loaded.errors.length;
  streams.stderr(`error[ERR_CONFIG_INVALID]: ${where} has ${n} error${n === 1 ? '' : 's'}:\n`);
  for (const e of loaded.errors) streams.stderr(`  ${e.path === '' ? '' : `${e.path}: `}${e.message}\n`);
  return 1;
}
