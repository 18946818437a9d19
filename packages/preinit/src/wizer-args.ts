import { PreinitUsageError } from './errors.js';

/** The wasm proposal switches Wizer accepts (`--wasm-<name>[=bool]`). */
export interface WasmFeatureFlags {
  multiMemory: boolean;
  multiValue: boolean;
  bulkMemory: boolean;
  simd: boolean;
  relaxedSimd: boolean;
  referenceTypes: boolean;
}

/** The command line of a `wizer` invocation, parsed with Wizer 11's flags and defaults. */
export interface WizerArgs {
  /** Input module path; `undefined` (or `-`) reads the module from stdin. */
  input: string | undefined;
  /** Output path; `undefined` writes the module to stdout. */
  output: string | undefined;
  /** `-h` / `--help` was given. */
  help: boolean;
  /** `-f` / `--init-func`, default `wizer-initialize`. */
  initFunc: string;
  /** `-r dst=src` renames, in order. */
  renameFuncs: Array<[dst: string, src: string]>;
  keepInitFunc: boolean;
  allowWasi: boolean;
  /** Default true. */
  inheritStdio: boolean;
  /** Default false. */
  inheritEnv: boolean;
  /** `--dir` host directories, each preopened under its own name. */
  dirs: string[];
  /** `--mapdir GUEST::HOST`. */
  mapdirs: Array<[guest: string, host: string]>;
  /** `--preload name=file`. */
  preloads: Array<[name: string, file: string]>;
  wasmFeatures: WasmFeatureFlags;
  relaxedSimdDeterministic: boolean;
}

/** The text `--help` prints. */
export const WIZER_HELP = `wasm-runtime-wizer: the WebAssembly pre-initializer of wasm-runtime (Wizer 11 compatible, runs on V8)

Usage: wasm-runtime-wizer [OPTIONS] [INPUT]

Arguments:
  [INPUT]  The input Wasm module's file path; stdin if not given.

Options:
  -o <OUTPUT>                           Output file path; stdout if not given.
  -f, --init-func <INIT_FUNC>           Export that initializes the module [default: wizer-initialize]
  -r, --rename-func <dst=src>           Rename export src to dst, replacing any dst export (repeatable)
      --keep-init-func[=<true|false>]   Keep exporting the init function [default: false]
      --allow-wasi[=<true|false>]       Allow WASI imports to be called during initialization
      --inherit-stdio [<true|false>]    Give init the process's stdin/stdout/stderr [default: true]
      --inherit-env [<true|false>]      Give init the process's environment variables [default: false]
      --dir <directory>                 Preopen a host directory under the same name (repeatable)
      --mapdir <GUEST_DIR::HOST_DIR>    Preopen a host directory under another guest name (repeatable)
      --preload <name=file.wasm>        Instantiate a module and provide it as import module <name> (repeatable)
      --wasm-multi-memory [<true|false>]      Accepted for compatibility (V8 decides what it supports)
      --wasm-multi-value [<true|false>]       Accepted for compatibility
      --wasm-bulk-memory [<true|false>]       Accepted for compatibility
      --wasm-simd [<true|false>]              Accepted for compatibility
      --wasm-reference-types [<true|false>]   Accepted for compatibility
      --wasm-relaxed-simd [<true|false>]      Accepted for compatibility
      --relaxed-simd-deterministic[=<true|false>]  Accepted for compatibility
  -h, --help                            Print help

Beyond Wizer: init runs with deterministic clocks and randomness; modules using exception handling,
and funcref tables mutated during init, are snapshotted.
`;

type Kind = 'value' | 'bool-equals' | 'bool-optional' | 'flag';

const LONG: Record<string, { key: string; kind: Kind }> = {
  'init-func': { key: 'f', kind: 'value' },
  'rename-func': { key: 'r', kind: 'value' },
  'keep-init-func': { key: 'keep-init-func', kind: 'bool-equals' },
  'allow-wasi': { key: 'allow-wasi', kind: 'bool-equals' },
  'relaxed-simd-deterministic': { key: 'relaxed-simd-deterministic', kind: 'bool-equals' },
  'inherit-stdio': { key: 'inherit-stdio', kind: 'bool-optional' },
  'inherit-env': { key: 'inherit-env', kind: 'bool-optional' },
  'wasm-multi-memory': { key: 'wasm-multi-memory', kind: 'bool-optional' },
  'wasm-multi-value': { key: 'wasm-multi-value', kind: 'bool-optional' },
  'wasm-bulk-memory': { key: 'wasm-bulk-memory', kind: 'bool-optional' },
  'wasm-simd': { key: 'wasm-simd', kind: 'bool-optional' },
  'wasm-relaxed-simd': { key: 'wasm-relaxed-simd', kind: 'bool-optional' },
  'wasm-reference-types': { key: 'wasm-reference-types', kind: 'bool-optional' },
  dir: { key: 'dir', kind: 'value' },
  mapdir: { key: 'mapdir', kind: 'value' },
  preload: { key: 'preload', kind: 'value' },
  help: { key: 'h', kind: 'flag' },
};

const SHORT: Record<string, { key: string; kind: Kind }> = {
  o: { key: 'o', kind: 'value' },
  f: { key: 'f', kind: 'value' },
  r: { key: 'r', kind: 'value' },
  h: { key: 'h', kind: 'flag' },
};

function parseBool(flag: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new PreinitUsageError(`invalid value '${value}' for '${flag}': possible values are true, false`);
}

/** The boolean fields of {@link WizerArgs} a flag sets. */
type BooleanArg = 'keepInitFunc' | 'allowWasi' | 'relaxedSimdDeterministic' | 'inheritStdio' | 'inheritEnv';

/** Boolean flags, by key, and the field each sets. */
const BOOLEANS = new Map<string, BooleanArg>([
  ['keep-init-func', 'keepInitFunc'],
  ['allow-wasi', 'allowWasi'],
  ['relaxed-simd-deterministic', 'relaxedSimdDeterministic'],
  ['inherit-stdio', 'inheritStdio'],
  ['inherit-env', 'inheritEnv'],
]);

/** `--wasm-<name>` flags, by key, and the feature each sets. */
const FEATURES = new Map<string, keyof WasmFeatureFlags>([
  ['wasm-multi-memory', 'multiMemory'],
  ['wasm-multi-value', 'multiValue'],
  ['wasm-bulk-memory', 'bulkMemory'],
  ['wasm-simd', 'simd'],
  ['wasm-relaxed-simd', 'relaxedSimd'],
  ['wasm-reference-types', 'referenceTypes'],
]);

/**
 * Parses a `wizer` command line (without the program name) the way Wizer 11 does: same flags,
 * same defaults, `--flag=value` and `--flag value` forms, `-o=out` and `-oout` for short flags.
 * Throws {@link PreinitUsageError} (`ERR_PREINIT_USAGE`) on anything Wizer would reject.
 */
export function parseWizerArgs(argv: readonly string[]): WizerArgs {
  const args: WizerArgs = {
    input: undefined,
    output: undefined,
    help: false,
    initFunc: 'wizer-initialize',
    renameFuncs: [],
    keepInitFunc: false,
    allowWasi: false,
    inheritStdio: true,
    inheritEnv: false,
    dirs: [],
    mapdirs: [],
    preloads: [],
    wasmFeatures: {
      multiMemory: true,
      multiValue: true,
      bulkMemory: true,
      simd: true,
      relaxedSimd: false,
      referenceTypes: true,
    },
    relaxedSimdDeterministic: false,
  };
  const seen = new Set<string>();
  const positionals: string[] = [];
  let onlyPositionals = false;

  const apply = (flag: string, key: string, value: string | boolean): void => {
    const single = ['o', 'f', 'keep-init-func', 'allow-wasi', 'relaxed-simd-deterministic'];
    if (single.includes(key) || key.startsWith('wasm-') || key.startsWith('inherit-')) {
      if (seen.has(key)) throw new PreinitUsageError(`the argument '${flag}' cannot be used multiple times`);
      seen.add(key);
    }
    const field = BOOLEANS.get(key);
    if (field !== undefined) {
      args[field] = value as boolean;
      return;
    }
    const feature = FEATURES.get(key);
    if (feature !== undefined) {
      args.wasmFeatures[feature] = value as boolean;
      return;
    }
    const str = String(value);
    switch (key) {
      case 'o':
        args.output = str;
        break;
      case 'f':
        args.initFunc = str;
        break;
      case 'r': {
        const eq = str.indexOf('=');
        if (eq <= 0 || eq === str.length - 1) {
          throw new PreinitUsageError(`invalid value '${str}' for '${flag}': expected <dst=src>`);
        }
        const dst = str.slice(0, eq);
        const src = str.slice(eq + 1);
        if (args.renameFuncs.some(([d]) => d === dst)) {
          throw new PreinitUsageError(`more than one source is renamed to \`${dst}\``);
        }
        if (args.renameFuncs.some(([, s]) => s === src)) {
          throw new PreinitUsageError(`\`${src}\` is renamed to more than one destination`);
        }
        args.renameFuncs.push([dst, src]);
        break;
      }
      case 'dir':
        args.dirs.push(str);
        break;
      case 'mapdir': {
        const sep = str.indexOf('::');
        if (sep < 0)
          throw new PreinitUsageError(`invalid value '${str}' for '${flag}': expected <GUEST_DIR::HOST_DIR>`);
        args.mapdirs.push([str.slice(0, sep), str.slice(sep + 2)]);
        break;
      }
      case 'preload': {
        const eq = str.indexOf('=');
        if (eq <= 0 || eq === str.length - 1) {
          throw new PreinitUsageError(`invalid value '${str}' for '${flag}': expected <name=file.wasm>`);
        }
        const name = str.slice(0, eq);
        if (args.preloads.some(([n]) => n === name)) {
          throw new PreinitUsageError(`the preload name \`${name}\` is given more than once`);
        }
        args.preloads.push([name, str.slice(eq + 1)]);
        break;
      }
      case 'h':
        args.help = true;
        break;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionals || arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    let spec: { key: string; kind: Kind } | undefined;
    let inline: string | undefined;
    let flag: string;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      flag = `--${name}`;
      spec = LONG[name];
    } else {
      const name = arg[1]!;
      flag = `-${name}`;
      spec = SHORT[name];
      if (arg.length > 2) inline = arg[2] === '=' ? arg.slice(3) : arg.slice(2);
    }
    if (spec === undefined) throw new PreinitUsageError(`unexpected argument '${arg}' found (see --help)`);
    switch (spec.kind) {
      case 'flag':
        if (inline !== undefined) throw new PreinitUsageError(`unexpected value '${inline}' for '${flag}'`);
        apply(flag, spec.key, true);
        break;
      case 'value': {
        let value = inline;
        if (value === undefined) {
          value = argv[i + 1];
          if (value === undefined)
            throw new PreinitUsageError(`a value is required for '${flag}' but none was supplied`);
          i++;
        }
        apply(flag, spec.key, value);
        break;
      }
      case 'bool-equals':
        apply(flag, spec.key, inline === undefined ? true : parseBool(flag, inline));
        break;
      case 'bool-optional': {
        if (inline !== undefined) apply(flag, spec.key, parseBool(flag, inline));
        else {
          const next = argv[i + 1];
          // Like clap: a following word that is not a flag is this flag's value.
          if (next !== undefined && !next.startsWith('-') && !onlyPositionals) {
            apply(flag, spec.key, parseBool(flag, next));
            i++;
          } else apply(flag, spec.key, true);
        }
        break;
      }
    }
  }
  if (positionals.length > 1) {
    throw new PreinitUsageError(
      `unexpected argument '${positionals[1]}' found: only one input module is accepted`,
    );
  }
  const input = positionals[0];
  args.input = input === '-' ? undefined : input;
  return args;
}
