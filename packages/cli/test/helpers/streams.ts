import type { CommandStreams } from '../../src/commands/format.js';

/** Streams that record what a command writes; not a TTY unless asked, with an empty environment. */
export function capture(options: { isTTY?: boolean; env?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const streams: CommandStreams = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
  };
  return { streams, stdout: () => out.join(''), stderr: () => err.join('') };
}
