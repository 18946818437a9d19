// `@wasm-runtime/pipeline/runner`: what runs a built app on any host (browsers, Workers, Node),
// with no Node built-in anywhere below it. Loading a dist is the host's part: `loadDist` for Node.

export { DistError, PoolError, PoolResetError } from './errors.js';
export { DIST_MANIFEST_FILE, DIST_MANIFEST_FORMAT, type DistManifest } from './manifest.js';
export type { PostRestore, Recipe, RestoreContext } from './recipe/types.js';
export {
  type CliInput,
  cappedDataModule,
  engineForHost,
  enginePreview2,
  hostExceptionForms,
  instantiateSplitPair,
  type LinkedSplitPair,
  lowerCliInput,
  type RunResult,
  runLinkedPair,
  runSplitPair,
  type SplitPairRunOptions,
  type SplitPairToRun,
} from './run/core.js';
export {
  checkLimits,
  MemoryLimitError,
  RunLimitError,
  type RunLimits,
} from './run/limit-rules.js';
export {
  checkEngineForReset,
  createPool,
  type EngineResetCheck,
  type Pool,
  type PoolDropped,
  type PoolOptions,
  type PoolRunOptions,
  type PoolStats,
} from './run/pool.js';
