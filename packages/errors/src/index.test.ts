import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { InternalError, isWasmRuntimeError, WasmRuntimeError } from './index.js';

describe('WasmRuntimeError', () => {
  it('carries a stable code, the subclass name and the cause', () => {
    class MissingThingError extends WasmRuntimeError {}
    const cause = new Error('disk on fire');
    const err = new MissingThingError('ERR_MISSING_THING', 'no thing at ./x: create it first', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('MissingThingError');
    expect(err.code).toBe('ERR_MISSING_THING');
    expect(err.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'MissingThingError',
      code: 'ERR_MISSING_THING',
      message: 'no thing at ./x: create it first',
    });
  });

  it('marks internal errors as bugs to report', () => {
    const err = new InternalError('offset went negative');
    expect(err.code).toBe('ERR_INTERNAL');
    expect(err.message).toMatch(/bug in wasm-runtime/);
  });

  it('recognizes its errors by class and code', () => {
    const err = new WasmRuntimeError('ERR_A', 'a');
    expect(isWasmRuntimeError(err)).toBe(true);
    expect(isWasmRuntimeError(err, 'ERR_A')).toBe(true);
    expect(isWasmRuntimeError(err, 'ERR_B')).toBe(false);
    expect(isWasmRuntimeError(new Error('x'))).toBe(false);
    expect(isWasmRuntimeError('ERR_A')).toBe(false);
  });

  it('exports exactly its public surface', () => {
    expect(Object.keys(api).sort()).toEqual(['InternalError', 'WasmRuntimeError', 'isWasmRuntimeError']);
  });
});
