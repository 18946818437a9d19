// Generated from schema/manifest.schema.json by scripts/schema-module.mjs: do not edit.
// (npm run schema-module rewrites it; a test fails when it is stale.)

import type { JsonSchema } from './check.js';

/** The published `manifest.schema.json`, as data. */
export const MANIFEST_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://wasm-runtime.dev/schema/manifest.schema.json',
  title: 'dist/manifest.json (wasm-runtime-dist@1)',
  description:
    'What `wasm-runtime build` emitted and how to run it. Holds nothing that varies between two builds of the same inputs.',
  type: 'object',
  $defs: {
    sha256: {
      type: 'string',
      pattern: '^[0-9a-f]{64}$',
    },
    file: {
      type: 'object',
      properties: {
        path: {
          description: 'A file name in the dist directory (no directory part).',
          type: 'string',
        },
        size: {
          $ref: '#/$defs/count',
        },
        sha256: {
          $ref: '#/$defs/sha256',
        },
      },
      required: ['path', 'size', 'sha256'],
      additionalProperties: false,
    },
    exceptions: {
      description:
        "The exception-handling form of a module's code: legacy (try/catch/delegate/rethrow: V8, Node, browsers), exnref (try_table/throw_ref: Wasmtime and other standard hosts, with exceptions enabled), none (runs in both).",
      enum: ['legacy', 'exnref', 'none'],
    },
    module: {
      type: 'object',
      properties: {
        path: {
          description: 'A file name in the dist directory (no directory part).',
          type: 'string',
        },
        size: {
          $ref: '#/$defs/count',
        },
        sha256: {
          $ref: '#/$defs/sha256',
        },
        exceptions: {
          $ref: '#/$defs/exceptions',
        },
      },
      required: ['path', 'size', 'sha256', 'exceptions'],
      additionalProperties: false,
    },
    count: {
      type: 'integer',
      minimum: 0,
    },
    i32s: {
      description: 'i32 arguments of a call (signed or unsigned).',
      type: 'array',
      items: {
        type: 'integer',
        minimum: -2147483648,
        maximum: 4294967295,
      },
    },
    guestPath: {
      description:
        'An absolute, normalized guest path: `/` or `/a/b` (no `.`, `..` or empty component, no trailing `/`).',
      type: 'string',
    },
    splitManifest: {
      description:
        'The manifest @wasm-runtime/split writes beside the pair (`<name>.split.json`), checked by link().',
      type: 'object',
      properties: {
        format: {
          const: 'wasm-runtime-split@1',
        },
        runtime: {
          description: 'Who built the engine, as the caller gave it.',
          type: ['object', 'null'],
          additionalProperties: {
            type: ['string', 'number', 'boolean', 'null'],
          },
        },
        importModule: {
          description: "The import module name of the app's state.",
          type: 'string',
          minLength: 1,
        },
        engine: {
          type: 'object',
          properties: {
            file: {
              type: 'string',
            },
            sha256: {
              $ref: '#/$defs/sha256',
            },
          },
          required: ['file', 'sha256'],
          additionalProperties: false,
        },
        app: {
          type: 'object',
          properties: {
            sha256: {
              $ref: '#/$defs/sha256',
            },
          },
          required: ['sha256'],
          additionalProperties: false,
        },
        original: {
          type: 'object',
          properties: {
            sha256: {
              $ref: '#/$defs/sha256',
            },
          },
          required: ['sha256'],
          additionalProperties: false,
        },
        imports: {
          description: 'What the engine imports from the app, in order.',
          type: 'array',
          items: {
            oneOf: [
              {
                type: 'object',
                properties: {
                  kind: {
                    const: 'memory',
                  },
                  name: {
                    type: 'string',
                  },
                  index: {
                    $ref: '#/$defs/count',
                  },
                  pages: {
                    $ref: '#/$defs/count',
                  },
                  maxPages: {
                    type: ['integer', 'null'],
                    minimum: 0,
                  },
                  shared: {
                    type: 'boolean',
                  },
                  memory64: {
                    type: 'boolean',
                  },
                },
                required: ['kind', 'name', 'index', 'pages', 'maxPages', 'shared', 'memory64'],
                additionalProperties: false,
              },
              {
                type: 'object',
                properties: {
                  kind: {
                    const: 'global',
                  },
                  name: {
                    type: 'string',
                  },
                  index: {
                    $ref: '#/$defs/count',
                  },
                  valType: {
                    type: 'string',
                  },
                  mutable: {
                    type: 'boolean',
                  },
                },
                required: ['kind', 'name', 'index', 'valType', 'mutable'],
                additionalProperties: false,
              },
            ],
          },
        },
        sizes: {
          type: 'object',
          properties: {
            engine: {
              $ref: '#/$defs/count',
            },
            app: {
              $ref: '#/$defs/count',
            },
            original: {
              $ref: '#/$defs/count',
            },
          },
          required: ['engine', 'app', 'original'],
          additionalProperties: false,
        },
        tables: {
          description: 'The table state the engine carries, or null.',
          type: ['object', 'null'],
          properties: {
            count: {
              $ref: '#/$defs/count',
            },
            elementSegments: {
              $ref: '#/$defs/count',
            },
            elementsSha256: {
              $ref: '#/$defs/sha256',
            },
            verifiedAgainstRuntime: {
              type: 'boolean',
            },
          },
          required: ['count', 'elementSegments', 'elementsSha256', 'verifiedAgainstRuntime'],
          additionalProperties: false,
        },
      },
      required: [
        'format',
        'runtime',
        'importModule',
        'engine',
        'app',
        'original',
        'imports',
        'sizes',
        'tables',
      ],
      additionalProperties: false,
    },
    savedDescriptor: {
      description:
        "One descriptor of the saved table (@wasm-runtime/wasi SavedDescriptor). `mount` must be a mount the dist ships, `path` a normalized relative path inside it (`''` for its root).",
      oneOf: [
        {
          type: 'object',
          properties: {
            kind: {
              const: 'stdio',
            },
            stdio: {
              enum: [0, 1, 2],
            },
            filetype: {
              $ref: '#/$defs/count',
            },
            fd: {
              type: 'integer',
              minimum: 0,
              maximum: 4294967295,
            },
            rightsBase: {
              $ref: '#/$defs/count',
            },
            rightsInheriting: {
              $ref: '#/$defs/count',
            },
            flags: {
              $ref: '#/$defs/count',
            },
          },
          required: ['fd', 'kind', 'stdio', 'filetype', 'rightsBase', 'rightsInheriting', 'flags'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: {
            kind: {
              const: 'dir',
            },
            mount: {
              $ref: '#/$defs/guestPath',
            },
            path: {
              type: 'string',
            },
            preopen: {
              $ref: '#/$defs/guestPath',
            },
            fd: {
              type: 'integer',
              minimum: 0,
              maximum: 4294967295,
            },
            rightsBase: {
              $ref: '#/$defs/count',
            },
            rightsInheriting: {
              $ref: '#/$defs/count',
            },
            flags: {
              $ref: '#/$defs/count',
            },
          },
          required: ['fd', 'kind', 'mount', 'path', 'rightsBase', 'rightsInheriting', 'flags'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: {
            kind: {
              const: 'file',
            },
            mount: {
              $ref: '#/$defs/guestPath',
            },
            path: {
              type: 'string',
            },
            position: {
              $ref: '#/$defs/count',
            },
            writable: {
              type: 'boolean',
            },
            filetype: {
              $ref: '#/$defs/count',
            },
            fd: {
              type: 'integer',
              minimum: 0,
              maximum: 4294967295,
            },
            rightsBase: {
              $ref: '#/$defs/count',
            },
            rightsInheriting: {
              $ref: '#/$defs/count',
            },
            flags: {
              $ref: '#/$defs/count',
            },
          },
          required: [
            'fd',
            'kind',
            'mount',
            'path',
            'position',
            'writable',
            'filetype',
            'rightsBase',
            'rightsInheriting',
            'flags',
          ],
          additionalProperties: false,
        },
      ],
    },
  },
  properties: {
    $schema: {
      description: 'Where an editor finds this schema; ignored.',
      type: 'string',
    },
    format: {
      const: 'wasm-runtime-dist@1',
    },
    name: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
    },
    runtime: {
      description:
        "The runtime build: the recipe's identity and the sha256 of the module before pre-initialization.",
      type: 'object',
      properties: {
        language: {
          type: 'string',
        },
        name: {
          type: 'string',
        },
        version: {
          type: 'string',
        },
        sha256: {
          $ref: '#/$defs/sha256',
        },
      },
      required: ['language', 'name', 'version', 'sha256'],
      additionalProperties: false,
    },
    recipe: {
      description:
        'How to load the recipe again (for a JS post-restore hook): a package specifier, or a path relative to the dist directory; null for an inline recipe.',
      type: ['string', 'null'],
    },
    entry: {
      type: 'object',
      properties: {
        kind: {
          enum: ['command', 'export'],
        },
        export: {
          description: '_start for a command; the export runDist calls otherwise.',
          type: 'string',
        },
        file: {
          description: "The app's entry file, relative to its root.",
          type: 'string',
        },
        args: {
          description: 'export entries: the i32 arguments of the call, when the recipe gives some.',
          $ref: '#/$defs/i32s',
        },
        result: {
          description:
            "export entries: where the exit code is: the export's i32 result (value) or the i32 at the address it returns (pointer).",
          enum: ['value', 'pointer'],
        },
        input: {
          description:
            "export entries: cli when the export receives, after args, the address of a canonical-ABI area holding the run's (arguments: list<string>, environment: list<tuple<string, string>>, stdin: list<u8>).",
          enum: ['cli'],
        },
        stdinProbe: {
          description:
            'input: cli entries: the call of the entry export (these args, its result read as result says) whose nonzero result means the app takes stdin; then post (an export) with postArgs.',
          type: 'object',
          properties: {
            args: {
              $ref: '#/$defs/i32s',
            },
            result: {
              enum: ['value', 'pointer'],
            },
            post: {
              type: 'string',
            },
            postArgs: {
              $ref: '#/$defs/i32s',
            },
          },
          required: ['args'],
          additionalProperties: false,
        },
      },
      required: ['kind', 'export', 'file'],
      additionalProperties: false,
    },
    files: {
      type: 'object',
      properties: {
        snapshot: {
          description:
            '<name>.wasm: the monolithic snapshot, runs in any WASI host that runs its exception-handling form.',
          $ref: '#/$defs/module',
        },
        engine: {
          description: 'engine-<sha>.wasm: code only, shared by every app of the runtime.',
          $ref: '#/$defs/module',
        },
        data: {
          description:
            "<name>.data.wasm: the app's memory and globals (no code: serves every form of the engine).",
          $ref: '#/$defs/module',
        },
        snapshotExnref: {
          description:
            'Present when the snapshot uses legacy exception handling: <name>.exnref.wasm, the snapshot translated to the exnref form, for Wasmtime.',
          $ref: '#/$defs/module',
        },
        engineExnref: {
          description:
            'With snapshotExnref: the engine in the exnref form (engine-<its sha>.wasm). The data module serves both forms.',
          $ref: '#/$defs/module',
        },
        component: {
          description:
            'Present when built with --component (config: component): <name>.component.wasm, a WASI 0.2 command component (its core module in the exnref form when the snapshot uses legacy exception handling).',
          type: 'object',
          properties: {
            path: {
              description: 'A file name in the dist directory (no directory part).',
              type: 'string',
            },
            size: {
              $ref: '#/$defs/count',
            },
            sha256: {
              $ref: '#/$defs/sha256',
            },
            exceptions: {
              $ref: '#/$defs/exceptions',
            },
            world: {
              const: 'wasi:cli/command',
            },
          },
          required: ['path', 'size', 'sha256', 'exceptions', 'world'],
          additionalProperties: false,
        },
      },
      required: ['snapshot', 'engine', 'data'],
      additionalProperties: false,
    },
    split: {
      $ref: '#/$defs/splitManifest',
    },
    mounts: {
      description:
        "The directories the guest saw during init. At run time every mount is read-only unless the user opts in (`--writable-mounts`); no value here can give the guest anything outside the dist's own files/ tree.",
      type: 'array',
      items: {
        type: 'object',
        properties: {
          guest: {
            description: 'Unique among the mounts.',
            $ref: '#/$defs/guestPath',
          },
          readOnly: {
            description:
              'What init had; at run time a mount is writable only when this is false and the user passes --writable-mounts.',
            type: 'boolean',
          },
          dir: {
            description:
              '`files<guest>` (`files/app` for `/app`, `files` for `/`) when the mount ships for run time, else null. Nothing else is accepted.',
            type: ['string', 'null'],
          },
          files: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                path: {
                  type: 'string',
                },
                size: {
                  $ref: '#/$defs/count',
                },
                sha256: {
                  $ref: '#/$defs/sha256',
                },
              },
              required: ['path', 'size', 'sha256'],
              additionalProperties: false,
            },
            description:
              'The files of the mount (normalized relative paths); for a shipped mount, exactly the files of `dir`, checked when the dist is loaded.',
          },
          source: {
            description:
              "For a mount of the app's own files: their directory relative to the config's directory, `/`-separated (`src`, or `\"\"` for that directory). Only shown in messages (guest paths of a run's stderr rewritten into it), never used to reach a file; no control characters.",
            type: 'string',
            pattern: '^[^\\u0000-\\u001f\\u007f]*$',
          },
        },
        required: ['guest', 'readOnly', 'dir', 'files'],
        additionalProperties: false,
      },
    },
    postRestore: {
      description:
        'Run after restore, before the entry: an export to call, and whether the recipe has a JS hook.',
      type: 'object',
      properties: {
        call: {
          type: ['string', 'null'],
        },
        hook: {
          type: 'boolean',
        },
      },
      required: ['call', 'hook'],
      additionalProperties: false,
    },
    preinit: {
      description: 'Summary of the pre-initialization report (no timings).',
      type: 'object',
      properties: {
        initFunc: {
          type: 'string',
        },
        ranInitialize: {
          type: 'boolean',
        },
        memories: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              index: {
                type: 'integer',
              },
              pages: {
                type: 'integer',
              },
              nonZeroBytes: {
                type: 'integer',
              },
              segmentBytes: {
                type: 'integer',
              },
              segments: {
                type: 'integer',
              },
            },
            required: ['index', 'pages', 'nonZeroBytes', 'segmentBytes', 'segments'],
            additionalProperties: false,
          },
        },
        globals: {
          type: 'integer',
        },
        snapshotNonZeroBytes: {
          type: 'integer',
        },
        dataSegments: {
          type: 'integer',
        },
        inputSize: {
          type: 'integer',
        },
        outputSize: {
          type: 'integer',
        },
        nondeterminism: {
          description:
            'What init read that differs per instance (reseed after restore); null when WASI was not allowed.',
          type: ['object', 'null'],
          properties: {
            randomBytes: {
              type: 'integer',
            },
            randomCalls: {
              type: 'integer',
            },
            clockReads: {
              type: 'integer',
            },
            envReads: {
              type: 'array',
              items: {
                type: 'string',
              },
            },
            argsRead: {
              type: 'boolean',
            },
            stdinBytes: {
              type: 'integer',
            },
          },
        },
      },
      required: [
        'initFunc',
        'ranInitialize',
        'memories',
        'globals',
        'snapshotNonZeroBytes',
        'dataSegments',
        'inputSize',
        'outputSize',
        'nondeterminism',
      ],
      additionalProperties: false,
    },
    hostState: {
      description:
        'The WASI descriptor table to restore when init left files open (@wasm-runtime/wasi HostState, version 1), else null.',
      type: ['object', 'null'],
      properties: {
        version: {
          const: 1,
        },
        mounts: {
          description: 'Guest paths of the preopens when the state was saved.',
          type: 'array',
          items: {
            $ref: '#/$defs/guestPath',
          },
        },
        fds: {
          type: 'array',
          items: {
            $ref: '#/$defs/savedDescriptor',
          },
        },
        deterministic: {
          type: 'object',
          properties: {
            clock: {
              type: 'string',
              pattern: '^[0-9]+$',
            },
            random: {
              type: 'array',
              items: {
                type: 'integer',
                minimum: 0,
                maximum: 4294967295,
              },
              minItems: 4,
              maxItems: 4,
            },
          },
          required: ['clock', 'random'],
          additionalProperties: false,
        },
      },
      required: ['version', 'fds'],
      additionalProperties: false,
    },
  },
  required: [
    'format',
    'name',
    'runtime',
    'recipe',
    'entry',
    'files',
    'split',
    'mounts',
    'postRestore',
    'preinit',
    'hostState',
  ],
  additionalProperties: false,
};
