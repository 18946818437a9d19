export type { CreateIO, ParsedArgs } from './cli.js';
export { main, parseArgs } from './cli.js';
export type { CreateOptions, CreateResult } from './create.js';
export { checkName, createApp } from './create.js';
export {
  CancelledError,
  CreateUsageError,
  DirNotEmptyError,
  InvalidNameError,
  NotADirectoryError,
  UnknownTemplateError,
} from './errors.js';
export type { Template } from './templates.js';
export { listTemplates } from './templates.js';
