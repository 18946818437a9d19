/*
 * The wasm-runtime driver for Lua 5.4: Lua's half of the reactor ABI (reactor-abi.c of
 * @wasm-runtime/wasi-cc defines the exports, in place of lua.c's main).
 *
 *   wizer-initialize       create the state, open the libraries, run the app's entry module;
 *                          this is what the pre-initializer runs once at build time
 *   wasm-runtime.run       command entry: main(args) -> exit code
 *   wasm_runtime_call      reactor entry: call a named Lua function with bytes, get bytes back
 * The math.random generator is reseeded from WASI random_get before the first run or call of
 * each instance, because whatever seed init chose is frozen into every snapshot; the environment
 * and the preopened directories init saw are forgotten, so each instance sees its host's.
 *
 * Environment read at init: LUA_APP_ROOT (default /app), LUA_APP_ENTRY (default
 * $LUA_APP_ROOT/main.lua), LUA_APP_PATH (default $LUA_APP_ROOT/?.lua;$LUA_APP_ROOT/?/init.lua).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>
#include <wasi/libc-environ.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"
#include "reactor-abi.h"

static lua_State *L;
/* Registry references: the entry module's value, the original math.randomseed, the last result. */
static int app_ref = LUA_NOREF;
static int randomseed_ref = LUA_NOREF;
static int result_ref = LUA_NOREF;
/* Lives in linear memory, so a snapshot taken after init still says "not reseeded yet". */
static int reseeded;

static const char *env_or(const char *name, const char *fallback) {
  const char *value = getenv(name);
  return value != NULL && value[0] != '\0' ? value : fallback;
}

static int env_flag(const char *name) {
  const char *value = getenv(name);
  return value != NULL && strcmp(value, "1") == 0;
}

/* Message handler for lua_pcall: the error as text plus a traceback. */
static int message_handler(lua_State *S) {
  const char *msg = lua_tostring(S, 1);
  if (msg == NULL) {
    if (luaL_callmeta(S, 1, "__tostring") && lua_type(S, -1) == LUA_TSTRING) {
      msg = lua_tostring(S, -1);
    } else {
      msg = lua_pushfstring(S, "(error object is a %s value)", luaL_typename(S, 1));
    }
  }
  luaL_traceback(S, S, msg, 1);
  return 1;
}

/*
 * Init failures trap after printing: the pre-initializer reports the trap with a backtrace
 * whose top frame is this function's name, and stderr has the Lua message.
 */
__attribute__((noinline, noreturn)) static void lua_app_init_failed(const char *what, const char *detail) {
  fprintf(stderr, "wasm-runtime/lua: init failed: %s%s%s\n", what, detail != NULL ? ": " : "",
          detail != NULL ? detail : "");
  fflush(NULL);
  __builtin_trap();
}

static int push_main(void);

int wasm_runtime_driver_initialized(void) { return L != NULL; }

void wasm_runtime_driver_initialize(void) {
  if (L != NULL) lua_app_init_failed("wizer-initialize was called twice", NULL);
  L = luaL_newstate();
  if (L == NULL) lua_app_init_failed("cannot create the Lua state", "out of memory");
  luaL_openlibs(L);

  lua_getglobal(L, "math");
  if (lua_getfield(L, -1, "randomseed") == LUA_TFUNCTION) {
    randomseed_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  } else {
    lua_pop(L, 1);
  }
  lua_pop(L, 1);

  const char *root = env_or("LUA_APP_ROOT", "/app");
  luaL_Buffer b;

  lua_getglobal(L, "package");
  const char *path = getenv("LUA_APP_PATH");
  if (path != NULL && path[0] != '\0') {
    lua_pushstring(L, path);
  } else {
    lua_pushfstring(L, "%s/?.lua;%s/?/init.lua", root, root);
  }
  lua_setfield(L, -2, "path");
  lua_pushliteral(L, "");
  lua_setfield(L, -2, "cpath");
  /* No C modules in WASI: drop the C and all-in-one searchers, so a failed require lists the files
     it looked for, not "no file ''" once per empty cpath searcher. */
  if (lua_getfield(L, -1, "searchers") == LUA_TTABLE) {
    lua_pushnil(L);
    lua_rawseti(L, -2, 4);
    lua_pushnil(L);
    lua_rawseti(L, -2, 3);
  }
  lua_pop(L, 2);

  const char *entry = getenv("LUA_APP_ENTRY");
  if (entry == NULL || entry[0] == '\0') {
    luaL_buffinit(L, &b);
    luaL_addstring(&b, root);
    luaL_addstring(&b, "/main.lua");
    luaL_pushresult(&b);
  } else {
    lua_pushstring(L, entry);
  }
  entry = lua_tostring(L, -1);

  lua_pushcfunction(L, message_handler);
  int handler = lua_gettop(L);
  if (luaL_loadfile(L, entry) != LUA_OK) lua_app_init_failed("cannot load the entry module", lua_tostring(L, -1));
  if (lua_pcall(L, 0, 1, handler) != LUA_OK) lua_app_init_failed("the entry module raised an error", lua_tostring(L, -1));
  app_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  if (push_main()) {
    lua_pop(L, 1);
  } else if (!env_flag("LUA_APP_REACTOR")) {
    /* A script-style entry did all its work now, at build time, and could never start: refuse it
       while it can be fixed. */
    lua_app_init_failed(
        "the entry module has no main",
        "its top level ran once, now, at build time, and a start would have nothing to run. Return a "
        "function or a table with main(args), or define a global main; for an app only called "
        "through the reactor API, set \"options\": { \"reactor\": true } in wasm-runtime.config.json");
  }
  lua_pop(L, 2); /* the handler and the entry's path, still used above */

  /* Output buffered now would sit in the snapshot and be written again by every instance. */
  fflush(NULL);
  lua_gc(L, LUA_GCCOLLECT);
  /* Each instance finds its own host's preopened directories, not the build machine's. */
  wasm_runtime_preopens_reset();
  /*
   * Likewise its own environment: wasi-libc read init's (LUA_APP_ENTRY, ...) into memory. Forget
   * it; getenv reads the instance's on first use, and the first reseed (the start of every
   * instance) reloads `environ` for code that reads it directly.
   */
  __wasilibc_deinitialize_environ();
}

/*
 * Reseeds math.random from WASI random_get. Returns 0, or 1 when random_get failed, 2 when the
 * state does not exist yet, 3 when math.randomseed raised an error.
 */
int wasm_runtime_driver_reseed(void) {
  if (L == NULL) return 2;
  if (!reseeded) __wasilibc_maybe_reinitialize_environ_eagerly();
  reseeded = 1;
  if (randomseed_ref == LUA_NOREF) return 0;
  uint64_t seed[2];
  if (__wasi_random_get((uint8_t *)seed, sizeof seed) != 0) return 1;
  lua_rawgeti(L, LUA_REGISTRYINDEX, randomseed_ref);
  lua_pushinteger(L, (lua_Integer)seed[0]);
  lua_pushinteger(L, (lua_Integer)seed[1]);
  if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
    lua_pop(L, 1);
    return 3;
  }
  return 0;
}

static void reseed_once(void) {
  if (!reseeded && wasm_runtime_driver_reseed() == 1) {
    fprintf(stderr, "wasm-runtime/lua: warning: random_get failed, math.random keeps the snapshot's seed\n");
  }
}

/* Pushes the WASI args as a table: [0] the program name, [1..n] the arguments. */
static void push_args(void) {
  __wasi_size_t argc = 0, size = 0;
  if (__wasi_args_sizes_get(&argc, &size) != 0) argc = 0;
  char **argv = argc > 0 ? malloc(argc * sizeof(char *)) : NULL;
  char *buf = argc > 0 ? malloc(size) : NULL;
  if (argc > 0 && (argv == NULL || buf == NULL || __wasi_args_get((uint8_t **)argv, (uint8_t *)buf) != 0)) argc = 0;
  lua_createtable(L, argc > 0 ? (int)argc - 1 : 0, 1);
  for (__wasi_size_t i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, (lua_Integer)i);
  }
  free(argv);
  free(buf);
}

/* Pushes the app's main function, or returns 0 (pushing nothing) when there is none. */
static int push_main(void) {
  int type = lua_rawgeti(L, LUA_REGISTRYINDEX, app_ref);
  if (type == LUA_TFUNCTION) return 1;
  if (type == LUA_TTABLE) {
    if (lua_getfield(L, -1, "main") == LUA_TFUNCTION) {
      lua_remove(L, -2);
      return 1;
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (lua_getglobal(L, "main") == LUA_TFUNCTION) return 1;
  lua_pop(L, 1);
  return 0;
}

/* The app's main(args); returns its exit code (1 when it raised or there is no main). */
int wasm_runtime_driver_run(void) {
  if (L == NULL) {
    fprintf(stderr, "wasm-runtime/lua: the run entry was called before wizer-initialize\n");
    fflush(NULL);
    __builtin_trap();
  }
  reseed_once();
  int base = lua_gettop(L);
  lua_pushcfunction(L, message_handler);
  if (!push_main()) {
    fprintf(stderr,
            "wasm-runtime/lua: the app has no main function: the entry module must return a function, "
            "a table with a `main` field, or define a global `main`\n");
    lua_settop(L, base);
    return 1;
  }
  push_args();
  lua_pushvalue(L, -1);
  lua_setglobal(L, "arg");
  int code = 0;
  if (lua_pcall(L, 1, 1, base + 1) != LUA_OK) {
    fprintf(stderr, "lua: %s\n", lua_tostring(L, -1));
    code = 1;
  } else if (lua_type(L, -1) == LUA_TBOOLEAN) {
    code = lua_toboolean(L, -1) ? 0 : 1;
  } else if (lua_isinteger(L, -1)) {
    code = (int)lua_tointeger(L, -1);
  }
  lua_settop(L, base);
  return code;
}

static void set_result(int index) {
  if (result_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, result_ref);
  lua_pushvalue(L, index);
  size_t len;
  const char *ptr = lua_tolstring(L, -1, &len);
  wasm_runtime_result_set(ptr, len);
  /* The registry keeps the string alive, and Lua never moves a live string. */
  result_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/*
 * Calls the app's function `name` (a field of the table the entry module returned, else a
 * global) with the argument as one Lua string. The result (a string or a number as its text;
 * nil gives empty bytes) or, on failure, the message is then at
 * wasm_runtime_result_ptr/len until the next call. Returns a WASM_RUNTIME_CALL_* status.
 */
int wasm_runtime_driver_call(const char *name, size_t name_len, const char *arg, size_t arg_len) {
  if (L == NULL) {
    wasm_runtime_result_message("the Lua state is not initialized: call wizer-initialize first");
    return WASM_RUNTIME_CALL_NOT_INITIALIZED;
  }
  reseed_once();
  int base = lua_gettop(L);
  lua_pushcfunction(L, message_handler);
  int found = LUA_TNIL;
  if (lua_rawgeti(L, LUA_REGISTRYINDEX, app_ref) == LUA_TTABLE) {
    lua_pushlstring(L, name, name_len);
    found = lua_gettable(L, -2);
    lua_remove(L, -2);
  } else {
    lua_pop(L, 1);
  }
  if (found == LUA_TNIL) {
    lua_pop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    lua_pushlstring(L, name, name_len);
    found = lua_gettable(L, -2);
    lua_remove(L, -2);
  }
  int status = WASM_RUNTIME_CALL_OK;
  if (found != LUA_TFUNCTION) {
    lua_pushlstring(L, name, name_len);
    lua_pushfstring(L, "the app has no function named '%s'", lua_tostring(L, -1));
    status = WASM_RUNTIME_CALL_NO_FUNCTION;
  } else {
    lua_pushlstring(L, arg, arg_len);
    if (lua_pcall(L, 1, 1, base + 1) != LUA_OK) {
      status = WASM_RUNTIME_CALL_ERROR;
    } else if (lua_isnil(L, -1)) {
      lua_pushliteral(L, "");
    } else if (lua_type(L, -1) == LUA_TNUMBER) {
      lua_tostring(L, -1);
    } else if (lua_type(L, -1) != LUA_TSTRING) {
      lua_pushlstring(L, name, name_len);
      lua_pushfstring(L, "'%s' returned a %s value: return a string, a number or nil", lua_tostring(L, -1),
                      luaL_typename(L, -2));
      status = WASM_RUNTIME_CALL_ERROR;
    }
  }
  set_result(-1);
  lua_settop(L, base);
  return status;
}
