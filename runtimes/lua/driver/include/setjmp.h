/*
 * setjmp.h for wasm32-wasi, which has none. Compiled with `-mllvm -wasm-enable-sjlj`, clang
 * rewrites every setjmp/longjmp call into WebAssembly exception handling; the few runtime
 * functions that rewrite calls are in sjlj.c. The buffer only has to hold the id that
 * saveSetjmp writes into its first word.
 */
#ifndef WASM_RUNTIME_SETJMP_H
#define WASM_RUNTIME_SETJMP_H

typedef struct {
  unsigned int __id;
  unsigned int __reserved[3];
} jmp_buf[1];

int setjmp(jmp_buf env) __attribute__((__returns_twice__));
_Noreturn void longjmp(jmp_buf env, int val);

#endif
