/*
 * The runtime half of clang 14's setjmp/longjmp lowering for wasm (`-mllvm -wasm-enable-sjlj`).
 *
 * What the compiler emits, and what these functions must therefore do:
 * - A function that calls setjmp gets a private table of (id, label) pairs, allocated with
 *   malloc(40) (room for 4 pairs and a terminating id of 0), `size` = 4, first id set to 0.
 * - Each setjmp(env) becomes `table = saveSetjmp(env, label, table, size); size = getTempRet0();`
 *   and then returns 0. saveSetjmp gives env a fresh nonzero id, records (id, label) in the
 *   table, growing it when full, and reports the table's new capacity through tempRet0.
 * - longjmp(env, val) becomes `__wasm_longjmp(env, val)`, which throws the C longjmp tag
 *   (tag index 1) with a pointer to {env, val}.
 * - Every call that may longjmp in such a function is wrapped in a catch of that tag; the
 *   handler calls `testSetjmp(env->id, table, size)`: a nonzero label means the jump targets this
 *   invocation, so the setjmp at that label returns `val`; 0 means it targets an outer frame,
 *   so the handler frees its table and rethrows with __wasm_longjmp(env, val).
 * Ids only grow, so a jmp_buf left over from a frame that has returned never matches a live table.
 */
#include <stdint.h>
#include <stdlib.h>

struct wasm_runtime_jmp_buf {
  uint32_t id;
};

struct wasm_runtime_longjmp_args {
  void *env;
  int val;
};

static uint32_t temp_ret0;
static uint32_t last_setjmp_id;
static struct wasm_runtime_longjmp_args longjmp_args;

uint32_t getTempRet0(void) { return temp_ret0; }

void setTempRet0(uint32_t value) { temp_ret0 = value; }

uint32_t *saveSetjmp(void *env, uint32_t label, uint32_t *table, uint32_t size) {
  uint32_t id = ++last_setjmp_id;
  if (id == 0) id = ++last_setjmp_id;
  ((struct wasm_runtime_jmp_buf *)env)->id = id;

  uint32_t i = 0;
  while (i < size && table[2 * i] != 0) i++;
  if (i == size) {
    /* Full: double the pairs, keeping one spare pair for the terminator. */
    uint32_t grown = size * 2;
    uint32_t *bigger = realloc(table, (2 * grown + 2) * sizeof(uint32_t));
    if (bigger == NULL) abort();
    table = bigger;
    size = grown;
  }
  table[2 * i] = id;
  table[2 * i + 1] = label;
  table[2 * i + 2] = 0;
  temp_ret0 = size;
  return table;
}

uint32_t testSetjmp(uint32_t id, uint32_t *table, uint32_t size) {
  for (uint32_t i = 0; i < size && table[2 * i] != 0; i++) {
    if (table[2 * i] == id) return table[2 * i + 1];
  }
  return 0;
}

_Noreturn void __wasm_longjmp(void *env, int val) {
  /* C requires longjmp(env, 0) to make setjmp return 1; the lowering passes val through as is. */
  longjmp_args.env = env;
  longjmp_args.val = val == 0 ? 1 : val;
  __builtin_wasm_throw(1, &longjmp_args);
}
