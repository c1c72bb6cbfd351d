/* user_dispatch.c - syscall user dispatch (prctl PR_SET_SYSCALL_USER_DISPATCH,
 * what Wine uses): with the selector at BLOCK a syscall becomes a SIGSYS
 * (SYS_USER_DISPATCH, with the call's number, arch and address) that the
 * handler answers; ALLOW lets it run; the exempt range; the argument
 * checks; a bad selector kills; fork does not keep it.  stress-ng's
 * usersyscall skipped under umk, which answered EINVAL. */
#include "t.h"
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>

#define SET 59   /* PR_SET_SYSCALL_USER_DISPATCH */
#define OFF 0
#define EXCL 1
#define INCL 2

static volatile char sel;
static volatile int hits, code, nr, errn;
static volatile unsigned arch;
static volatile uintptr_t addr;

static void on_sys(int sig, siginfo_t *si, void *ucv)
{
  ucontext_t *uc = ucv;
  (void)sig;
  sel = 0;   /* ALLOW: the handler's own syscalls (and rt_sigreturn) run */
  hits++;
  code = si->si_code;
  nr = si->si_syscall;
  arch = si->si_arch;
  errn = si->si_errno;
  addr = (uintptr_t)si->si_call_addr;
  uc->uc_mcontext.gregs[REG_RAX] = 4242;
}

static long raw(long n)
{
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n) : "rcx", "r11", "memory");
  return r;
}

int main(void)
{
  struct sigaction sa = { .sa_sigaction = on_sys, .sa_flags = SA_SIGINFO };
  sigaction(SIGSYS, &sa, NULL);
  ERR("OFF with an offset", prctl(SET, OFF, 1, 0, 0), EINVAL);
  ERR("an unknown mode", prctl(SET, 7, 0, 0, 0), EINVAL);
  ERR("a range that wraps", prctl(SET, EXCL, 0x1000, UINT64_MAX, &sel), EINVAL);
  ERR("a kernel-space selector", prctl(SET, EXCL, 0, 0, 0xffff800000000000ul), EFAULT);

  sel = 0;
  OK("on, ALLOW", prctl(SET, EXCL, 0, 0, &sel) == 0);
  OK("getpid runs", raw(SYS_getpid) == getpid());
  sel = 1;   /* BLOCK */
  long r = raw(SYS_getppid);
  printf("blocked getppid: %ld, hits %d, si_code %d, si_syscall %d (getppid %d), arch %#x, si_errno %d, address set %d\n",
         r, hits, code, nr, SYS_getppid, arch, errn, addr != 0);

  /* fork: the child has none of it */
  pid_t p = fork();
  if (p == 0) {
    sel = 1;
    _exit(raw(SYS_getpid) > 0 && hits == 1 ? 0 : 1);
  }
  int st;
  waitpid(p, &st, 0);
  OK("a child is not dispatched", WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* all of user space exempt: BLOCK changes nothing */
  sel = 0;
  OK("exempt range", prctl(SET, EXCL, 4096, 0x7ffffffff000ul - 4096, &sel) == 0);
  sel = 1;
  r = raw(SYS_getpid);
  sel = 0;
  OK("a call from the exempt range runs", r == getpid() && hits == 1);
  /* INCLUSIVE_ON: that range is the one dispatched */
  OK("inclusive", prctl(SET, INCL, 4096, 0x7ffffffff000ul - 4096, &sel) == 0);
  sel = 1;
  r = raw(SYS_getpid);
  OK("inclusive: a call from the range is dispatched", r == 4242 && hits == 2);
  OK("off", prctl(SET, OFF, 0, 0, 0) == 0);
  sel = 1;
  OK("off: runs", raw(SYS_getpid) == getpid() && hits == 2);

  /* a selector that says neither ALLOW nor BLOCK: killed by SIGSYS */
  p = fork();
  if (p == 0) {
    sel = 0;
    prctl(SET, EXCL, 0, 0, &sel);
    sel = 2;
    raw(SYS_getpid);
    _exit(0);
  }
  waitpid(p, &st, 0);
  OK("selector 2: SIGSYS", WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
  /* an unreadable selector: SIGSEGV */
  p = fork();
  if (p == 0) {
    char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *m = 0;
    prctl(SET, EXCL, 0, 0, m);
    munmap(m, 4096);   /* allowed: the selector still reads 0 */
    raw(SYS_getpid);
    _exit(0);
  }
  waitpid(p, &st, 0);
  OK("unreadable selector: SIGSEGV", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
  return t_done();
}
