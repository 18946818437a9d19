import { InvalidOutputError } from './errors.js';

/** V8's reason for rejecting `bytes`, or undefined when it accepts them. */
function v8Rejection(bytes: Uint8Array): string | undefined {
  if (WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return undefined;
  try {
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return 'WebAssembly.validate rejected it';
}

/**
 * Checks that V8 accepts each output of `operation` before it is returned: one it rejects is a
 * bug here (`InvalidOutputError`), unless V8 rejects an input too. V8 cannot judge those: a
 * snapshot may use what this V8 lacks (several memories, for Wasmtime) and split and join keep it.
 */
export function checkOutputs(
  operation: 'split' | 'join',
  outputs: Readonly<Record<string, Uint8Array>>,
  inputs: Readonly<Record<string, Uint8Array>>,
): void {
  for (const [what, bytes] of Object.entries(outputs)) {
    const reason = v8Rejection(bytes);
    if (reason === undefined) continue;
    if (Object.values(inputs).some((input) => v8Rejection(input) !== undefined)) return;
    throw new InvalidOutputError(operation, what, reason);
  }
}
