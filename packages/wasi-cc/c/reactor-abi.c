/*
 * The exports of the reactor ABI, the same in every wasm-runtime C driver (see reactor-abi.h for
 * the hooks the driver defines, and REACTOR_EXPORTS in @wasm-runtime/wasi-cc for the names).
 *
 * Life of an instance:
 *   _initialize              (wasi-libc reactor constructors; the host calls it first)
 *   wizer-initialize         the app's init; what the pre-initializer runs once at build time
 *   wasm_runtime_reseed      after restore: make the instance the run's (every entry below does
 *                            it first if not yet done)
 *   wasm-runtime.run         command entry: main -> exit code (renamed to _start in snapshots)
 *   wasm-runtime.main        init then run in one call: the runtime used cold, without a snapshot
 *   wasm_runtime_call        reactor entry: call a named function of the app, bytes in and out,
 *                            through the buffer of wasm_runtime_alloc; the result (or the failure's
 *                            message) is at wasm_runtime_result_ptr/len until the next call
 */
#include "reactor-abi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))

static const char *result_ptr = "";
static size_t result_len;
static unsigned char *scratch;
static size_t scratch_cap;

void wasm_runtime_result_set(const char *ptr, size_t len) {
  result_ptr = ptr;
  result_len = len;
}

void wasm_runtime_result_message(const char *message) { wasm_runtime_result_set(message, strlen(message)); }

EXPORT("wizer-initialize") void wasm_runtime_initialize(void) { wasm_runtime_driver_initialize(); }

EXPORT("wasm_runtime_reseed") int wasm_runtime_reseed(void) { return wasm_runtime_driver_reseed(); }

/* Command entry of a pre-initialized module (the pre-initializer renames it to _start). */
EXPORT("wasm-runtime.run") void wasm_runtime_run(void) {
  int code = wasm_runtime_driver_run();
  fflush(NULL);
  if (code != 0) exit(code);
}

/* Command entry of a module that was not pre-initialized: init, then run, in one call. */
EXPORT("wasm-runtime.main") void wasm_runtime_main(void) {
  if (!wasm_runtime_driver_initialized()) wasm_runtime_driver_initialize();
  wasm_runtime_run();
}

/*
 * One scratch buffer of at least `len` bytes for the host to write a call's name and argument
 * into, or NULL when out of memory. It is reused (and may move) on every call to this function;
 * the runtime owns it.
 */
EXPORT("wasm_runtime_alloc") void *wasm_runtime_alloc(size_t len) {
  if (len > scratch_cap || scratch == NULL) {
    size_t cap = scratch_cap * 2;
    if (cap < len) cap = len;
    if (cap < 256) cap = 256;
    unsigned char *grown = realloc(scratch, cap);
    if (grown == NULL) return NULL;
    scratch = grown;
    scratch_cap = cap;
  }
  return scratch;
}

/* Calls the app's function `name` with the argument's bytes; returns a WASM_RUNTIME_CALL_* status. */
EXPORT("wasm_runtime_call")
int wasm_runtime_call(const char *name, size_t name_len, const char *arg, size_t arg_len) {
  int status = wasm_runtime_driver_call(name, name_len, arg, arg_len);
  fflush(NULL);
  return status;
}

EXPORT("wasm_runtime_result_ptr") const char *wasm_runtime_result_ptr(void) { return result_ptr; }

EXPORT("wasm_runtime_result_len") size_t wasm_runtime_result_len(void) { return result_len; }
