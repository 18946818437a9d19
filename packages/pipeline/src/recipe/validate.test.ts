import { describe, expect, it } from 'vitest';
import type { Recipe } from './types.js';
import { validateRecipe } from './validate.js';

describe('validateRecipe', () => {
  it('accepts a complete recipe of each source kind', () => {
    const base = {
      language: 'lua',
      runtime: { name: 'lua', version: '5.4.4' },
      entry: { kind: 'command', export: 'run' },
    };
    expect(validateRecipe({ ...base, source: { kind: 'file', path: 'x.wasm' } })).toEqual([]);
    expect(
      validateRecipe({ ...base, source: { kind: 'url', url: 'https://x/y.wasm', sha256: 'a'.repeat(64) } }),
    ).toEqual([]);
    expect(
      validateRecipe({ ...base, source: { kind: 'npm', package: 'p', version: '1.0.0', path: 'a.wasm' } }),
    ).toEqual([]);
    expect(
      validateRecipe({
        ...base,
        source: { kind: 'build', key: ['k'], build: async () => {}, output: 'lua.wasm' },
      }),
    ).toEqual([]);
  });

  it('reports every problem with its dot path', () => {
    expect(
      validateRecipe({
        language: 'Lua!',
        runtime: { name: '' },
        source: { kind: 'npm', package: 'p', version: '1.0.0' },
        stage: {
          mounts: [{ guest: 'app' }, { guest: '/a', include: 'x' }, { guest: '/a' }, { guest: '/b/../c' }],
        },
        init: { maxDataSegments: 0.5 },
        entry: { kind: 'export' },
        postRestore: { call: 3 },
      }).map((i) => `${i.path}: ${i.message}`),
    ).toEqual([
      'language: expected a lowercase name such as "lua", got "Lua!"',
      'runtime.name: expected a non-empty string, got ""',
      'runtime.version: expected a non-empty string, got nothing',
      'source.file: expected the module path inside the unpacked tarball (or set source.path), got nothing',
      'stage.mounts.0.guest: expected an absolute, normalized guest path such as "/app", got "app"',
      'stage.mounts.1.include: expected an array of globs, got "x"',
      'stage.mounts.2.guest: "/a" is mounted twice',
      'stage.mounts.3.guest: expected an absolute, normalized guest path such as "/app", got "/b/../c"',
      'init.maxDataSegments: expected a positive integer, got number 0.5',
      'entry.export: expected an export name, got nothing',
      'postRestore.call: expected an export name, got number 3',
    ]);
    expect(validateRecipe(undefined)).toEqual([
      { path: '', message: 'expected a recipe object, got nothing' },
    ]);
  });
});

describe('validateRecipe: recipe files and export entries with arguments', () => {
  const base = {
    language: 'js',
    runtime: { name: 'engine', version: '1' },
    source: { kind: 'file', path: 'x.wasm' },
  };
  it('accepts a mount of recipe files and an export entry with i32 arguments and a pointer result', () => {
    expect(
      validateRecipe({
        ...base,
        stage: {
          mounts: [
            { guest: '/app' },
            { guest: '/driver', files: { 'a.js': 'x', 'b/c.bin': new Uint8Array(2) } },
          ],
        },
        entry: {
          kind: 'export',
          export: 'call',
          args: [0, -1, 4294967295],
          input: 'cli',
          result: 'pointer',
          stdinProbe: { args: [1], result: 'pointer', post: 'post_call', postArgs: [1] },
        },
      }),
    ).toEqual([]);
  });
  it('names bad files, arguments, result and input kinds', () => {
    expect(
      validateRecipe({
        ...base,
        stage: { mounts: [{ guest: '/app', files: { '/abs.js': 'x' } }] },
        entry: {
          kind: 'export',
          export: 'call',
          args: [1.5],
          result: 'stack',
          input: 'argv',
          stdinProbe: { args: [1], post: 3 },
        },
      }).map((i) => i.path),
    ).toEqual(['stage.mounts.0.files', 'entry.args', 'entry.result', 'entry.input', 'entry.stdinProbe']);
  });
});

describe("a mount of the runtime's own files", () => {
  it('accepts root "app" or "runtime" and names anything else', () => {
    const base = {
      language: 'python',
      runtime: { name: 'cpython', version: '3.11.2' },
      source: { kind: 'file', path: 'python.wasm' },
      entry: { kind: 'command' },
    };
    const mounts = [
      { guest: '/app' },
      { guest: '/usr/local/lib', root: 'runtime', from: 'lib', atRuntime: true },
    ];
    expect(validateRecipe({ ...base, stage: { mounts } })).toEqual([]);
    expect(validateRecipe({ ...base, stage: { mounts: [{ guest: '/lib', root: 'build' }] } })).toEqual([
      { path: 'stage.mounts.0.root', message: 'expected "app" or "runtime", got "build"' },
    ]);
  });
});

describe('the Recipe type', () => {
  it('accepts a recipe written `as const` (readonly arrays), as a recipe package without a pipeline dependency writes it', () => {
    const recipe = {
      language: 'lua',
      runtime: { name: 'lua', version: '5.4.4' },
      source: {
        kind: 'build',
        inputs: {
          lua: { kind: 'url', url: 'https://www.lua.org/ftp/lua-5.4.4.tar.gz', sha256: 'a'.repeat(64) },
        },
        key: async (): Promise<readonly string[]> => ['k'],
        build: async (context: { inputs: Record<string, { path: string }>; dir: string }): Promise<void> => {
          void context;
        },
        output: 'lua.wasm',
      },
      stage: { mounts: [{ guest: '/app', include: ['**/*.lua'] }] },
      init: (context: { entryGuestPath: string }) => ({
        export: 'wizer-initialize',
        env: { ENTRY: context.entryGuestPath },
      }),
      entry: { kind: 'command', export: 'wasm-runtime.run' },
      postRestore: { call: 'wasm_runtime_reseed' },
      defaults: { entry: 'main.lua', include: ['**/*.lua'] },
    } as const satisfies Recipe;
    expect(validateRecipe(recipe)).toEqual([]);
  });
});
