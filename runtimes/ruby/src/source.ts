import type { NpmSource } from '@wasm-runtime/pipeline';

/**
 * The npm package the runtime comes from: `@ruby/3.4-wasm-wasi` 2.10.1 (CRuby 3.4.1), fetched by
 * the artifact store as the registry's tarball, checked against the packument's sha512 integrity
 * and this sha256 (so a mirror holding `3.4-wasm-wasi-2.10.1.tgz` serves it offline).
 */
export const RUBY_PACKAGE: NpmSource & { sha256: string; path?: undefined } = {
  kind: 'npm',
  package: '@ruby/3.4-wasm-wasi',
  version: '2.10.1',
  sha256: '2e709bd9eddefe1c5d63e9fc0391a35cce4754e936d8a2f24b8582f6d5c2ea88',
};

/** The module inside the package: the interpreter with the standard library packed in (wasi-vfs). */
export const RUBY_PACKAGE_MODULE = 'dist/ruby+stdlib.wasm';

/** The file name the registry (and a mirror) gives the tarball. */
export const RUBY_TARBALL_NAME = '3.4-wasm-wasi-2.10.1.tgz';
