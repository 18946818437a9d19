import { WasmRuntimeError } from '@wasm-runtime/errors';
import { createToolchain } from '../src/index.js';

/** A recipe's error class, as the tests' toolchain reports with. */
export class TestBuildError extends WasmRuntimeError {}

/** The toolchain of the tests: failures are {@link TestBuildError}s. */
export const toolchain = createToolchain(
  {
    missing: (message, cause) => new TestBuildError('ERR_TEST_MISSING', message, { cause }),
    failed: (message, cause) => new TestBuildError('ERR_TEST_FAILED', message, { cause }),
  },
  'install it with scripts/setup-toolchain',
);
