/*
 * The wasm-runtime driver for CPython 3.11: Python's half of the reactor ABI (reactor-abi.c of
 * @wasm-runtime/wasi-cc defines the exports, in place of Programs/python.c).
 *
 *   wizer-initialize       initialize an isolated interpreter, import the app's entry module (its
 *                          top level runs); this is what the pre-initializer runs at build time
 *   wasm_runtime_reseed    after restore: the run's sys.argv and os.environ, `random` reseeded
 *                          from WASI random_get (every entry below does it first if not yet done)
 *   wasm-runtime.run       command entry: main() -> exit code
 *   wasm_runtime_call      reactor entry: call a named function of the entry module, bytes in/out
 *
 * The Python half (argument and environment refresh, main()'s exit code, tracebacks) is the module
 * _wasm_runtime, staged with the standard library.
 *
 * Environment read at init: WASM_RUNTIME_PY_HOME (sys.prefix, default /usr/local),
 * WASM_RUNTIME_PY_PATH (sys.path, `:`-separated), WASM_RUNTIME_PY_ROOT (the app root, default
 * /app), WASM_RUNTIME_PY_ENTRY (default $ROOT/main.py), WASM_RUNTIME_PY_HASH_SEED (the str/bytes
 * hash secret's seed, 0 to 4294967295; unset: drawn from random_get), WASM_RUNTIME_PY_REACTOR
 * (1: the entry module may lack main(), the app being called only through wasm_runtime_call),
 * WASM_RUNTIME_PY_REPORT (1: say on stderr that the hash secret is in the snapshot, for the build).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>
#include <wasi/libc-environ.h>

#include "reactor-abi.h"

/* The module _wasm_runtime, once the interpreter exists. */
static PyObject *helper;
/* Lives in linear memory: a snapshot taken after init still says "not restored yet". */
static int restored;
static PyObject *result_obj;

static const char *env_or(const char *name, const char *fallback) {
  const char *value = getenv(name);
  return value != NULL && value[0] != '\0' ? value : fallback;
}

/*
 * Init failures trap after printing: the pre-initializer reports the trap, and stderr has the
 * Python traceback printed just before.
 */
__attribute__((noinline, noreturn)) static void python_app_init_failed(const char *what, const char *detail) {
  fprintf(stderr, "wasm-runtime/python: init failed: %s%s%s\n", what, detail != NULL ? ": " : "",
          detail != NULL ? detail : "");
  fflush(NULL);
  __builtin_trap();
}

static void check(PyStatus status, const char *what) {
  if (PyStatus_Exception(status)) python_app_init_failed(what, status.err_msg);
}

/* Prints the pending exception's traceback on sys.stderr, then fails init. */
__attribute__((noreturn)) static void init_failed_with_exception(const char *what) {
  PyErr_Print();
  PyObject *err = PySys_GetObject("stderr");
  if (err != NULL) Py_XDECREF(PyObject_CallMethod(err, "flush", NULL));
  PyErr_Clear();
  python_app_init_failed(what, NULL);
}

static void set_string(PyConfig *config, wchar_t **field, const char *value, const char *what) {
  check(PyConfig_SetBytesString(config, field, value), what);
}

int wasm_runtime_driver_initialized(void) { return helper != NULL; }

void wasm_runtime_driver_initialize(void) {
  if (helper != NULL) python_app_init_failed("wizer-initialize was called twice", NULL);

  PyPreConfig pre;
  PyPreConfig_InitIsolatedConfig(&pre);
  pre.utf8_mode = 1;
  check(Py_PreInitialize(&pre), "pre-initializing Python");

  PyConfig config;
  PyConfig_InitIsolatedConfig(&config);
  config.site_import = 0;
  config.write_bytecode = 0;
  config.install_signal_handlers = 0;
  config.parse_argv = 0;
  const char *seed = getenv("WASM_RUNTIME_PY_HASH_SEED");
  if (seed != NULL && seed[0] != '\0') {
    char *end;
    unsigned long long value = strtoull(seed, &end, 10);
    if (*end != '\0' || value > 4294967295ULL)
      python_app_init_failed("WASM_RUNTIME_PY_HASH_SEED must be an integer from 0 to 4294967295", seed);
    config.use_hash_seed = 1;
    config.hash_seed = (unsigned long)value;
  }
  const char *home = env_or("WASM_RUNTIME_PY_HOME", "/usr/local");
  set_string(&config, &config.home, home, "setting PyConfig.home");
  set_string(&config, &config.program_name, "python3.11", "setting PyConfig.program_name");
  set_string(&config, &config.executable, "", "setting PyConfig.executable");
  const char *root = env_or("WASM_RUNTIME_PY_ROOT", "/app");
  char fallback_path[512];
  snprintf(fallback_path, sizeof fallback_path, "%s/lib/python311.zip:%s", home, root);
  const char *path = env_or("WASM_RUNTIME_PY_PATH", fallback_path);
  config.module_search_paths_set = 1;
  for (const char *p = path; *p != '\0';) {
    const char *colon = strchr(p, ':');
    size_t len = colon != NULL ? (size_t)(colon - p) : strlen(p);
    if (len > 0) {
      char *part = strndup(p, len);
      wchar_t *entry = part != NULL ? Py_DecodeLocale(part, NULL) : NULL;
      free(part);
      if (entry == NULL) python_app_init_failed("WASM_RUNTIME_PY_PATH cannot be decoded", path);
      check(PyWideStringList_Append(&config.module_search_paths, entry), "setting sys.path");
      PyMem_RawFree(entry);
    }
    p += len;
    if (*p == ':') p++;
  }
  check(Py_InitializeFromConfig(&config), "initializing Python");
  PyConfig_Clear(&config);

  helper = PyImport_ImportModule("_wasm_runtime");
  if (helper == NULL) init_failed_with_exception("the driver's module _wasm_runtime cannot be imported");
  char fallback_entry[512];
  snprintf(fallback_entry, sizeof fallback_entry, "%s/main.py", root);
  const char *entry = env_or("WASM_RUNTIME_PY_ENTRY", fallback_entry);
  const char *reactor = getenv("WASM_RUNTIME_PY_REACTOR");
  PyObject *ok = PyObject_CallMethod(helper, "init", "ssi", root, entry, reactor != NULL && strcmp(reactor, "1") == 0);
  if (ok == NULL) init_failed_with_exception("the driver's init raised an exception");
  int imported = PyObject_IsTrue(ok);
  Py_DECREF(ok);
  if (!imported) python_app_init_failed("the entry module failed (above)", NULL);

  /* For the build report only (a cold run of the plain module prints nothing of its own). */
  const char *report = getenv("WASM_RUNTIME_PY_REPORT");
  if (seed != NULL && seed[0] != '\0' && report != NULL && strcmp(report, "1") == 0) {
    fprintf(stderr,
            "wasm-runtime/python: note: the str/bytes hash secret (seed %s) is in the snapshot: every "
            "instance of this build shares it (set options.hashSeed in the config to choose it)\n",
            seed);
  }

  /* Output buffered now would sit in the snapshot and be written again by every instance. */
  PyObject *flushed = PyObject_CallMethod(helper, "_flush", NULL);
  if (flushed == NULL) PyErr_Clear();
  Py_XDECREF(flushed);
  fflush(NULL);
  PyGC_Collect();
  /* Each instance finds its own host's preopened directories, not the build machine's. */
  wasm_runtime_preopens_reset();
  /* Likewise its own environment: wasi-libc read init's into memory. */
  __wasilibc_deinitialize_environ();
}

/* The run's arguments as a list of str (undecodable bytes as surrogates, like CPython's own). */
static PyObject *run_args(void) {
  __wasi_size_t argc = 0, size = 0;
  if (__wasi_args_sizes_get(&argc, &size) != 0) argc = 0;
  char **argv = argc > 0 ? malloc(argc * sizeof(char *)) : NULL;
  char *buf = argc > 0 ? malloc(size) : NULL;
  if (argc > 0 && (argv == NULL || buf == NULL || __wasi_args_get((uint8_t **)argv, (uint8_t *)buf) != 0)) argc = 0;
  PyObject *list = PyList_New(0);
  for (__wasi_size_t i = 0; list != NULL && i < argc; i++) {
    PyObject *arg = PyUnicode_DecodeFSDefault(argv[i]);
    if (arg == NULL || PyList_Append(list, arg) != 0) Py_CLEAR(list);
    Py_XDECREF(arg);
  }
  free(argv);
  free(buf);
  return list;
}

/* The run's environment as posix.environ holds it: bytes to bytes. */
static PyObject *run_environ(void) {
  __wasilibc_ensure_environ();
  PyObject *dict = PyDict_New();
  for (char **e = __wasilibc_get_environ(); dict != NULL && e != NULL && *e != NULL; e++) {
    const char *eq = strchr(*e, '=');
    if (eq == NULL) continue;
    PyObject *key = PyBytes_FromStringAndSize(*e, eq - *e);
    PyObject *value = PyBytes_FromString(eq + 1);
    /* The first definition wins, as getenv finds it. */
    if (key == NULL || value == NULL || PyDict_SetDefault(dict, key, value) == NULL) Py_CLEAR(dict);
    Py_XDECREF(key);
    Py_XDECREF(value);
  }
  return dict;
}

/*
 * Makes the restored interpreter the run's: sys.argv, os.environ, random's seed. Returns 0, or 1
 * when the interpreter does not exist yet, 2 when the refresh raised (its traceback is printed).
 */
int wasm_runtime_driver_reseed(void) {
  if (helper == NULL) return 1;
  if (restored) return 0;
  restored = 1;
  PyObject *args = run_args();
  PyObject *environ_dict = args != NULL ? run_environ() : NULL;
  PyObject *done = environ_dict != NULL ? PyObject_CallMethod(helper, "restore", "OO", args, environ_dict) : NULL;
  Py_XDECREF(args);
  Py_XDECREF(environ_dict);
  if (done == NULL) {
    PyErr_Print();
    return 2;
  }
  Py_DECREF(done);
  return 0;
}

/* The app's main(); returns its exit code (1 when it raised, or the refresh did). */
int wasm_runtime_driver_run(void) {
  if (helper == NULL) {
    fprintf(stderr, "wasm-runtime/python: the run entry was called before wizer-initialize\n");
    fflush(NULL);
    __builtin_trap();
  }
  int code = wasm_runtime_driver_reseed() == 0 ? 0 : 1;
  if (code == 0) {
    PyObject *result = PyObject_CallMethod(helper, "run", NULL);
    if (result == NULL) {
      PyErr_Print();
      code = 1;
    } else {
      code = (int)PyLong_AsLong(result);
      Py_DECREF(result);
    }
  }
  return code;
}

/* The result is `bytes`, whose reference this takes over. */
static void set_result(PyObject *bytes) {
  Py_XDECREF(result_obj);
  result_obj = bytes;
  wasm_runtime_result_set(PyBytes_AS_STRING(bytes), (size_t)PyBytes_GET_SIZE(bytes));
}

static void set_message(const char *message) {
  Py_CLEAR(result_obj);
  wasm_runtime_result_message(message);
}

/*
 * Calls the entry module's function `name` with the argument as one `bytes`. The result (bytes;
 * a str as UTF-8; None as empty bytes) or, on failure, the traceback is then at
 * wasm_runtime_result_ptr/len until the next call. Returns a WASM_RUNTIME_CALL_* status.
 */
int wasm_runtime_driver_call(const char *name, size_t name_len, const char *arg, size_t arg_len) {
  if (helper == NULL) {
    set_message("the Python interpreter is not initialized: call wizer-initialize first");
    return WASM_RUNTIME_CALL_NOT_INITIALIZED;
  }
  if (wasm_runtime_driver_reseed() == 2) {
    set_message("refreshing the restored interpreter failed (traceback on stderr)");
    return WASM_RUNTIME_CALL_ERROR;
  }
  PyObject *result = PyObject_CallMethod(helper, "call", "s#y#", name, (Py_ssize_t)name_len, arg, (Py_ssize_t)arg_len);
  int status = WASM_RUNTIME_CALL_ERROR;
  if (result == NULL) {
    PyErr_Print();
    set_message("the call failed inside the driver (traceback on stderr)");
  } else {
    status = (int)PyLong_AsLong(PyTuple_GET_ITEM(result, 0));
    PyObject *bytes = PyTuple_GET_ITEM(result, 1);
    Py_INCREF(bytes);
    set_result(bytes);
    Py_DECREF(result);
  }
  return status;
}
