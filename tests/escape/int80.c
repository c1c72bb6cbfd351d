/* int80.c - 32-bit system call entries and the vsyscall page must not work
 * in a guest: int 0x80 getpid and exit, and a call into the vsyscall page.
 * Each attempt runs in a child so a fatal signal is reported, not fatal.
 * Acceptable outcomes: the child dies of a signal (SIGSEGV, SIGSYS, SIGKILL)
 * or the call returns an error (-ENOSYS).                              */
#include "esc.h"
#include <signal.h>
#include <sys/wait.h>

static long int80(long nr, long a) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a) : "memory");
  return r;
}

/* run fn in a child; the child exits 0 if the call was refused, 1 if it worked */
static void attempt(const char *what, int (*fn)(void)) {
  pid_t c = fork();
  if (c == 0) _exit(fn());
  int st;
  waitpid(c, &st, 0);
  if (WIFSIGNALED(st))
    verdict(0, "%s (killed by signal %d)", what, WTERMSIG(st));
  else
    verdict(WEXITSTATUS(st) != 0, "%s (exit %d)", what, WEXITSTATUS(st));
}

static int try_getpid(void) {
  long r = int80(20, 0); /* __NR_getpid on i386 */
  printf("  int 0x80 getpid returned %s\n", r > 0 ? "a pid" : "an error");
  return r > 0;
}
static int try_exit(void) {
  int80(1, 77); /* __NR_exit on i386: if it works, we exit 77 */
  return 0;
}
static int try_write(void) {
  static const char msg[] = "  int 0x80 write reached stdout\n";
  long r;
  /* i386 write(1, msg, len): the buffer must sit below 4 GiB to be usable, so
   * a failure is also acceptable; we only care whether the host ran it */
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(4L), "b"(1L), "c"(msg), "d"(sizeof msg - 1) : "memory");
  return r > 0;
}
static int try_vsyscall(void) {
  long (*vtime)(long *) = (long (*)(long *))0xffffffffff600400UL;
  long t = vtime(NULL);
  printf("  vsyscall time returned %s\n", t > 1000000000 ? "the time" : "garbage");
  return 1;
}

int main(void) {
  attempt("int 0x80 getpid", try_getpid);
  attempt("int 0x80 write", try_write);
  pid_t c = fork();
  if (c == 0) { try_exit(); _exit(0); }
  int st;
  waitpid(c, &st, 0);
  verdict(WIFEXITED(st) && WEXITSTATUS(st) == 77, "int 0x80 exit(77) (%s %d)", WIFEXITED(st) ? "exit" : "signal",
          WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
  attempt("vsyscall page call", try_vsyscall);
  return esc_done();
}
