import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import wabtInit from 'wabt';

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabt: Promise<Wabt> | undefined;

/** Every wabt feature this package reads. */
export const ALL_FEATURES = {
  exceptions: true,
  mutable_globals: true,
  sat_float_to_int: true,
  sign_extension: true,
  simd: true,
  threads: true,
  multi_value: true,
  tail_call: true,
  bulk_memory: true,
  reference_types: true,
  memory64: true,
  extended_const: true,
  relaxed_simd: true,
  function_references: true,
  multi_memory: true,
  annotations: true,
};

/** Assembles WebAssembly text with wabt (which writes minimal LEB128s). */
export async function assemble(
  text: string,
  features: Record<string, boolean> = ALL_FEATURES,
  options: { names?: boolean } = {},
): Promise<Uint8Array<ArrayBuffer>> {
  wabt ??= wabtInit();
  const w = await wabt;
  const mod = w.parseWat('fixture.wat', text, features);
  try {
    return mod.toBinary({ write_debug_names: options.names ?? false }).buffer as Uint8Array<ArrayBuffer>;
  } finally {
    mod.destroy();
  }
}

/** Assembles a fixture file from test/fixtures. */
export async function fixture(
  path: string,
  features?: Record<string, boolean>,
  options?: { names?: boolean },
): Promise<Uint8Array<ArrayBuffer>> {
  const text = readFileSync(fileURLToPath(new URL(`fixtures/${path}`, import.meta.url)), 'utf8');
  return assemble(text, features, options);
}

/** Disassembles with wabt (for comparing instruction streams). */
export async function disassemble(
  bytes: Uint8Array,
  features: Record<string, boolean> = ALL_FEATURES,
): Promise<string> {
  wabt ??= wabtInit();
  const w = await wabt;
  const mod = w.readWasm(new Uint8Array(bytes), { readDebugNames: false, ...features });
  try {
    return mod.toText({ foldExprs: false, inlineExport: false });
  } finally {
    mod.destroy();
  }
}
