/* fastpath.c - syscall sites that the seccomp platform patches after a
 * few traps (`mov $nr,%eax; syscall`, and glibc's syscall(2)) must keep
 * the semantics of `syscall` itself: the result in rax, rcx and r11
 * the only other registers changed, flags and SSE registers as they
 * were, signals delivered in between, restarts, fork from a patched
 * site.  Every line printed must match a native run. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* One fixed site: mov $nr,%eax; syscall.  Checks every register the
 * kernel must keep (all but rax, rcx, r11), the carry and direction
 * flags and xmm0; returns rax, or sets *bad. */
static long site_getppid(int *bad) {
  uint64_t in[10] = { 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888, 0x9999, 0xaaaa };
  uint64_t out[10];
  uint64_t x_in[2] = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL }, x_out[2];
  long rax;
  unsigned char cf;
  __asm__ volatile(
      "movdqu (%[xi]), %%xmm0\n"
      "push %%rbp\n"
      "push %%rbx\n"
      "mov 0(%[in]), %%rbx\n mov 8(%[in]), %%rbp\n mov 16(%[in]), %%r12\n mov 24(%[in]), %%r13\n"
      "mov 32(%[in]), %%r14\n mov 40(%[in]), %%r15\n mov 48(%[in]), %%r8\n mov 56(%[in]), %%r9\n"
      "mov 64(%[in]), %%r10\n mov 72(%[in]), %%rdx\n"
      "push %[in]\n push %[out]\n"
      "stc\n"
      "mov $110, %%eax\n"        /* getppid */
      "syscall\n"
      "setc %%cl\n"
      "pop %[out]\n"
      "mov %%rbx, 0(%[out])\n mov %%rbp, 8(%[out])\n mov %%r12, 16(%[out])\n mov %%r13, 24(%[out])\n"
      "mov %%r14, 32(%[out])\n mov %%r15, 40(%[out])\n mov %%r8, 48(%[out])\n mov %%r9, 56(%[out])\n"
      "mov %%r10, 64(%[out])\n mov %%rdx, 72(%[out])\n"
      "pop %[in]\n"
      "pop %%rbx\n"
      "pop %%rbp\n"
      "movdqu %%xmm0, (%[xo])\n"
      : "=a"(rax), "=c"(cf)
      : [in] "D"(in), [out] "S"(out), [xi] "r"(x_in), [xo] "r"(x_out)
      : "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rdx", "xmm0", "memory", "cc");
  if (memcmp(in, out, sizeof in) || memcmp(x_in, x_out, sizeof x_in) || cf != 1)
    *bad = 1;
  return rax;
}

/* getpid from one fixed site with the stack pointer just above an
 * inaccessible page: the kernel's syscall touches no stack, and neither
 * may a patched site's way in (it falls back to the plain trap). */
static long getpid_on_stack(uint64_t sp) {
  long rax;
  __asm__ volatile(
      "mov %%rsp, %%r12\n"
      "mov %[sp], %%rsp\n"
      "mov $39, %%eax\n"
      "syscall\n"
      "mov %%r12, %%rsp\n"
      : "=a"(rax)
      : [sp] "r"(sp)
      : "rcx", "r11", "r12", "memory");
  return rax;
}

static volatile int alarms;
static void on_alarm(int sig) {
  (void)sig;
  alarms++;
  getppid(); /* a syscall inside the handler too */
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  long ppid = getppid();
  int bad = 0, wrong = 0;
  for (int i = 0; i < 2000; i++)
    if (site_getppid(&bad) != ppid)
      wrong++;
  printf("fixed site: %d wrong results, registers %s\n", wrong, bad ? "CHANGED" : "kept");

  wrong = 0;
  for (int i = 0; i < 2000; i++)
    if (syscall(SYS_getppid) != ppid)
      wrong++;
  errno = 0;
  long r = 0;
  for (int i = 0; i < 20; i++)
    r = syscall(SYS_close, -1); /* errors through the patched syscall(2) */
  printf("syscall(2): %d wrong results, close(-1) = %ld errno %s\n", wrong, r,
         errno == EBADF ? "EBADF" : strerror(errno));

  /* a stack that ends 64 bytes below the stack pointer */
  char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (two == MAP_FAILED || mprotect(two, 4096, PROT_NONE))
    return 1;
  wrong = 0;
  for (int i = 0; i < 50; i++)
    if (getpid_on_stack((uint64_t)two + 4096 + 64) != getpid())
      wrong++;
  printf("stack pointer above a guard page: %d wrong results\n", wrong);

  /* a timer signal lands anywhere in a loop of patched syscalls */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = { { 0, 200 }, { 0, 200 } };
  setitimer(ITIMER_REAL, &it, NULL);
  bad = wrong = 0;
  for (int i = 0; i < 200000 && alarms < 50; i++)
    if (site_getppid(&bad) != ppid)
      wrong++;
  struct itimerval off = { { 0, 0 }, { 0, 0 } };
  setitimer(ITIMER_REAL, &off, NULL);
  printf("under SIGALRM: %s handler runs, %d wrong results, registers %s\n",
         alarms >= 50 ? "50+" : "too few", wrong, bad ? "CHANGED" : "kept");

  /* fork and exit through patched sites; the children's results too */
  int ok = 0;
  for (int i = 0; i < 10; i++) {
    pid_t p = fork();
    if (p == 0) {
      int b = 0;
      long pp = site_getppid(&b);
      _exit(pp == getppid() && !b ? 10 + i : 1);
    }
    int st;
    if (waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 10 + i)
      ok++;
  }
  printf("fork: %d of 10 children right\n", ok);

  /* a signal that interrupts a blocking syscall (restart or EINTR) */
  int fds[2];
  if (pipe(fds))
    return 1;
  sa.sa_flags = 0;
  sigaction(SIGALRM, &sa, NULL);
  int eintr = 0;
  for (int i = 0; i < 4; i++) {
    struct itimerval once = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &once, NULL);
    char c;
    if (read(fds[0], &c, 1) < 0 && errno == EINTR)
      eintr++;
  }
  printf("blocking read interrupted: %d of 4 EINTR\n", eintr);
  return 0;
}
