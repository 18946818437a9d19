import {
  type Global,
  getExports,
  getSection,
  type Import,
  parseModule,
  removeSection,
  setSection,
  structurallyEqual,
  valTypeText,
  type WasmModule,
  writeModule,
} from '@wasm-runtime/wasm';
import { PairMismatchError } from './errors.js';
import { APP_IMPORT_MODULE } from './manifest.js';
import { checkOutputs } from './validate.js';

/** Options of `join`. */
export interface JoinOptions {
  /** The import module name the engine uses for the app's state; default `wasm-runtime:app`. */
  importModule?: string;
}

/**
 * Joins an engine and its app module back into one monolithic module that runs in any host:
 * the engine's imports from `importModule` become the app's definitions again (memories with
 * their data, globals with their values), everything else is the engine's, unchanged.
 *
 * `join(split(x))` instantiates and behaves like `x`. It is byte-identical to `x` when `x`'s
 * import and global sections use the shortest LEB128 encodings (as this project's writer and
 * wasm-ld write them) and no custom section sits between its code and data sections.
 *
 * Throws `PairMismatchError` when the app does not define exactly what the engine imports.
 */
export function join(engine: Uint8Array, app: Uint8Array, options: JoinOptions = {}): Uint8Array {
  const importModule = options.importModule ?? APP_IMPORT_MODULE;
  const e = parseModule(engine);
  const a = parseModule(app);
  const engineImports = getSection(e, 'import')?.imports ?? [];
  const stateImports = engineImports.filter((i) => i.module === importModule);
  const otherImports = engineImports.filter((i) => i.module !== importModule);
  checkOrder(engineImports, importModule);

  for (const s of a.sections) {
    if (s.kind === 'code' || s.kind === 'function' || s.kind === 'import' || s.kind === 'start') {
      throw new PairMismatchError(`the app module has a ${s.kind} section, so it is not a split app module`);
    }
  }
  // The app's memory, data count and data sections take their place in the joined module.
  for (const s of e.sections) {
    if (s.kind === 'memory' || s.kind === 'datacount' || s.kind === 'data') {
      throw new PairMismatchError(`the engine module has a ${s.kind} section, so it is not a split engine`);
    }
  }
  const appMemories = getSection(a, 'memory');
  const appGlobals = getSection(a, 'global')?.globals ?? [];
  const appExports = getExports(a);
  const memImports = stateImports.filter((i) => i.desc.kind === 'memory');
  const globalImports = stateImports.filter((i) => i.desc.kind === 'global');
  if (appExports.length !== stateImports.length) {
    const extra = appExports.find((x) => !stateImports.some((i) => i.name === x.name));
    throw new PairMismatchError(
      `the engine imports ${stateImports.length} items from "${importModule}" but the app exports ${appExports.length}` +
        (extra === undefined ? '' : ` (the engine does not import "${extra.name}")`),
      extra?.name,
    );
  }
  const expectIndex = (imp: Import, position: number): void => {
    const x = appExports.find((ex) => ex.name === imp.name);
    if (x === undefined) throw new PairMismatchError(`the app does not export "${imp.name}"`, imp.name);
    if (x.kind !== imp.desc.kind) {
      throw new PairMismatchError(
        `the app exports "${imp.name}" as a ${x.kind}, the engine imports a ${imp.desc.kind}`,
        imp.name,
      );
    }
    if (x.index !== position) {
      throw new PairMismatchError(
        `the app exports ${x.kind} ${x.index} as "${imp.name}", but a split app exports it at index ${position}`,
        imp.name,
      );
    }
  };
  memImports.forEach((imp, i) => {
    expectIndex(imp, i);
    const def = appMemories?.memories[i];
    if (imp.desc.kind !== 'memory' || def === undefined) return;
    const want = imp.desc.type;
    if (def.shared !== want.shared || def.memory64 !== want.memory64 || def.max !== want.max) {
      throw new PairMismatchError(
        `memory "${imp.name}" differs: the app defines max ${def.max ?? 'none'}, shared ${def.shared}, ` +
          `memory64 ${def.memory64}; the engine imports max ${want.max ?? 'none'}, shared ${want.shared}, memory64 ${want.memory64}`,
        imp.name,
      );
    }
  });
  globalImports.forEach((imp, i) => {
    expectIndex(imp, i);
    const def: Global | undefined = appGlobals[i];
    if (imp.desc.kind !== 'global' || def === undefined) return;
    if (!structurallyEqual(def.type, imp.desc.type)) {
      throw new PairMismatchError(
        `global "${imp.name}" differs: the app defines ${def.type.mutable ? 'mutable ' : ''}${valTypeText(def.type.valType)}, ` +
          `the engine imports ${imp.desc.type.mutable ? 'mutable ' : ''}${valTypeText(imp.desc.type.valType)}`,
        imp.name,
      );
    }
  });
  if (
    (appMemories?.memories.length ?? 0) !== memImports.length ||
    appGlobals.length !== globalImports.length
  ) {
    throw new PairMismatchError('the app defines memories or globals the engine does not import');
  }

  const joined: WasmModule = { version: e.version, sections: [...e.sections] };
  if (otherImports.length > 0) setSection(joined, { kind: 'import', imports: otherImports });
  else removeSection(joined, 'import');
  const engineGlobals = getSection(e, 'global');
  if (engineGlobals !== undefined || appGlobals.length > 0) {
    setSection(joined, { kind: 'global', globals: [...appGlobals, ...(engineGlobals?.globals ?? [])] });
  }
  if (appMemories !== undefined) setSection(joined, appMemories);
  for (const s of a.sections) {
    if (s.kind === 'datacount' || s.kind === 'data') setSection(joined, s);
  }
  for (const s of a.sections) if (s.kind === 'custom') joined.sections.push(s);
  const bytes = writeModule(joined);
  checkOutputs('join', { 'joined module': bytes }, { 'engine module': engine, 'app module': app });
  return bytes;
}

/**
 * The state imports must come after every other import of their kind: they become the first
 * definitions, which follow all imports in the index space, and indices must not move.
 */
function checkOrder(imports: readonly Import[], importModule: string): void {
  const seen = new Set<string>();
  for (const imp of imports) {
    if (imp.module === importModule) seen.add(imp.desc.kind);
    else if (seen.has(imp.desc.kind)) {
      throw new PairMismatchError(
        `the engine imports ${imp.desc.kind} "${imp.module}" "${imp.name}" after its "${importModule}" imports, ` +
          'so it was not produced by split',
        imp.name,
      );
    }
  }
}
