import { describe, expect, it } from 'vitest';
import { RubyBuildError } from './errors.js';
import { adaptRubyModule, jsInteropMessage } from './module.js';

describe('adaptRubyModule', () => {
  it('refuses a module that is not ruby+stdlib.wasm, naming the export it misses', () => {
    const empty = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
    expect(() => adaptRubyModule(empty, '')).toThrow(RubyBuildError);
    expect(() => adaptRubyModule(empty, '')).toThrow(
      expect.objectContaining({
        code: 'ERR_RUBY_BAD_RUNTIME',
        message: expect.stringContaining('no function export "cabi_realloc"'),
      }),
    );
  });

  it('names a JS-interop import by its module and function, without the wit signature', () => {
    expect(
      jsInteropMessage(
        'rb-js-abi-host',
        'eval-js: func(code: string) -> variant { success(handle<js-abi-value>) }',
      ),
    ).toBe(
      'wasm-runtime/ruby: the app called rb-js-abi-host.eval-js: JS interop (require "js") is not supported by the wasm-runtime Ruby runtime, which runs on any WASI preview1 host\n',
    );
  });
});
