/* tsc.c - prctl(PR_SET_TSC/PR_GET_TSC): with PR_TSC_SIGSEGV a guest's
 * rdtsc raises SIGSEGV (si_code SI_KERNEL, si_addr 0) and the state is
 * inherited by threads and forked children and kept across execve; the
 * thread keeps making syscalls (the seccomp platform's handler spins
 * without the TSC then); PR_TSC_ENABLE gives rdtsc back; bad modes and
 * pointers fail as Linux's. */
/* link: -pthread */
#include "t.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static sigjmp_buf jb;
static volatile int seg_code = -1;
static volatile uintptr_t seg_addr = 1;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
  (void)sig, (void)uc;
  seg_code = si->si_code;
  seg_addr = (uintptr_t)si->si_addr;
  siglongjmp(jb, 1);
}

static uint64_t rdtsc(void)
{
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (uint64_t)hi << 32 | lo;
}

/* "works" or "SIGSEGV code N addr 0" */
static void try_rdtsc(const char *what)
{
  seg_code = -1;
  if (!sigsetjmp(jb, 1)) {
    uint64_t a = rdtsc(), b = rdtsc();
    printf("%s: rdtsc %s\n", what, b >= a ? "works" : "goes back");
    return;
  }
  printf("%s: SIGSEGV code %d addr %s\n", what, seg_code, seg_addr ? "set" : "0");
}

static int get_tsc(void)
{
  int v = -1;
  if (prctl(PR_GET_TSC, &v))
    return -2;
  return v;
}

static void *thread_fn(void *arg)
{
  try_rdtsc("thread");
  return arg;
}

int main(int argc, char **argv)
{
  struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER };
  sigaction(SIGSEGV, &sa, NULL);

  if (argc > 1) {
    /* after execve: the mode is kept (PR_GET_TSC and rdtsc agree) */
    printf("exec: PR_GET_TSC %d\n", get_tsc());
    try_rdtsc("exec");
    return t_done();
  }
  printf("PR_GET_TSC %d\n", get_tsc());
  ERR("PR_SET_TSC 0", prctl(PR_SET_TSC, 0), EINVAL);
  ERR("PR_SET_TSC 3", prctl(PR_SET_TSC, 3), EINVAL);
  ERR("PR_GET_TSC bad pointer", prctl(PR_GET_TSC, (void *)8), EFAULT);
  try_rdtsc("default");

  pid_t p = fork();
  if (p == 0) {
    OK("PR_SET_TSC SIGSEGV", prctl(PR_SET_TSC, PR_TSC_SIGSEGV) == 0);
    printf("PR_GET_TSC %d\n", get_tsc());
    try_rdtsc("disabled");
    /* syscalls go on working in a thread without the TSC */
    for (int i = 0; i < 200; i++)
      syscall(SYS_getppid);
    OK("syscalls after", getppid() > 0 && write(1, "", 0) == 0);
    try_rdtsc("disabled again");
    pthread_t th;
    pthread_create(&th, NULL, thread_fn, NULL);
    pthread_join(th, NULL);
    pid_t q = fork();
    if (q == 0) {
      printf("grandchild: PR_GET_TSC %d\n", get_tsc());
      try_rdtsc("grandchild");
      /* no handler: the default action kills */
      signal(SIGSEGV, SIG_DFL);
      rdtsc();
      _exit(0);
    }
    int st;
    waitpid(q, &st, 0);
    printf("grandchild %s %d\n", WIFSIGNALED(st) ? "killed by" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    q = fork();
    if (q == 0) {
      execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
      _exit(99);
    }
    waitpid(q, &st, 0);
    OK("exec child exit 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    OK("PR_SET_TSC ENABLE", prctl(PR_SET_TSC, PR_TSC_ENABLE) == 0);
    printf("PR_GET_TSC %d\n", get_tsc());
    try_rdtsc("enabled again");
    _exit(t_done());
  }
  int st;
  waitpid(p, &st, 0);
  OK("child exit 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  try_rdtsc("parent");
  return t_done();
}
