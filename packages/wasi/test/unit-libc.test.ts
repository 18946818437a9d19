// wasi-libc's own file API (opendir/readdir/seekdir, chdir, pread/pwrite, ftruncate, fopen "a+",
// utimensat, symlinks, rename) against both backends: the same C program must pass every check on a
// MemoryFS and on a host directory, with identical output.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MemoryFS, WASI } from '@wasm-runtime/wasi';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'wasi-libc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let wasm: WebAssembly.Module;

const SOURCE = `#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures = 0;
#define CHECK(cond, what) do { if (cond) printf("ok   %s\\n", what); else { printf("FAIL %s (errno %d)\\n", what, errno); failures++; } } while (0)
#define FAILS(expr, err, what) do { errno = 0; int rc_ = (expr); if (rc_ < 0 && errno == (err)) printf("ok   %s\\n", what); else { printf("FAIL %s (rc %d errno %d, want %d)\\n", what, rc_, errno, err); failures++; } } while (0)

int main(void) {
  char buf[512];
  CHECK(chdir("/box") == 0, "chdir into the preopen");
  CHECK(mkdir("many", 0755) == 0, "mkdir many");
  for (int i = 0; i < 300; i++) {
    snprintf(buf, sizeof buf, "many/entry-with-a-longish-name-%03d", i);
    int fd = open(buf, O_CREAT | O_WRONLY, 0644);
    if (fd < 0) { printf("FAIL create %s\\n", buf); failures++; } else close(fd);
  }
  DIR *d = opendir("many");
  int count = 0, dots = 0;
  long mark = -1;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) dots++; else count++;
    if (count == 150 && mark < 0) mark = telldir(d);
  }
  CHECK(count == 300 && dots == 2, "readdir sees 300 entries plus . and ..");
  seekdir(d, mark);
  int rest = 0;
  while ((e = readdir(d)) != NULL) rest++;
  CHECK(rest == 150, "seekdir/telldir resume in the middle");
  closedir(d);

  CHECK(symlink("many", "link-many") == 0, "symlink to a directory");
  CHECK(chdir("link-many") == 0 && access("entry-with-a-longish-name-001", F_OK) == 0, "chdir through a symlink");
  CHECK(chdir("/box") == 0, "chdir back");

  int fd = open("data.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK(write(fd, "0123456789", 10) == 10, "write 10 bytes");
  CHECK(pwrite(fd, "AB", 2, 4) == 2 && lseek(fd, 0, SEEK_CUR) == 10, "pwrite keeps the offset");
  CHECK(pread(fd, buf, 4, 3) == 4 && memcmp(buf, "3AB6", 4) == 0, "pread reads what pwrite wrote");
  CHECK(ftruncate(fd, 3) == 0 && lseek(fd, 0, SEEK_END) == 3, "ftruncate shrinks");
  CHECK(ftruncate(fd, 6) == 0 && pread(fd, buf, 10, 0) == 6 && buf[3] == 0 && buf[5] == 0, "ftruncate grows with zeros");
  close(fd);
  FILE *f = fopen("data.txt", "a+");
  CHECK(f != NULL && fputs("end", f) >= 0 && fseek(f, 0, SEEK_SET) == 0 && fread(buf, 1, 9, f) == 9 && memcmp(buf + 6, "end", 3) == 0, "fopen a+ appends and reads from the start");
  fclose(f);

  struct timespec times[2] = {{0, UTIME_OMIT}, {1500000000, 123456789}};
  struct stat st;
  CHECK(utimensat(AT_FDCWD, "data.txt", times, 0) == 0 && stat("data.txt", &st) == 0 &&
        st.st_mtim.tv_sec == 1500000000 && st.st_mtim.tv_nsec == 123456789, "utimensat sets mtime to the nanosecond");

  CHECK(symlink("loop-b", "loop-a") == 0 && symlink("loop-a", "loop-b") == 0, "symlink loop");
  FAILS(open("loop-a", O_RDONLY), ELOOP, "opening a symlink loop gives ELOOP");
  FAILS(open("link-many", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a symlink gives ELOOP");
  FAILS(mkdir("data.txt/sub", 0755), ENOTDIR, "mkdir under a file gives ENOTDIR");
  FAILS(rmdir("many"), ENOTEMPTY, "rmdir of a full directory gives ENOTEMPTY");
  FAILS(open("../outside", O_RDONLY), EPERM, "a path above the preopen gives EPERM, as Wasmtime");
  CHECK(readlink("link-many", buf, 2) == 2 && memcmp(buf, "ma", 2) == 0, "readlink truncates to the buffer");
  CHECK(rename("data.txt", "many/moved.txt") == 0 && access("many/moved.txt", R_OK) == 0, "rename into a subdirectory");
  CHECK(unlink("loop-a") == 0 && unlink("loop-b") == 0 && unlink("link-many") == 0, "unlink symlinks");
  CHECK(stat("/box", &st) == 0 && S_ISDIR(st.st_mode), "stat of the preopen itself");
  printf("%d failures\\n", failures);
  return failures;
}
`;

beforeAll(async () => {
  // A clean sysroot, so no glibc header can stand in for a missing wasi-libc one.
  mkdirSync(join(dir, 'sys', 'include'), { recursive: true });
  mkdirSync(join(dir, 'sys', 'lib'), { recursive: true });
  symlinkSync('/usr/include/wasm32-wasi', join(dir, 'sys', 'include', 'wasm32-wasi'));
  symlinkSync('/usr/lib/wasm32-wasi', join(dir, 'sys', 'lib', 'wasm32-wasi'));
  writeFileSync(join(dir, 'libc.c'), SOURCE);
  const flags = ['--target=wasm32-wasi', `--sysroot=${join(dir, 'sys')}`, '-O2', '-Wall', '-Werror'];
  await run('clang', [...flags, '-Wl,--strip-debug', join(dir, 'libc.c'), '-o', join(dir, 'libc.wasm')]);
  wasm = await WebAssembly.compile(readFileSync(join(dir, 'libc.wasm')));
}, 60_000);

async function runOn(box: string | MemoryFS): Promise<{ exitCode: number; stdout: string }> {
  const wasi = new WASI({ args: ['libc'], preopens: { '/box': box }, stdout: 'buffer', stderr: 'buffer' });
  const exitCode = wasi.start(await WebAssembly.instantiate(wasm, wasi.imports as WebAssembly.Imports));
  return { exitCode, stdout: wasi.stdoutText() };
}

it('passes every libc-level check on a MemoryFS and on a host directory, identically', async () => {
  const memory = await runOn(new MemoryFS());
  expect(memory.stdout.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([]);
  expect(memory.stdout).toContain('0 failures');
  expect(memory.exitCode).toBe(0);
  mkdirSync(join(dir, 'box'));
  const disk = await runOn(join(dir, 'box'));
  expect(disk).toEqual(memory);
});
