/* stubjump.c - a guest that jumps into the stub's own code.  The stub's
 * syscall instruction is the one place whose syscalls the seccomp
 * platform's filter lets through (for the stub's few calls); a guest that
 * loads its own registers and jumps there must still not signal host
 * processes or open host files.  Each attempt runs in a child: dying
 * (SIGSYS, SIGTRAP, SIGSEGV...) or an error counts as held.
 * Usage: stubjump SENTINEL-PID HOST-FILE; run it in a pid namespace. */
#include "esc.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define STUB_SYSCALL 0x7ffffea00000UL  /* tracer/stub_layout.h STUB_ENTRY_SYSCALL */

static long stub_syscall(long nr, long a, long b, long c) {
  long r;
  /* call into the stub's `syscall; int3`: the int3 (SIGTRAP) ends us if the
   * call returns at all, so report through the exit status first */
  register long r10 __asm__("r10") = 0;
  __asm__ volatile("lea 1f(%%rip), %%rcx\n"
                   "push %%rcx\n"
                   "jmp *%[target]\n"
                   "1:\n"
                   : "=a"(r)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), [target] "r"(STUB_SYSCALL)
                   : "rcx", "r11", "memory");
  return r;
}

static void attempt(const char *what, long nr, long a, long b, long c, int (*worked)(long)) {
  pid_t k = fork();
  if (k == 0) {
    long r = stub_syscall(nr, a, b, c);
    _exit(worked(r) ? 1 : 0);
  }
  int st;
  waitpid(k, &st, 0);
  if (WIFSIGNALED(st))
    verdict(0, "%s (killed by signal %d)", what, WTERMSIG(st));
  else
    verdict(WEXITSTATUS(st) != 0, "%s (exit %d)", what, WEXITSTATUS(st));
}

static int fd_opened(long r) { return r >= 0; }
static int no_effect(long r) { (void)r; return 0; }

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: stubjump SENTINEL-PID HOST-FILE\n");
    return 2;
  }
  long sentinel = atol(argv[1]);
  char path[512];
  snprintf(path, sizeof path, "%s", argv[2]);
  attempt("openat of a host file through the stub's syscall", SYS_openat, AT_FDCWD, (long)path, O_RDONLY, fd_opened);
  attempt("kill(-1, SIGKILL) through the stub's syscall", SYS_kill, -1, SIGKILL, 0, no_effect);
  attempt("kill(sentinel) through the stub's syscall", SYS_kill, sentinel, SIGKILL, 0, no_effect);
  /* the sentinel's survival is checked by the runner */
  return esc_done();
}
