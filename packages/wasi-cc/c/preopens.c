/*
 * The table of preopened directories, in place of wasi-libc's own (preopens.o).
 *
 * wasi-libc fills its table once, from a constructor, and keeps it in linear memory: in a
 * snapshot it would name the directories preopened at build time, with their build-time
 * descriptor numbers, and a directory the host preopens at run time would stay unreachable
 * (ENOTCAPABLE), or worse, a stale name would point at another directory now holding that number.
 * This table is filled lazily from the host's actual preopens on the first path lookup and
 * emptied when init ends (wasm_runtime_preopens_reset), so every instance sees its own host's.
 *
 * Defining the three functions preopens.o defines keeps the linker from pulling it in at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>
#include <wasi/libc-find-relpath.h>
#include <wasi/libc.h>

struct preopen {
  int fd;
  char *prefix; /* without leading "/" or "./" and without trailing "/"; "" for the root */
};

static struct preopen *table;
static size_t count, capacity;
static int populated;

static char *normalize(const char *name) {
  while (name[0] == '/' || (name[0] == '.' && name[1] == '/')) name += name[0] == '/' ? 1 : 2;
  if (strcmp(name, ".") == 0) name = "";
  size_t len = strlen(name);
  while (len > 0 && name[len - 1] == '/') len--;
  char *copy = malloc(len + 1);
  if (copy == NULL) return NULL;
  memcpy(copy, name, len);
  copy[len] = '\0';
  return copy;
}

static int add(int fd, const char *name) {
  if (count == capacity) {
    size_t next = capacity ? capacity * 2 : 4;
    struct preopen *grown = realloc(table, next * sizeof *table);
    if (grown == NULL) return -1;
    table = grown;
    capacity = next;
  }
  char *prefix = normalize(name);
  if (prefix == NULL) return -1;
  table[count].fd = fd;
  table[count].prefix = prefix;
  count++;
  return 0;
}

/* Descriptors 3, 4, ... until the host says there are no more (EBADF). */
static int populate(void) {
  if (populated) return 0;
  populated = 1;
  for (int fd = 3;; fd++) {
    __wasi_prestat_t prestat;
    __wasi_errno_t err = __wasi_fd_prestat_get(fd, &prestat);
    if (err == __WASI_ERRNO_BADF) break;
    if (err != __WASI_ERRNO_SUCCESS) continue;
    if (prestat.tag != __WASI_PREOPENTYPE_DIR) continue;
    size_t len = prestat.u.dir.pr_name_len;
    char *name = malloc(len + 1);
    if (name == NULL) return -1;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len) != __WASI_ERRNO_SUCCESS) {
      free(name);
      continue;
    }
    name[len] = '\0';
    int failed = add(fd, name);
    free(name);
    if (failed) return -1;
  }
  return 0;
}

/* Called by the driver when init ends: the snapshot must not remember build-time preopens. */
void wasm_runtime_preopens_reset(void) {
  for (size_t i = 0; i < count; i++) free(table[i].prefix);
  free(table);
  table = NULL;
  count = capacity = 0;
  populated = 0;
}

int __wasilibc_register_preopened_fd(int fd, const char *prefix) {
  if (populate() != 0 || add(fd, prefix) != 0) {
    errno = ENOMEM;
    return -1;
  }
  return 0;
}

int __wasilibc_find_abspath(const char *path, const char **abs_prefix, const char **relative_path) {
  if (populate() != 0) {
    errno = ENOMEM;
    return -1;
  }
  while (path[0] == '/') path++;
  const struct preopen *best = NULL;
  size_t best_len = 0;
  for (size_t i = 0; i < count; i++) {
    const char *prefix = table[i].prefix;
    size_t len = strlen(prefix);
    if (strncmp(path, prefix, len) != 0) continue;
    if (len > 0 && path[len] != '/' && path[len] != '\0') continue;
    /* The longest prefix wins; among equals, the later preopen. */
    if (best == NULL || len >= best_len) {
      best = &table[i];
      best_len = len;
    }
  }
  if (best == NULL) {
    errno = ENOENT;
    return -1;
  }
  const char *rest = path + best_len;
  while (rest[0] == '/') rest++;
  *abs_prefix = best->prefix;
  *relative_path = rest[0] == '\0' ? "." : rest;
  return best->fd;
}

int __wasilibc_find_relpath(const char *path, const char **abs_prefix, char **relative_path,
                            size_t relative_path_len) {
  /* With chdir linked in, relative paths resolve against its cwd; without it, against "/". */
  if (__wasilibc_find_relpath_alloc)
    return __wasilibc_find_relpath_alloc(path, abs_prefix, relative_path, &relative_path_len, 0);
  return __wasilibc_find_abspath(path, abs_prefix, (const char **)relative_path);
}
