/* madvise.c - madvise(2): guard regions (MADV_GUARD_INSTALL/REMOVE: a
 * touch is SIGSEGV, a syscall reading them EFAULT), DONTNEED zeroing,
 * FREE only on private anonymous memory, DONTDUMP/DODUMP splitting
 * nothing visible, and the argument errors. */
#include "t.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif

int main(void) {
  long pg = sysconf(_SC_PAGESIZE);
  char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(p, 7, 4 * pg);
  OK("dontneed", madvise(p, pg, MADV_DONTNEED) == 0 && p[0] == 0 && p[pg] == 7);
  OK("free", madvise(p + pg, pg, MADV_FREE) == 0);
  char *s = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ERR("free shared", madvise(s, pg, MADV_FREE), EINVAL);
  OK("dontdump", madvise(p + pg, 2 * pg, MADV_DONTDUMP) == 0);
  OK("dodump", madvise(p + pg, pg, MADV_DODUMP) == 0);
  int r = madvise(p + 2 * pg, pg, MADV_GUARD_INSTALL);
  if (r == 0) {
    pid_t c = fork();
    if (c == 0) { volatile char x = p[2 * pg]; (void)x; _exit(0); }
    int st;
    waitpid(c, &st, 0);
    OK("guard page touch is SIGSEGV", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
    int pp[2];
    pipe(pp);
    ERR("guard page read by write(2)", write(pp[1], p + 2 * pg, 1), EFAULT);
    close(pp[0]);
    close(pp[1]);
    OK("guard remove", madvise(p + 2 * pg, pg, MADV_GUARD_REMOVE) == 0 && p[2 * pg] == 0);
  } else {
    printf("no guard regions on this kernel: %s\n", en(errno));
  }
  munlock(p, 4 * pg);
  ERR("unaligned", madvise(p + 1, pg, MADV_NORMAL), EINVAL);
  ERR("unknown advice", madvise(p, pg, 999), EINVAL);
  munmap(p + 3 * pg, pg);
  ERR("hole", madvise(p, 4 * pg, MADV_NORMAL), ENOMEM);
  OK("zero length", madvise(p, 0, MADV_NORMAL) == 0);
  return t_done();
}
