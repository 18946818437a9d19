/*
 * libc functions Lua's libraries reference that wasi-libc lacks. WASI has no processes and no
 * temporary directory, so these fail the way POSIX allows: io.tmpfile and os.execute report an
 * error to the Lua caller instead of the module failing to link.
 */
#include <errno.h>
#include <stdio.h>

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
