/*
 * libc functions Lua's libraries reference that wasi-libc lacks or cannot honour. WASI has no
 * processes and no temporary directory of its own, so these fail the way POSIX allows: io.tmpfile
 * and os.execute report an error to the Lua caller instead of the module failing to link.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h> /* declares wasm_runtime_setlocale: the build passes -Dsetlocale=wasm_runtime_setlocale */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#undef setlocale
char *setlocale(int category, const char *locale);

/*
 * os.setlocale: wasi-libc accepts any locale name but implements only C and C.UTF-8, so
 * os.setlocale("pt_BR") would succeed and numbers would still need a decimal point. Refuse the
 * names it cannot provide, as C Lua returns nil where a locale is not installed.
 */
char *wasm_runtime_setlocale(int category, const char *locale) {
  if (locale != NULL && locale[0] != '\0' && strcmp(locale, "C") != 0 && strcmp(locale, "POSIX") != 0 &&
      strcmp(locale, "C.UTF-8") != 0 && strcmp(locale, "C.utf8") != 0) {
    return NULL;
  }
  return setlocale(category, locale);
}

/*
 * os.tmpname: a new empty file under /tmp when the host preopened a writable /tmp (wasi-libc has
 * no mkstemp). Returns 0 with the name in buf, or 1 when no file could be created.
 */
int wasm_runtime_tmpnam(char *buf) {
  static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (int attempt = 0; attempt < 100; attempt++) {
    uint8_t random[6];
    arc4random_buf(random, sizeof random);
    strcpy(buf, "/tmp/lua_");
    size_t n = strlen(buf);
    for (size_t i = 0; i < sizeof random; i++) buf[n + i] = letters[random[i] % (sizeof letters - 1)];
    buf[n + sizeof random] = '\0';
    int fd = open(buf, O_CREAT | O_EXCL | O_WRONLY, 0600);
    if (fd >= 0) {
      close(fd);
      return 0;
    }
    if (errno != EEXIST) return 1;
  }
  return 1;
}

FILE *tmpfile(void) {
  errno = ENOTSUP;
  return NULL;
}

int system(const char *command) {
  /* system(NULL) asks whether a shell exists: there is none. */
  if (command == NULL) return 0;
  errno = ENOSYS;
  return -1;
}
