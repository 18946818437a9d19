/*
 * The reactor ABI every wasm-runtime C driver exports, split in two: reactor-abi.c defines the
 * exports (their names, signatures, the call scratch buffer and the result getters), and the
 * driver defines the wasm_runtime_driver_* hooks below, the language's half. The export names are
 * REACTOR_EXPORTS in @wasm-runtime/wasi-cc; a test holds the two to each other.
 */
#ifndef WASM_RUNTIME_REACTOR_ABI_H
#define WASM_RUNTIME_REACTOR_ABI_H

#include <stddef.h>

/* What wasm_runtime_call returns (REACTOR_CALL_STATUS in @wasm-runtime/wasi-cc). */
enum {
  WASM_RUNTIME_CALL_OK = 0,
  WASM_RUNTIME_CALL_ERROR = 1,
  WASM_RUNTIME_CALL_NO_FUNCTION = 2,
  WASM_RUNTIME_CALL_NOT_INITIALIZED = 3,
};

/* --- Defined by the driver --- */

/* Nonzero once wasm_runtime_driver_initialize has run (at build time, for a snapshot). */
int wasm_runtime_driver_initialized(void);
/* The app's init: the `wizer-initialize` export. Called at most once per instance. */
void wasm_runtime_driver_initialize(void);
/* Makes a restored instance the run's (randomness, and whatever else the language froze): the
   `wasm_runtime_reseed` export. Returns 0, or the driver's own failure codes. */
int wasm_runtime_driver_reseed(void);
/* Runs the app's main and returns its exit code: the `wasm-runtime.run` export flushes stdio,
   then exits with it unless 0. */
int wasm_runtime_driver_run(void);
/* Calls the app's function `name` with `arg`, sets the result (or the message, on failure) with
   wasm_runtime_result_set, and returns a WASM_RUNTIME_CALL_* status. Stdio is flushed after. */
int wasm_runtime_driver_call(const char *name, size_t name_len, const char *arg, size_t arg_len);

/* --- Defined by reactor-abi.c --- */

/* What wasm_runtime_result_ptr/len answer until the next call; the driver keeps the bytes alive. */
void wasm_runtime_result_set(const char *ptr, size_t len);
/* wasm_runtime_result_set with a NUL-terminated message that lives as long as the module. */
void wasm_runtime_result_message(const char *message);

/* --- Defined by preopens.c --- */

/* Forgets the preopened directories init saw: the driver calls it when init ends. */
void wasm_runtime_preopens_reset(void);

#endif
