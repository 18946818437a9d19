import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { describe, expect, it } from 'vitest';
import { parseWizerArgs } from './wizer-args.js';

function usageError(argv: string[]): string {
  try {
    parseWizerArgs(argv);
  } catch (err) {
    expect(isWasmRuntimeError(err, 'ERR_PREINIT_USAGE')).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
}

describe('parseWizerArgs', () => {
  it("has Wizer 11's defaults", () => {
    expect(parseWizerArgs([])).toEqual({
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
    });
  });

  it("parses componentize-js's invocation", () => {
    const args = parseWizerArgs([
      '--allow-wasi',
      '--init-func',
      'componentize.wizer',
      '--dir=/tmp/x/sources',
      '--mapdir=/::/home/me/app',
      '--wasm-bulk-memory=true',
      '--inherit-env=true',
      '-o=/tmp/x/out.wasm',
      '/tmp/x/in.wasm',
    ]);
    expect(args).toMatchObject({
      allowWasi: true,
      initFunc: 'componentize.wizer',
      dirs: ['/tmp/x/sources'],
      mapdirs: [['/', '/home/me/app']],
      inheritEnv: true,
      output: '/tmp/x/out.wasm',
      input: '/tmp/x/in.wasm',
    });
    expect(args.wasmFeatures.bulkMemory).toBe(true);
  });

  it('accepts every value form of short and long options', () => {
    expect(parseWizerArgs(['-o', 'a.wasm']).output).toBe('a.wasm');
    expect(parseWizerArgs(['-oa.wasm']).output).toBe('a.wasm');
    expect(parseWizerArgs(['-f', 'init']).initFunc).toBe('init');
    expect(parseWizerArgs(['-f=init']).initFunc).toBe('init');
    expect(parseWizerArgs(['--init-func=init']).initFunc).toBe('init');
    expect(parseWizerArgs(['-r', '_start=wizer.resume', '--rename-func=a=b']).renameFuncs).toEqual([
      ['_start', 'wizer.resume'],
      ['a', 'b'],
    ]);
    expect(parseWizerArgs(['--keep-init-func']).keepInitFunc).toBe(true);
    expect(parseWizerArgs(['--keep-init-func=false']).keepInitFunc).toBe(false);
    expect(parseWizerArgs(['--allow-wasi=false']).allowWasi).toBe(false);
    expect(parseWizerArgs(['--inherit-stdio', 'false']).inheritStdio).toBe(false);
    expect(parseWizerArgs(['--inherit-stdio=false']).inheritStdio).toBe(false);
    expect(parseWizerArgs(['--inherit-env']).inheritEnv).toBe(true);
    expect(parseWizerArgs(['--wasm-simd', 'false', 'in.wasm'])).toMatchObject({
      input: 'in.wasm',
      wasmFeatures: { simd: false },
    });
    expect(parseWizerArgs(['--wasm-relaxed-simd', '--relaxed-simd-deterministic'])).toMatchObject({
      wasmFeatures: { relaxedSimd: true },
      relaxedSimdDeterministic: true,
    });
    expect(parseWizerArgs(['--preload', 'env=stubs.wasm', '--preload=b=c.wasm']).preloads).toEqual([
      ['env', 'stubs.wasm'],
      ['b', 'c.wasm'],
    ]);
    expect(parseWizerArgs(['--dir', 'a', '--dir', 'b']).dirs).toEqual(['a', 'b']);
    expect(parseWizerArgs(['--', '-weird.wasm']).input).toBe('-weird.wasm');
    expect(parseWizerArgs(['-']).input).toBeUndefined();
    expect(parseWizerArgs(['-h']).help).toBe(true);
    expect(parseWizerArgs(['--help']).help).toBe(true);
  });

  it('sets each feature switch on its own, away from its default', () => {
    const features = {
      'multi-memory': 'multiMemory',
      'multi-value': 'multiValue',
      'bulk-memory': 'bulkMemory',
      simd: 'simd',
      'reference-types': 'referenceTypes',
    } as const;
    const defaults = parseWizerArgs([]).wasmFeatures;
    for (const [flag, field] of Object.entries(features)) {
      expect(parseWizerArgs([`--wasm-${flag}=false`]).wasmFeatures).toEqual({ ...defaults, [field]: false });
    }
    expect(parseWizerArgs(['--wasm-relaxed-simd=true']).wasmFeatures).toEqual({
      ...defaults,
      relaxedSimd: true,
    });
  });

  it('rejects what Wizer rejects, with usage errors', () => {
    expect(usageError(['--inherit-env', 'in.wasm'])).toMatch(/invalid value 'in.wasm' for '--inherit-env'/);
    expect(usageError(['--keep-init-func=yes'])).toMatch(/possible values are true, false/);
    expect(usageError(['--nope'])).toMatch(/unexpected argument '--nope'/);
    expect(usageError(['a.wasm', 'b.wasm'])).toMatch(/only one input/);
    expect(usageError(['-o'])).toMatch(/a value is required for '-o'/);
    expect(usageError(['-o', 'a', '-o', 'b'])).toMatch(/cannot be used multiple times/);
    expect(usageError(['-r', 'nodst'])).toMatch(/expected <dst=src>/);
    expect(usageError(['-r', 'a=x', '-r', 'a=y'])).toMatch(/more than one source/);
    expect(usageError(['-r', 'a=x', '-r', 'b=x'])).toMatch(/more than one destination/);
    expect(usageError(['--mapdir', '/guest'])).toMatch(/GUEST_DIR::HOST_DIR/);
    expect(usageError(['--preload', 'x'])).toMatch(/name=file/);
    expect(usageError(['--help=yes'])).toMatch(/unexpected value/);
  });
});
