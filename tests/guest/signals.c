/* signals.c - signal delivery: sigaction with SA_SIGINFO (si_signo, si_code,
 * si_pid), sigqueue values, sigprocmask and pending signals, sigsuspend,
 * SA_RESTART against EINTR on a blocked pipe read, SIGCHLD, sigaltstack,
 * SIGSEGV on a NULL dereference left by siglongjmp, SIGPIPE/EPIPE, and
 * FPU/XMM state surviving a handler that clobbers it.                  */
#include "t.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile sig_atomic_t hits;
static siginfo_t last;
static sigjmp_buf jb;
static char *alt;
static int on_alt;

static void on_info(int sig, siginfo_t *si, void *uc) { (void)sig; (void)uc; last = *si; hits++; }
static void on_plain(int sig) { (void)sig; hits++; }
static void on_segv(int sig, siginfo_t *si, void *uc) { (void)sig; (void)uc; last = *si; siglongjmp(jb, 1); }
static void on_alt_stack(int sig) {
  char here;
  stack_t ss;
  (void)sig;
  sigaltstack(NULL, &ss);
  on_alt = &here >= alt && &here < alt + SIGSTKSZ * 4 && (ss.ss_flags & SS_ONSTACK);
  hits++;
}

/* rounding control in both MXCSR and the x87 control word (no libm needed) */
static void set_round(unsigned rc) {
  unsigned m;
  unsigned short cw;
  __asm__ volatile("stmxcsr %0" : "=m"(m));
  m = (m & ~0x6000u) | rc << 13;
  __asm__ volatile("ldmxcsr %0" ::"m"(m));
  __asm__ volatile("fnstcw %0" : "=m"(cw));
  cw = (unsigned short)((cw & ~0xc00u) | rc << 10);
  __asm__ volatile("fldcw %0" ::"m"(cw));
}
static unsigned get_round(void) {
  unsigned m;
  unsigned short cw;
  __asm__ volatile("stmxcsr %0" : "=m"(m));
  __asm__ volatile("fnstcw %0" : "=m"(cw));
  return ((m >> 13) & 3) | ((cw >> 10) & 3) << 4;
}
enum { RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2 };

static void handle(int sig, void (*fn)(int, siginfo_t *, void *), int flags) {
  struct sigaction sa = {0};
  sa.sa_sigaction = fn;
  sa.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}
static void handle_plain(int sig, void (*fn)(int), int flags) {
  struct sigaction sa = {0};
  sa.sa_handler = fn;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

static const char *code(const siginfo_t *si) {
  int c = si->si_code;
  if (si->si_signo == SIGCHLD) return c == CLD_EXITED ? "CLD_EXITED" : c == CLD_KILLED ? "CLD_KILLED" : "CLD_other";
  if (si->si_signo == SIGSEGV) return c == SEGV_MAPERR ? "SEGV_MAPERR" : c == SEGV_ACCERR ? "SEGV_ACCERR" : "SEGV_other";
  return c == SI_USER ? "SI_USER" : c == SI_TKILL ? "SI_TKILL" : c == SI_QUEUE ? "SI_QUEUE" : c == SI_KERNEL ? "SI_KERNEL" : "other";
}

/* blocking pipe read interrupted by SIGALRM after 50 ms; a child writes after 300 ms */
static void read_with_alarm(int restart) {
  int p[2];
  char c = 0;
  pipe(p);
  pid_t w = fork();
  if (w == 0) { usleep(300000); write(p[1], "r", 1); _exit(0); }
  handle_plain(SIGALRM, on_plain, restart ? SA_RESTART : 0);
  hits = 0;
  struct itimerval it = {{0, 0}, {0, 50000}};
  setitimer(ITIMER_REAL, &it, NULL);
  errno = 0;
  long r = read(p[0], &c, 1);
  printf("read with %s: ret %ld %s, handler ran %d\n", restart ? "SA_RESTART" : "no SA_RESTART", r,
         r < 0 ? en(errno) : (c == 'r' ? "got byte" : "?"), hits);
  waitpid(w, NULL, 0);
  close(p[0]);
  close(p[1]);
}

/* load known values into xmm0-15, kill(self, SIGUSR2) by a raw syscall,
 * read xmm0-15 back; the handler clobbers all of them */
static void clobber_handler(int sig) {
  (void)sig;
  set_round(RC_DOWN);
  __asm__ volatile("pcmpeqb %%xmm0,%%xmm0\n\tpcmpeqb %%xmm1,%%xmm1\n\tpcmpeqb %%xmm7,%%xmm7\n\t"
                   "pcmpeqb %%xmm8,%%xmm8\n\tpcmpeqb %%xmm15,%%xmm15\n\tpxor %%xmm3,%%xmm3"
                   ::: "xmm0", "xmm1", "xmm3", "xmm7", "xmm8", "xmm15");
  volatile double d = 1.0;
  for (int i = 0; i < 10; i++) d = d * 3.7 + 1.1;
  hits++;
}
static void xmm_test(void) {
  unsigned char in[256] __attribute__((aligned(16))), out[256] __attribute__((aligned(16)));
  for (int i = 0; i < 256; i++) in[i] = (unsigned char)(i * 7 + 3), out[i] = 0;
  handle_plain(SIGUSR2, clobber_handler, 0);
  set_round(RC_UP);
  hits = 0;
  long pid = getpid();
#define LD(n) "movdqu " #n "*16(%[in]), %%xmm" #n "\n\t"
#define ST(n) "movdqu %%xmm" #n ", " #n "*16(%[out])\n\t"
  __asm__ volatile(LD(0) LD(1) LD(2) LD(3) LD(4) LD(5) LD(6) LD(7) LD(8) LD(9) LD(10) LD(11) LD(12) LD(13) LD(14) LD(15)
                   "mov $62, %%eax\n\tmov %[pid], %%rdi\n\tmov $12, %%esi\n\tsyscall\n\t"
                   ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7) ST(8) ST(9) ST(10) ST(11) ST(12) ST(13) ST(14) ST(15)
                   : : [in] "r"(in), [out] "r"(out), [pid] "r"(pid)
                   : "rax", "rdi", "rsi", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
                     "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
  OK("handler ran during xmm test", hits == 1);
  OK("xmm0-15 preserved across signal handler", !memcmp(in, out, sizeof in));
  OK("rounding mode (mxcsr/x87 cw) preserved", get_round() == (RC_UP | RC_UP << 4));
  set_round(RC_NEAREST);
}

int main(void) {
  pid_t me = getpid();
  sigset_t set, old, pend;

  /* SA_SIGINFO via kill and via raise (tgkill) and sigqueue */
  handle(SIGUSR1, on_info, 0);
  hits = 0;
  kill(me, SIGUSR1);
  printf("kill: hits %d signo %d code %s pid is ours %s uid matches %s\n", hits, last.si_signo, code(&last),
         last.si_pid == me ? "yes" : "no", last.si_uid == getuid() ? "yes" : "no");
  raise(SIGUSR1);
  printf("raise: hits %d code %s pid is ours %s\n", hits, code(&last), last.si_pid == me ? "yes" : "no");
  sigqueue(me, SIGUSR1, (union sigval){.sival_int = 1234});
  printf("sigqueue: hits %d code %s value %d\n", hits, code(&last), last.si_value.sival_int);

  /* block, pending, unblock; standard signals do not queue twice */
  handle_plain(SIGUSR2, on_plain, 0);
  hits = 0;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  OK("sigprocmask block", sigprocmask(SIG_BLOCK, &set, &old) == 0);
  raise(SIGUSR2);
  raise(SIGUSR2);
  OK("not delivered while blocked", hits == 0);
  OK("sigpending shows it", sigpending(&pend) == 0 && sigismember(&pend, SIGUSR2) && !sigismember(&pend, SIGUSR1));
  OK("sigprocmask unblock", sigprocmask(SIG_SETMASK, &old, NULL) == 0);
  printf("delivered after unblock: %d time(s)\n", hits);
  OK("mask reads back", sigprocmask(SIG_BLOCK, NULL, &old) == 0 && !sigismember(&old, SIGUSR2));
  ERR("sigprocmask bad how", syscall(SYS_rt_sigprocmask, 99, &set, NULL, 8), EINVAL);
  ERR("rt_sigaction bad sigsetsize", syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4), EINVAL);
  ERR("sigaction SIGKILL", sigaction(SIGKILL, &(struct sigaction){.sa_handler = on_plain}, NULL), EINVAL);
  ERR("sigaction signal 0", sigaction(0, NULL, NULL), EINVAL);

  /* real-time signals do queue */
  handle_plain(SIGRTMIN + 1, on_plain, 0);
  hits = 0;
  sigemptyset(&set);
  sigaddset(&set, SIGRTMIN + 1);
  sigprocmask(SIG_BLOCK, &set, &old);
  sigqueue(me, SIGRTMIN + 1, (union sigval){0});
  sigqueue(me, SIGRTMIN + 1, (union sigval){0});
  sigqueue(me, SIGRTMIN + 1, (union sigval){0});
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("rt signal queued 3, delivered %d\n", hits);

  /* sigsuspend: a child signals us while we wait with SIGUSR1 unblocked */
  handle(SIGUSR1, on_info, 0);
  hits = 0;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, &old);
  pid_t c = fork();
  if (c == 0) { kill(getppid(), SIGUSR1); _exit(0); }
  sigemptyset(&set);
  errno = 0;
  int r = sigsuspend(&set);
  printf("sigsuspend: ret %d %s hits %d sender is child %s\n", r, en(errno), hits, last.si_pid == c ? "yes" : "no");
  OK("mask restored after sigsuspend", sigprocmask(SIG_BLOCK, NULL, &set) == 0 && sigismember(&set, SIGUSR1));
  sigprocmask(SIG_SETMASK, &old, NULL);
  waitpid(c, NULL, 0);

  /* SA_RESTART vs EINTR */
  read_with_alarm(0);
  read_with_alarm(1);

  /* SIGCHLD with siginfo */
  handle(SIGCHLD, on_info, 0);
  hits = 0;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, &old);
  if ((c = fork()) == 0) _exit(3);
  sigsuspend(&old);
  printf("SIGCHLD: hits %d code %s status %d pid is child %s\n", hits, code(&last), last.si_status,
         last.si_pid == c ? "yes" : "no");
  sigprocmask(SIG_SETMASK, &old, NULL);
  waitpid(c, NULL, 0);
  signal(SIGCHLD, SIG_DFL);

  /* sigaltstack */
  stack_t ss = {0};
  alt = malloc(SIGSTKSZ * 4);
  ss.ss_sp = alt;
  ss.ss_size = SIGSTKSZ * 4;
  OK("sigaltstack", sigaltstack(&ss, NULL) == 0);
  ERR("sigaltstack too small", sigaltstack(&(stack_t){.ss_sp = alt, .ss_size = 64}, NULL), ENOMEM);
  sigaltstack(&ss, NULL); /* in case the bad one was accepted */
  handle_plain(SIGUSR2, on_alt_stack, SA_ONSTACK);
  hits = 0;
  raise(SIGUSR2);
  OK("handler ran on the alternate stack", hits == 1 && on_alt);
  OK("not on alt stack afterwards", sigaltstack(NULL, &ss) == 0 && !(ss.ss_flags & SS_ONSTACK));

  /* SIGSEGV on NULL dereference, escaped with siglongjmp */
  handle(SIGSEGV, on_segv, 0);
  if (sigsetjmp(jb, 1) == 0) {
    *(volatile int *)0 = 1;
    printf("FAIL no SIGSEGV\n");
  } else
    printf("SIGSEGV: signo %d code %s addr %p\n", last.si_signo, code(&last), last.si_addr);
  OK("SIGSEGV unblocked after siglongjmp", sigprocmask(SIG_BLOCK, NULL, &set) == 0 && !sigismember(&set, SIGSEGV));
  if (sigsetjmp(jb, 1) == 0) {
    *(volatile int *)16 = 1;
  } else
    printf("SIGSEGV again: addr %p\n", last.si_addr);
  signal(SIGSEGV, SIG_DFL);

  /* SIGPIPE: default kills the writer; ignored gives EPIPE */
  int p[2];
  pipe(p);
  close(p[0]);
  if ((c = fork()) == 0) { write(p[1], "x", 1); _exit(0); }
  int st;
  waitpid(c, &st, 0);
  printf("write to closed pipe, default: %s %d\n", WIFSIGNALED(st) ? "killed by" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
  signal(SIGPIPE, SIG_IGN);
  ERR("write to closed pipe, SIGPIPE ignored", write(p[1], "x", 1), EPIPE);
  signal(SIGPIPE, SIG_DFL);
  close(p[1]);

  /* SIG_IGN survives fork */
  signal(SIGUSR2, SIG_IGN);
  if ((c = fork()) == 0) { raise(SIGUSR2); _exit(0); }
  waitpid(c, &st, 0);
  printf("SIG_IGN inherited by fork child: %s\n", WIFEXITED(st) ? "yes" : "no");

  xmm_test();
  return t_done();
}
