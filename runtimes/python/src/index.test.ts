import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "PYTHON_APP_ROOT",
      "PYTHON_CALL_STATUS",
      "PYTHON_DRIVER_DIR",
      "PYTHON_EXPORTS",
      "PYTHON_HOME",
      "PYTHON_SOURCE",
      "PYTHON_SOURCE_ROOT",
      "PythonBuildError",
      "STDLIB_EXCLUDES",
      "STDLIB_TREE",
      "STDLIB_ZIP",
      "ZLIB_SOURCE",
      "ZLIB_SOURCE_ROOT",
      "buildPython",
      "compileLibpython",
      "fetchPythonSources",
      "libpythonBuildKey",
      "linkPython",
      "pythonBuildKey",
      "pythonRecipe",
      "recipe",
    ]
  `);
});
