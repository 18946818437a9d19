import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { i32Const, parseModule, setDataSegments, writeModule } from '@wasm-runtime/wasm';
import { describe, expect, it } from 'vitest';
import { checkOutput } from './check-output.js';

// (module (memory 1) (func (data.drop 0))) without its data count section, which data.drop needs.
const DROPS_SEGMENT_0 = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
  0x05, 0x03, 0x01, 0x00, 0x01, 0x0a, 0x07, 0x01, 0x05, 0x00, 0xfc, 0x09, 0x00, 0x0b,
]);

function withSegments(count: number, dataCount: boolean) {
  const module = parseModule(DROPS_SEGMENT_0);
  const big = new Uint8Array(10_000).fill(7);
  setDataSegments(
    module,
    Array.from({ length: count }, (_, k) => ({
      mode: 'active' as const,
      memory: 0,
      offset: i32Const(k * 10_000),
      data: big,
    })),
    dataCount ? { dataCount: true } : {},
  );
  return module;
}

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('checkOutput', () => {
  it('accepts a valid output, joined or not', () => {
    const module = withSegments(2, true);
    expect(() => checkOutput(module, undefined, 'in.wasm')).not.toThrow();
    expect(() => checkOutput(module, writeModule(module), 'in.wasm')).not.toThrow();
  });

  it("refuses an invalid one with a typed error carrying V8's reason, joined or not", () => {
    for (const module of [withSegments(0, true), withSegments(2, false)]) {
      for (const bytes of [undefined, writeModule(module)]) {
        const err = thrown(() => checkOutput(module, bytes, 'in.wasm'));
        expect(isWasmRuntimeError(err, 'ERR_PREINIT_INVALID_OUTPUT')).toBe(true);
        const message = (err as Error).message;
        expect(message).toMatch(/built from in\.wasm is not valid \(V8: WebAssembly\.Module\(\): .*data/);
        expect(message).toMatch(/nothing was written.*please report it with the input module/);
      }
    }
  });
});
