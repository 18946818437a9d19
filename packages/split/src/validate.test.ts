import { isWasmRuntimeError } from '@wasm-runtime/errors';
import { describe, expect, it } from 'vitest';
import { checkOutputs } from './validate.js';

const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const valid = Uint8Array.from([...header, 0x05, 0x03, 0x01, 0x00, 0x01]); // (module (memory 1))
// (module (func (data.drop 0))): data.drop needs a data count section.
const invalid = Uint8Array.from([
  ...header,
  ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00],
  ...[0x0a, 0x07, 0x01, 0x05, 0x00, 0xfc, 0x09, 0x00, 0x0b],
]);
// (module (memory 1) (memory 1)): valid for Wasmtime, beyond Node 20's V8.
const twoMemories = Uint8Array.from([...header, 0x05, 0x05, 0x02, 0x00, 0x01, 0x00, 0x01]);

describe('checkOutputs', () => {
  it('passes outputs V8 accepts', () => {
    expect(() =>
      checkOutputs('split', { 'engine module': valid, 'app module': valid }, { snapshot: valid }),
    ).not.toThrow();
  });

  it("reports an output V8 rejects from inputs it accepts as a typed bug, with V8's reason", () => {
    let err: unknown;
    try {
      checkOutputs('join', { 'joined module': invalid }, { 'engine module': valid, 'app module': valid });
    } catch (e) {
      err = e;
    }
    expect(isWasmRuntimeError(err, 'ERR_SPLIT_INVALID_OUTPUT')).toBe(true);
    expect((err as Error).message).toMatch(
      /^the joined module join built is not valid \(V8: WebAssembly\.Module\(\): .*data.*\).*please report it/,
    );
  });

  it('does not judge outputs of inputs V8 rejects too (features this V8 lacks, such as several memories)', () => {
    expect(() =>
      checkOutputs('split', { 'app module': twoMemories }, { snapshot: twoMemories }),
    ).not.toThrow();
  });
});
