import type { ValidationIssue } from '../errors.js';
import { guestPathProblem } from '../run/sandbox.js';
import { describe, isObject, isStringArray } from '../validation.js';
import type { Recipe } from './types.js';

const LANGUAGE = /^[a-z][a-z0-9-]*$/;

/**
 * Checks the shape of a recipe object and returns every problem with its dot path (empty when
 * it is valid). Loading a recipe module runs this on its `recipe` export.
 */
export function validateRecipe(value: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const bad = (path: string, expected: string, got: unknown): void => {
    issues.push({ path, message: `expected ${expected}, got ${describe(got)}` });
  };
  if (!isObject(value)) {
    bad('', 'a recipe object', value);
    return issues;
  }
  if (typeof value['language'] !== 'string' || !LANGUAGE.test(value['language'])) {
    bad('language', 'a lowercase name such as "lua"', value['language']);
  }
  const runtime = value['runtime'];
  if (!isObject(runtime)) bad('runtime', 'an object { name, version }', runtime);
  else {
    for (const key of ['name', 'version']) {
      if (typeof runtime[key] !== 'string' || runtime[key] === '')
        bad(`runtime.${key}`, 'a non-empty string', runtime[key]);
    }
  }
  const source = value['source'];
  if (!isObject(source)) bad('source', 'an object with a kind (url, npm, build, file)', source);
  else {
    switch (source['kind']) {
      case 'url':
        if (typeof source['url'] !== 'string') bad('source.url', 'a URL', source['url']);
        if (typeof source['sha256'] !== 'string') bad('source.sha256', 'a sha256 in hex', source['sha256']);
        break;
      case 'npm':
        if (typeof source['package'] !== 'string') bad('source.package', 'a package name', source['package']);
        if (typeof source['version'] !== 'string')
          bad('source.version', 'an exact version', source['version']);
        if (source['path'] === undefined && typeof source['file'] !== 'string') {
          bad(
            'source.file',
            'the module path inside the unpacked tarball (or set source.path)',
            source['file'],
          );
        }
        break;
      case 'build':
        if (typeof source['build'] !== 'function') bad('source.build', 'a function', source['build']);
        if (typeof source['key'] !== 'function' && !isStringArray(source['key'])) {
          bad('source.key', 'an array of strings or a function', source['key']);
        }
        if (typeof source['output'] !== 'string')
          bad('source.output', 'a path inside the build directory', source['output']);
        if (source['inputs'] !== undefined && !isObject(source['inputs']))
          bad('source.inputs', 'an object', source['inputs']);
        break;
      case 'file':
        if (typeof source['path'] !== 'string') bad('source.path', 'a path to a .wasm file', source['path']);
        break;
      default:
        bad('source.kind', '"url", "npm", "build" or "file"', source['kind']);
    }
  }
  const stage = value['stage'];
  if (stage !== undefined) {
    if (!isObject(stage) || !Array.isArray(stage['mounts']))
      bad('stage.mounts', 'an array of mounts', isObject(stage) ? stage['mounts'] : stage);
    else {
      const seen = new Set<string>();
      stage['mounts'].forEach((mount: unknown, i) => {
        const at = `stage.mounts.${i}`;
        if (!isObject(mount)) {
          bad(at, 'an object { guest, from?, include?, exclude? }', mount);
          return;
        }
        const guest = mount['guest'];
        // The dist's manifest refuses what this lets through (run/sandbox.ts): builds emit only what runs.
        if (typeof guest !== 'string' || guestPathProblem(guest) !== undefined)
          bad(`${at}.guest`, 'an absolute, normalized guest path such as "/app"', guest);
        else if (seen.has(guest))
          issues.push({ path: `${at}.guest`, message: `"${guest}" is mounted twice` });
        else seen.add(guest);
        for (const key of ['include', 'exclude']) {
          if (mount[key] !== undefined && !isStringArray(mount[key]))
            bad(`${at}.${key}`, 'an array of globs', mount[key]);
        }
        const files = mount['files'];
        if (
          files !== undefined &&
          !(
            isObject(files) &&
            Object.entries(files).every(
              ([k, v]) =>
                k !== '' && !k.startsWith('/') && (typeof v === 'string' || v instanceof Uint8Array),
            )
          )
        )
          bad(`${at}.files`, 'an object of relative paths to file contents (strings or bytes)', files);
        if (mount['from'] !== undefined && typeof mount['from'] !== 'string')
          bad(`${at}.from`, 'a directory inside the app', mount['from']);
        if (mount['root'] !== undefined && mount['root'] !== 'app' && mount['root'] !== 'runtime')
          bad(`${at}.root`, '"app" or "runtime"', mount['root']);
      });
      if (stage['mounts'].length === 0)
        issues.push({ path: 'stage.mounts', message: 'expected at least one mount' });
    }
  }
  const init = value['init'];
  if (init !== undefined && typeof init !== 'function') {
    if (!isObject(init)) bad('init', 'an object or a function', init);
    else {
      if (init['export'] !== undefined && typeof init['export'] !== 'string')
        bad('init.export', 'an export name', init['export']);
      if (init['args'] !== undefined && !isStringArray(init['args']))
        bad('init.args', 'an array of strings', init['args']);
      const max = init['maxDataSegments'];
      if (max !== undefined && !(Number.isInteger(max) && (max as number) >= 1))
        bad('init.maxDataSegments', 'a positive integer', max);
      if (
        init['env'] !== undefined &&
        !(isObject(init['env']) && Object.values(init['env']).every((v) => typeof v === 'string'))
      ) {
        bad('init.env', 'an object of strings', init['env']);
      }
    }
  }
  const entry = value['entry'];
  if (!isObject(entry)) bad('entry', 'an object { kind: "command" | "export", export? }', entry);
  else if (entry['kind'] === 'command') {
    if (entry['export'] !== undefined && typeof entry['export'] !== 'string')
      bad('entry.export', 'an export name', entry['export']);
  } else if (entry['kind'] === 'export') {
    if (typeof entry['export'] !== 'string') bad('entry.export', 'an export name', entry['export']);
    const i32s = (v: unknown) =>
      Array.isArray(v) && v.every((a) => Number.isInteger(a) && a >= -(2 ** 31) && a < 2 ** 32);
    const result = (v: unknown) => v === undefined || v === 'value' || v === 'pointer';
    if (entry['args'] !== undefined && !i32s(entry['args']))
      bad('entry.args', 'an array of i32 values', entry['args']);
    if (!result(entry['result'])) bad('entry.result', '"value" or "pointer"', entry['result']);
    if (entry['input'] !== undefined && entry['input'] !== 'cli') bad('entry.input', '"cli"', entry['input']);
    const probe = entry['stdinProbe'];
    if (
      probe !== undefined &&
      !(
        isObject(probe) &&
        i32s(probe['args']) &&
        result(probe['result']) &&
        (probe['post'] === undefined || typeof probe['post'] === 'string') &&
        (probe['postArgs'] === undefined || i32s(probe['postArgs']))
      )
    )
      bad(
        'entry.stdinProbe',
        '{ args: i32[], result?: "value" | "pointer", post?: export, postArgs?: i32[] }',
        probe,
      );
  } else bad('entry.kind', '"command" or "export"', entry['kind']);
  const post = value['postRestore'];
  if (post !== undefined) {
    if (!isObject(post)) bad('postRestore', 'an object { call?, hook? }', post);
    else {
      if (post['call'] !== undefined && typeof post['call'] !== 'string')
        bad('postRestore.call', 'an export name', post['call']);
      if (post['hook'] !== undefined && typeof post['hook'] !== 'function')
        bad('postRestore.hook', 'a function', post['hook']);
    }
  }
  const defaults = value['defaults'];
  if (defaults !== undefined) {
    if (!isObject(defaults)) bad('defaults', 'an object', defaults);
    else {
      if (defaults['entry'] !== undefined && typeof defaults['entry'] !== 'string')
        bad('defaults.entry', 'a path', defaults['entry']);
      for (const key of ['include', 'exclude']) {
        if (defaults[key] !== undefined && !isStringArray(defaults[key]))
          bad(`defaults.${key}`, 'an array of globs', defaults[key]);
      }
    }
  }
  return issues;
}

/**
 * Identity function that gives a recipe module its types: `export const recipe = defineRecipe({...})`.
 */
export function defineRecipe(recipe: Recipe): Recipe {
  return recipe;
}
