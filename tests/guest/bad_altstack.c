/* bad_altstack.c - a signal whose handler runs on an alternate stack
 * the kernel cannot write (no access, read-only, unmapped, a file page
 * past EOF): the frame cannot be built, and Linux's force_sigsegv makes
 * that SIGSEGV (fatal when the signal was SIGSEGV itself; else delivered
 * to a SIGSEGV handler if there is one).  stress-ng's bad-altstack
 * stressor; umk once re-queued SIGSEGV to the same handler for ever,
 * spinning inside the kernel. */
#include "t.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define SZ 65536

static void on_sig(int sig) { (void)sig; _exit(1); }   /* never reached */

static void on_segv_info(int sig, siginfo_t *si, void *uc)
{
  (void)uc;
  /* force_sig(SIGSEGV): si_code SI_KERNEL */
  _exit(sig == SIGSEGV && si->si_code == SI_KERNEL ? 42 : 43);
}

/* in a child: the alternate stack at ss, handlers for SIGSEGV and SIGBUS
 * on it, then raise sig (a real fault when fault is set).  Returns the
 * child's wait status. */
static int run(void *ss, int sig, int fault, int segv_on_stack)
{
  pid_t p = fork();
  if (p == 0) {
    alarm(20);
    stack_t st = { .ss_sp = ss, .ss_size = SZ, .ss_flags = 0 };
    if (sigaltstack(&st, NULL))
      _exit(3);
    struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_ONSTACK };
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    if (segv_on_stack)
      sigaction(SIGSEGV, &sa, NULL);
    else {
      struct sigaction s2 = { .sa_sigaction = on_segv_info, .sa_flags = SA_SIGINFO };
      sigaction(SIGSEGV, &s2, NULL);
    }
    if (fault)
      *(volatile int *)8 = 1;
    else
      raise(sig);
    _exit(2);
  }
  int status = 0;
  waitpid(p, &status, 0);
  return status;
}

static int killed_by_segv(int st) { return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV; }

int main(void)
{
  char *none = mmap(NULL, SZ, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *ro = mmap(NULL, SZ, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *gone = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(gone, SZ);
  char path[] = "bad_altstack.XXXXXX";
  int fd = mkstemp(path);
  char *past_eof = fd >= 0 ? mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
  if (fd >= 0) {
    unlink(path);
    close(fd);
  }
  OK("mappings", none != MAP_FAILED && ro != MAP_FAILED && past_eof != MAP_FAILED);

  OK("fault, PROT_NONE stack: killed by SIGSEGV", killed_by_segv(run(none, 0, 1, 1)));
  OK("fault, read-only stack: killed by SIGSEGV", killed_by_segv(run(ro, 0, 1, 1)));
  OK("fault, unmapped stack: killed by SIGSEGV", killed_by_segv(run(gone, 0, 1, 1)));
  OK("fault, stack past EOF: killed by SIGSEGV", killed_by_segv(run(past_eof, 0, 1, 1)));
  OK("raise(SIGSEGV), PROT_NONE stack: killed by SIGSEGV", killed_by_segv(run(none, SIGSEGV, 0, 1)));
  OK("raise(SIGBUS), PROT_NONE stack: killed by SIGSEGV", killed_by_segv(run(none, SIGBUS, 0, 1)));
  OK("raise(SIGUSR1), PROT_NONE stack: killed by SIGSEGV", killed_by_segv(run(none, SIGUSR1, 0, 1)));
  int st = run(none, SIGUSR1, 0, 0);
  OK("raise(SIGUSR1), SIGSEGV handler on the normal stack: it runs (SI_KERNEL)",
     WIFEXITED(st) && WEXITSTATUS(st) == 42);
  return t_failed != 0;
}
