/* hwbreak.c - hardware breakpoints through PTRACE_POKEUSER of
 * u_debugreg: DR0-3 addresses (user addresses only, also while enabled:
 * LTP ptrace08), DR7's checks (an I/O breakpoint, a misaligned or
 * over-long one: EINVAL), and data watchpoints that fire: a write and a
 * read of the watched word stop the tracee with SIGTRAP (TRAP_HWBKPT),
 * DR6 saying which (LTP ptrace09's mov-to-ss case too).  Nothing printed
 * depends on addresses. */
#include "t.h"
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#define DR(n) (offsetof(struct user, u_debugreg) + (n) * 8)

static volatile uint64_t watched[2];
static volatile short ssword;

static long poke(pid_t pid, int n, uint64_t v) { return ptrace(PTRACE_POKEUSER, pid, DR(n), v); }
static uint64_t peek(pid_t pid, int n) { return (uint64_t)ptrace(PTRACE_PEEKUSER, pid, DR(n), 0); }

static void child(void)
{
  ptrace(PTRACE_TRACEME, 0, 0, 0);
  raise(SIGSTOP);
  watched[0] = 5;                 /* a write: stop */
  uint64_t v = watched[0];        /* a read (RW watchpoint): stop */
  watched[1] = v;                 /* another word: no stop */
  /* ptrace09: a watchpoint hit by mov to ss, then int3 */
  __asm__ volatile("mov %%ss, %0\n\tmov %0, %%ss\n\tint $3\n" : "+m"(ssword));
  _exit(7);
}

/* continues pid until its next stop; prints it */
static void cont_show(pid_t pid, const char *what)
{
  int st;
  ptrace(PTRACE_CONT, pid, 0, 0);
  waitpid(pid, &st, 0);
  if (WIFEXITED(st)) {
    printf("%s: exited %d\n", what, WEXITSTATUS(st));
    return;
  }
  siginfo_t si;
  memset(&si, 0, sizeof si);
  ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
  printf("%s: stopped %s code %d dr6 low %#lx\n", what, sigabbrev_np(WSTOPSIG(st)), si.si_code,
         (unsigned long)(peek(pid, 6) & 0xf));
}

int main(void)
{
  pid_t pid = fork();
  if (pid == 0)
    child();
  int st;
  waitpid(pid, &st, 0);
  OK("stopped", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
  errno = 0;
  printf("dr7 initially %#lx\n", (unsigned long)peek(pid, 7));

  /* addresses and DR7's checks */
  ERR("dr0 kernel address", poke(pid, 0, 0xffff800000000000UL), EINVAL);
  OK("dr0 1", poke(pid, 0, 1) == 0);
  OK("dr7 enables an exec breakpoint at 1", poke(pid, 7, 1) == 0);
  ERR("dr0 kernel address while enabled", poke(pid, 0, 0xffffffffffffffffUL), EINVAL);
  ERR("dr0 middle kernel address while enabled", poke(pid, 0, 0xffffbfffffffffffUL), EINVAL);
  OK("  dr0 kept", peek(pid, 0) == 1);
  OK("dr7 0", poke(pid, 7, 0) == 0);
  OK("dr0 watched", poke(pid, 0, (uint64_t)(uintptr_t)&watched[0]) == 0);
  ERR("dr7 I/O breakpoint", poke(pid, 7, 0x20001), EINVAL);
  OK("  dr7 unchanged", peek(pid, 7) == 0);
  OK("dr1 misaligned", poke(pid, 1, (uint64_t)(uintptr_t)&watched[0] + 1) == 0);
  ERR("dr7 4-byte watch misaligned", poke(pid, 7, 0xf00004), EINVAL);
  OK("dr1 clear", poke(pid, 1, 0) == 0);

  /* an 8-byte read/write watchpoint on watched[0] */
  OK("dr7 rw watch", poke(pid, 7, 0xb0001) == 0);
  printf("dr7 now %#lx\n", (unsigned long)peek(pid, 7));
  cont_show(pid, "write");
  OK("watched written", ptrace(PTRACE_PEEKDATA, pid, &watched[0], 0) == 5);
  cont_show(pid, "read");
  /* the mov-to-ss watchpoint, 2 bytes read/write on ssword */
  OK("dr0 ssword", poke(pid, 7, 0) == 0 && poke(pid, 0, (uint64_t)(uintptr_t)&ssword) == 0);
  OK("dr7 ss watch", poke(pid, 7, 0x70001) == 0);
  cont_show(pid, "mov ss");
  OK("dr7 off", poke(pid, 7, 0) == 0);
  for (int i = 0; i < 4; i++) {
    char what[16];
    snprintf(what, sizeof what, "then %d", i);
    cont_show(pid, what);
    if (waitpid(pid, &st, WNOHANG) < 0)
      break;
  }
  return t_done();
}
