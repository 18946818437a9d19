export {
  BUILD_STAGES,
  type BuildEvent,
  type BuildOptions,
  type BuildResult,
  build,
  emitDir,
  fetchRuntime,
} from './build/build.js';
export type { PreinitSummary } from './build/preinit-adapter.js';
export {
  BUILTIN_EXCLUDES,
  CONFIG_FILES,
  defineConfig,
  findConfigFile,
  loadConfig,
  type ResolveConfigOptions,
  readConfigFile,
  resolveConfig,
} from './config/config.js';
export type { ConfigOverrides, ResolvedConfig, ValidationResult, WasmRuntimeConfig } from './config/types.js';
export {
  type BuildStage,
  BuildStageError,
  ConfigError,
  DistError,
  DistHookUnavailableError,
  DistIntegrityError,
  DistManifestError,
  DistMountEscapeError,
  FormError,
  formatIssue,
  InitFailedError,
  InvalidRecipeError,
  OutputDirError,
  PoolError,
  PoolResetError,
  UnknownLanguageError,
  UnshippedStateError,
  type ValidationIssue,
} from './errors.js';
export {
  type ExportInfo,
  type ExternTypeInfo,
  type FuncTypeInfo,
  type GlobalTypeInfo,
  type ImportInfo,
  inspectModule,
  type MemoryTypeInfo,
  type ModuleReport,
  type SectionInfo,
  type TableTypeInfo,
} from './inspect/inspect.js';
export {
  DIST_MANIFEST_FILE,
  DIST_MANIFEST_FORMAT,
  type DistComponentFile,
  type DistFile,
  type DistManifest,
  type DistModuleFile,
  type DistMount,
  type MountFile,
} from './manifest.js';
export {
  findRecipe,
  type LoadedRecipe,
  listInstalledRecipes,
  loadRecipeModule,
  RECIPE_SCOPE,
  type RecipeLookupOptions,
  resolveRecipeModule,
} from './recipe/resolve.js';
export type {
  BuildContext,
  BuildSource,
  EntrySpec,
  InitSpec,
  MountSpec,
  PostRestore,
  Recipe,
  RecipeContext,
  RecipeDefaults,
  RestoreContext,
  RuntimeIdentity,
  RuntimeSource,
  StageSpec,
  StdinProbe,
} from './recipe/types.js';
export { defineRecipe, validateRecipe } from './recipe/validate.js';
export {
  type CliInput,
  engineForHost,
  hostExceptionForms,
  lowerCliInput,
  type RunResult,
  runSplitPair,
  type SplitPairRunOptions,
  type SplitPairToRun,
} from './run/core.js';
// The helpers behind the limits (a run in a worker, memory caps) are `@wasm-runtime/pipeline/limits`.
export { MemoryLimitError, RunLimitError, type RunLimits, RunTimeoutError } from './run/limits.js';
export type {
  EngineResetCheck,
  Pool,
  PoolDropped,
  PoolOptions,
  PoolRunOptions,
  PoolStats,
} from './run/pool.js';
export { createPool, type DistPoolOptions } from './run/pool-dist.js';
export {
  type LoadDistOptions,
  type LoadedDist,
  loadDist,
  type RunDistOptions,
  runDist,
} from './run/run-dist.js';
export {
  distSourcePaths,
  type SourceMount,
  type SourcePaths,
  sourcePathRewriter,
  sourcePathsOutput,
} from './run/source-paths.js';
export * from './store/index.js';
