import type { CLIStreams } from '../cli.js';
import { UsageError } from '../errors.js';

/**
 * What a command writes to, plus what it needs to know about the terminal: progress is drawn
 * only when `isTTY` and not in CI; colours only on a TTY without `NO_COLOR`.
 */
export interface CommandStreams extends CLIStreams {
  /** Whether stderr is a terminal (default: `process.stderr.isTTY`). */
  isTTY?: boolean;
  /** Environment for `CI` and `NO_COLOR` (default: `process.env`). */
  env?: Record<string, string | undefined>;
}

/** The streams of this process. */
export function processStreams(): CommandStreams {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stderr.isTTY === true,
    env: process.env,
  };
}

/** True when progress may be drawn: a TTY, outside CI. */
export function showProgress(streams: CommandStreams): boolean {
  const env = streams.env ?? process.env;
  const tty = streams.isTTY ?? process.stderr.isTTY === true;
  return tty && (env['CI'] === undefined || env['CI'] === '' || env['CI'] === 'false');
}

/** Wraps text in an SGR code on a TTY without `NO_COLOR`; plain text otherwise. */
export function painter(streams: CommandStreams): (code: number, text: string) => string {
  const env = streams.env ?? process.env;
  const on = (streams.isTTY ?? process.stderr.isTTY === true) && (env['NO_COLOR'] ?? '') === '';
  return (code, text) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);
}

/** `1.2 KiB`, `3.4 MiB`, `812 B`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/** `0.42 ms`, `12 ms`, `1.53 s`. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Left-aligned columns (right-aligned where `right[i]`), two spaces apart. */
export function table(rows: string[][], right: boolean[] = []): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          right[i] ? cell.padStart(widths[i]!) : i === row.length - 1 ? cell : cell.padEnd(widths[i]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * A small argument reader shared by the commands: `--flag value`, `--flag=value`, boolean flags,
 * positionals, and `--` ending the options. Throws `UsageError` for unknown options.
 */
export function readArgs(
  command: string,
  argv: readonly string[],
  spec: { values?: readonly string[]; flags?: readonly string[]; aliases?: Readonly<Record<string, string>> },
): { values: Map<string, string[]>; flags: Set<string>; positionals: string[] } {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    let inline: string | undefined;
    if (eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const name = spec.aliases?.[arg] ?? arg;
    if (spec.flags?.includes(name)) {
      if (inline !== undefined) throw new UsageError(`${arg} takes no value`, command);
      flags.add(name);
    } else if (spec.values?.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`, command);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else throw new UsageError(`unknown option ${arg} for ${command}`, command);
  }
  return { values, flags, positionals };
}

/** Checks that each of `names` is given at most once and never empty. Throws `UsageError`. */
export function singleValues(values: Map<string, string[]>, names: readonly string[]): void {
  for (const name of names) {
    if ((values.get(name)?.length ?? 0) > 1) throw new UsageError(`${name} is given more than once`);
    if (last(values, name) === '') throw new UsageError(`${name} needs a non-empty value`);
  }
}

/** The last value of an option, or undefined. */
export function last(values: Map<string, string[]>, name: string): string | undefined {
  return values.get(name)?.at(-1);
}
