import { execFile } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { differences } from '@wasm-runtime/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON_SOURCE, PYTHON_SOURCE_ROOT } from '../src/index.js';
import { buildApp, runCold, runSplit, tempDir, testStore } from './helpers.js';

const run = promisify(execFile);

/** CPython's own tests this recipe runs, and the files of Lib/test they need. */
const MODULES = [
  'test_json',
  'test_re',
  'test_dataclasses',
  'test_decimal',
  'test_datetime',
  'test_string',
  'test_collections',
];
const MEMBERS = [
  '__init__.py',
  'support',
  'test_json',
  'test_re.py',
  're_tests.py',
  'test_dataclasses.py',
  'dataclass_module_1.py',
  'dataclass_module_1_str.py',
  'dataclass_module_2.py',
  'dataclass_module_2_str.py',
  'dataclass_textanno.py',
  'test_decimal.py',
  'decimaltestdata',
  'test_datetime.py',
  'datetimetester.py',
  'test_string.py',
  'test_collections.py',
];

let scratch: { path: string; remove: () => Promise<void> };
let app: string;
let dist: string;

beforeAll(async () => {
  scratch = await tempDir('python-regrtest-');
  app = join(scratch.path, 'app');
  await mkdir(app);
  await copyFile(
    fileURLToPath(new URL('./fixtures/regrtest/main.py', import.meta.url)),
    join(app, 'main.py'),
  );
  // Lib/test of the pinned source, staged like an app's own package.
  const source = await testStore().fetch(PYTHON_SOURCE);
  await run('tar', [
    '-xzf',
    source.path,
    '-C',
    app,
    '--strip-components=2',
    ...MEMBERS.map((m) => `${PYTHON_SOURCE_ROOT}/Lib/test/${m}`),
  ]);
  dist = (await buildApp(app, join(scratch.path, 'dist'), 'regrtest')).outDir;
}, 900_000);
afterAll(() => scratch?.remove());

describe("CPython's regression tests", () => {
  it('give the same counts and failures inside a restored snapshot as cold', async () => {
    const split = await runSplit(dist);
    const cold = await runCold(app, 'regrtest');
    // The counts, for the record (the README's table comes from here).
    console.info(split.stdout);
    expect(differences({ cold, split })).toEqual([]);
    expect(split.code).toBe(0);
    for (const name of MODULES) expect(split.stdout).toMatch(new RegExp(`^${name}: run=[1-9]\\d* `, 'm'));
  }, 3_600_000);
});
