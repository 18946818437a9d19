export {
  type CompileLibpythonOptions,
  compileLibpython,
  type LinkPythonOptions,
  libpythonBuildKey,
  linkPython,
  PYTHON_DRIVER_DIR,
  PYTHON_HOME,
  type PythonToolchainOptions,
  pythonBuildKey,
  STDLIB_EXCLUDES,
  STDLIB_TREE,
  STDLIB_ZIP,
} from './build.js';
export { PythonBuildError } from './errors.js';
export {
  type BuildPythonOptions,
  buildPython,
  PYTHON_APP_ROOT,
  PYTHON_CALL_STATUS,
  PYTHON_EXPORTS,
  type PythonAppOptions,
  type PythonBuild,
  type PythonRecipeOptions,
  pythonRecipe,
  recipe,
} from './recipe.js';
export {
  type FetchPythonSourcesOptions,
  fetchPythonSources,
  PYTHON_SOURCE,
  PYTHON_SOURCE_ROOT,
  ZLIB_SOURCE,
  ZLIB_SOURCE_ROOT,
} from './source.js';
