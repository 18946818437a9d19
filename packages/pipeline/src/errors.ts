import { WasmRuntimeError } from '@wasm-runtime/errors';
import { closest } from './validation.js';

/** One problem found in a config or recipe, at a dot path such as `files.include.0`. */
export interface ValidationIssue {
  /** Dot path of the offending value (`entry`, `init.env.HOME`); empty for the whole object. */
  path: string;
  message: string;
}

/** `path: message`, the form the CLI prints. */
export function formatIssue(issue: ValidationIssue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}

/** `N error(s):` then one indented issue per line. */
function issueList(issues: readonly ValidationIssue[]): string {
  const count = `${issues.length} error${issues.length === 1 ? '' : 's'}`;
  return `${count}:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`;
}

/**
 * The config is invalid. `issues` holds every error found (not just the first); the message lists
 * them one per line.
 */
export class ConfigError extends WasmRuntimeError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], where = 'the config') {
    super('ERR_CONFIG_INVALID', `${where} has ${issueList(issues)}`);
    this.issues = issues;
  }
}

/** No recipe is installed for a language. `installed` lists the languages that are. */
export class UnknownLanguageError extends WasmRuntimeError {
  readonly language: string;
  readonly installed: readonly string[];

  constructor(language: string, installed: readonly string[]) {
    const guess = closest(language, new Set([...installed, ...KNOWN_LANGUAGES]));
    const valid = /^[a-z][a-z0-9-]*$/.test(language);
    super(
      'ERR_RECIPE_NOT_FOUND',
      `no recipe for the language "${language}": ${describeInstalled(installed)}. ` +
        (guess !== undefined
          ? `Did you mean "${guess}"? (${installed.includes(guess) ? 'installed' : `npm install -D @wasm-runtime/${guess}`})`
          : valid
            ? `Install @wasm-runtime/${language} (npm install -D @wasm-runtime/${language}), or point "recipe" in the config at a recipe module.`
            : 'A language name is lowercase letters, digits and dashes (the recipe package is @wasm-runtime/<language>); or point "recipe" in the config at a recipe module.'),
    );
    this.language = language;
    this.installed = installed;
  }
}

/** The languages this project publishes recipes for, suggested for typos even when not installed. */
export const KNOWN_LANGUAGES = ['lua', 'python', 'ruby', 'spidermonkey'] as const;

/** Words for the recipes that are installed, used by every "unknown language" message. */
export function describeInstalled(installed: readonly string[]): string {
  return installed.length === 0 ? 'no recipe is installed' : `installed recipes: ${installed.join(', ')}`;
}

/** A recipe module was found but does not export a valid recipe. */
export class InvalidRecipeError extends WasmRuntimeError {
  readonly issues: readonly ValidationIssue[];

  constructor(where: string, issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    super(
      'ERR_RECIPE_INVALID',
      `${where} is not a valid recipe:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
      options,
    );
    this.issues = issues;
  }
}

/** The stages of a build, in order. */
export type BuildStage = 'fetch' | 'stage' | 'preinit' | 'split' | 'forms' | 'emit';

/**
 * A build stage failed. `stage` says which; `cause` is the underlying typed error (a checksum
 * mismatch, a trap during init...). The output directory was left as it was.
 */
export class BuildStageError extends WasmRuntimeError {
  readonly stage: BuildStage;

  constructor(stage: BuildStage, app: string, options: { cause: unknown }) {
    const cause = options.cause;
    const reason =
      cause instanceof WasmRuntimeError
        ? `[${cause.code}] ${cause.message}`
        : cause instanceof Error
          ? cause.message
          : String(cause);
    super(
      'ERR_BUILD_STAGE_FAILED',
      `building ${app} failed in the ${stage} stage: ${reason}\n(the output directory was left unchanged)`,
      options,
    );
    this.stage = stage;
  }
}

/**
 * The app's initialization failed at build time. The message leads with what the runtime printed
 * (the language's own error, guest paths shown as the user's source paths); the pre-initializer's
 * error (a trap and its wasm backtrace) is the `cause`, summed up in one line.
 */
export class InitFailedError extends WasmRuntimeError {
  /** What init printed on stderr, in the user's paths. */
  readonly printed: string;

  constructor(printed: string, cause: WasmRuntimeError) {
    const first = cause.message.split('\n', 1)[0];
    super(
      'ERR_BUILD_INIT_FAILED',
      `the app's initialization failed:\n${printed}\n(then [${cause.code}] ${first}; \`wasm-runtime build --verbose\` shows the wasm backtrace)`,
      { cause },
    );
    this.printed = printed;
  }
}

/** A dist directory cannot be used: no manifest, a manifest of another format, a missing file. */
export class DistError extends WasmRuntimeError {
  readonly dir: string;

  constructor(dir: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_DIST_INVALID', `${dir} is not a usable wasm-runtime dist: ${reason}`, options);
    this.dir = dir;
  }
}

/**
 * A file in a dist directory does not have the sha256 its manifest records, or the files shipped
 * for run time differ from the list in the manifest (missing, extra, a symlink). `expected` and
 * `actual` are sha256s, or words when the difference is not one of contents.
 */
export class DistIntegrityError extends WasmRuntimeError {
  readonly file: string;
  readonly expected: string;
  readonly actual: string;

  constructor(file: string, expected: string, actual: string) {
    const hashes = /^[0-9a-f]{64}$/.test(expected) && /^[0-9a-f]{64}$/.test(actual);
    super(
      'ERR_DIST_INTEGRITY',
      `${file} does not match its manifest: expected ${hashes ? `sha256 ${expected}, got ${actual}` : `${expected}, found ${actual}`}. ` +
        'The dist was modified after the build: rebuild it with `wasm-runtime build`.',
    );
    this.file = file;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * The dist's manifest is not one this version can use: it breaks the published schema
 * (`@wasm-runtime/pipeline/manifest.schema.json`) or a sandbox rule. `issues` holds every problem
 * found, each at the dot path of its field (`mounts[0].dir`).
 */
export class DistManifestError extends WasmRuntimeError {
  readonly dir: string;
  readonly issues: readonly ValidationIssue[];

  constructor(dir: string, issues: readonly ValidationIssue[]) {
    super(
      'ERR_DIST_MANIFEST_INVALID',
      `${dir} is not a usable wasm-runtime dist: its manifest.json has ${issueList(issues)}\nA dist's manifest is written by \`wasm-runtime build\`: rebuild the dist, or get it again from where it came from.`,
    );
    this.dir = dir;
    this.issues = issues;
  }
}

/**
 * A mount of a dist would give the guest something outside the dist's own `files/` tree (its
 * directory resolves elsewhere through a symlink or is missing, or a saved descriptor's path goes
 * through a symlink). `field` names the manifest field.
 */
export class DistMountEscapeError extends WasmRuntimeError {
  readonly dir: string;
  readonly field: string;

  constructor(dir: string, field: string, reason: string, options?: { cause?: unknown }) {
    super(
      'ERR_DIST_MOUNT_ESCAPE',
      `${dir}: refusing to run it: ${field}: ${reason}. A dist may only give the guest directories of its own files/ tree; rebuild it with \`wasm-runtime build\`.`,
      options,
    );
    this.dir = dir;
    this.field = field;
  }
}

/**
 * Init left a file or directory open on a mount that is not shipped for run time: the snapshot
 * would hold a descriptor no restored instance can have.
 */
export class UnshippedStateError extends WasmRuntimeError {
  readonly mount: string;
  readonly path: string;

  constructor(mount: string, path: string) {
    super(
      'ERR_BUILD_UNSHIPPED_STATE',
      `init left ${mount}/${path} open, but the mount ${mount} is not available at run time: close it before init returns, or mark the mount \`atRuntime: true\` in the recipe so its files ship in dist/files/`,
    );
    this.mount = mount;
    this.path = path;
  }
}

/** The output directory exists, is not empty, and is not a dist: the build will not replace it. */
export class OutputDirError extends WasmRuntimeError {
  readonly dir: string;

  constructor(dir: string) {
    super(
      'ERR_BUILD_OUT_NOT_DIST',
      `${dir} exists and is not a wasm-runtime dist (it has files but no manifest.json): refusing to replace it; choose another --out, or remove it`,
    );
    this.dir = dir;
  }
}

/**
 * Another form of a built module could not be made: the exnref translation (binaryen) or the
 * component (jco's componentNew) failed or gave an invalid module.
 */
export class FormError extends WasmRuntimeError {
  readonly form: 'exnref' | 'component';

  constructor(form: 'exnref' | 'component', what: string, reason: string, options?: { cause?: unknown }) {
    super(
      'ERR_FORM_FAILED',
      `making the ${form} form of ${what} failed: ${reason}. ${
        form === 'exnref'
          ? 'Hosts other than V8 need this form of a runtime using legacy exception handling: report this with the runtime module.'
          : 'Build without --component (or component: false), and report this with the module.'
      }`,
      options,
    );
    this.form = form;
  }
}

/**
 * A pool of warm instances cannot do what was asked: `ERR_POOL_OPTIONS` (an invalid option),
 * `ERR_POOL_CLOSED` (a run after `close()`), `ERR_POOL_IMPORTS` (the engine imports something
 * the pool's WASI host cannot forward).
 */
export class PoolError extends WasmRuntimeError {
  constructor(code: 'ERR_POOL_OPTIONS' | 'ERR_POOL_CLOSED' | 'ERR_POOL_IMPORTS', message: string) {
    super(code, message);
  }
}

/**
 * With the pool's `verify` option: after a reset, an instance's memory or global differs from a
 * fresh instance's. The instance is dropped; this is a defect of the pool, never of the app.
 * Code `ERR_POOL_RESET_MISMATCH`.
 */
export class PoolResetError extends WasmRuntimeError {
  /** The app export that differs (a memory or a global), and the first differing byte of a memory. */
  readonly item: string;
  readonly offset: number | undefined;

  constructor(where: string, item: string, offset: number | undefined, detail: string) {
    super(
      'ERR_POOL_RESET_MISMATCH',
      `a pooled instance of ${where} differs from a fresh one after its reset: ${item}${offset === undefined ? '' : ` at byte ${offset}`} (${detail}): report it as a bug of wasm-runtime, and until it is fixed run this app with fresh instances (runDist)`,
    );
    this.item = item;
    this.offset = offset;
  }
}

/**
 * A dist's post-restore hook (JavaScript of its recipe) cannot run on this host: the browser runner
 * runs only hooks of installed recipe packages that load there (no Node built-in in their import
 * graph), never a file the dist names. `recipe` is the manifest's recipe specifier.
 */
export class DistHookUnavailableError extends WasmRuntimeError {
  readonly dist: string;
  readonly recipe: string | null;

  constructor(dist: string, recipe: string | null, reason: string, options?: { cause?: unknown }) {
    super('ERR_DIST_HOOK_UNAVAILABLE', `${dist}: its post-restore hook cannot run here: ${reason}`, options);
    this.dist = dist;
    this.recipe = recipe;
  }
}
