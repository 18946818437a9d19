export type { CLIStreams, ParsedCLI } from './cli.js';
export { helpText, main, parseCLI } from './cli.js';
export type { DirMapping, RunOptions } from './commands/run.js';
export { run } from './commands/run.js';
export {
  BadDirError,
  GuestTrapError,
  InvalidModuleError,
  ModuleNotFoundError,
  NotACommandError,
  UsageError,
} from './errors.js';
