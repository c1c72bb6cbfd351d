/* fuzzfound.c - regressions for the umk bugs that fuzzing found (Debian's
 * trinity and tests/fuzz/), each compared with a native run:
 *   sigtimedwait-sigchld  a SIGCHLD whose action is SIG_DFL, blocked, is
 *       kept pending while the task sleeps in sigtimedwait for it (umk
 *       unblocked the waited set for the sleep and then dropped the signal
 *       as ignored; trinity's main loop waited forever on zombies)
 *   kill-zombie   kill(pid) of a zombie child, and kill(-pgid) of a group
 *       whose only member is a zombie, succeed (the pid is still in use)
 *   kill-zombie-leader   kill(tgid) whose leader has exited while another
 *       thread runs reaches that thread
 *   stopped-pending   a stopped process whose handled signals arrive
 *       (an interval timer, a kill) stays stopped until SIGCONT, then runs
 *       the handlers (umk spun in do_signal holding the kernel lock: the
 *       whole kernel hung; found by tests/fuzz/)
 *   vfork-pending, exec-pending   the same with a handled signal pending
 *       while a vfork parent waits for its child, and while an execve
 *       waits for the process's other threads to go
 *   altstack-autodisarm   sigaltstack with SS_AUTODISARM (bit 31): set,
 *       read back, and a bad flag (UBSan found umk shifting 1 by 31 in an
 *       int: undefined behaviour)
 *   sockopt   setsockopt(SOL_SOCKET) on AF_UNIX sockets of each type, every
 *       option 0..77 with the values 0, 1, -1, NULL, a short length and 16
 *       zero bytes (a fresh socket each), device names and indexes, and
 *       another level with a NULL value: the errno Linux gives (trinity
 *       retried the options umk refused until it hit a bug of its own).
 *       SO_PEEK_OFF and SO_PASSPIDFD are left out: umk accepts only "off".
 *       Assumes root (SO_MARK, SO_DEBUG, SO_BINDTODEVICE need it natively).
 *   clone-settls   clone(CLONE_SETTLS) with a TLS base at or past the end
 *       of user space, or non-canonical: EPERM and no child (umk made the
 *       child, which the platform then could not start: killed by SIGKILL
 *       on ptrace, running with the parent's TLS on seccomp; tests/fuzz/)
 *   kill-int-min   kill(INT_MIN, 0) is ESRCH (umk negated INT_MIN: UBSan)
 *   leader-gone-sigchld   a process whose main thread has exited (the
 *       others run on) gets SIGCHLD for a child that exits and for one
 *       that stops, and reaps them; with SIGCHLD ignored the child is
 *       reaped at once (umk read the gone leader's signal handlers: a NULL
 *       pointer, found by tests/fuzz/ under UBSan); the waitpid that the
 *       SIGCHLD of a stop interrupts (a handler without SA_RESTART)
 *       reports the stopped child, as Linux's do_wait looks at the
 *       children again before it gives up for a signal (umk: EINTR)
 *   range-overflow   fallocate and sync_file_range with offset + length
 *       past INT64_MAX: EFBIG and EINVAL (umk's signed overflow: UBSan)
 */
#include "t.h"
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static void sigtimedwait_sigchld(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  signal(SIGCHLD, SIG_DFL);
  sigprocmask(SIG_BLOCK, &set, NULL);
  pid_t c = fork();
  if (c == 0) {
    usleep(100 * 1000); /* the parent is asleep in sigtimedwait by now */
    _exit(7);
  }
  struct timespec ts = { 5, 0 };
  siginfo_t si;
  int sig = sigtimedwait(&set, &si, &ts);
  OK("sigtimedwait-sigchld: SIGCHLD while waiting", sig == SIGCHLD);
  OK("sigtimedwait-sigchld: si_pid and status", sig == SIGCHLD && si.si_pid == c && si.si_status == 7);
  int st;
  OK("sigtimedwait-sigchld: reaped", waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 7);
  /* a child that dies before the wait starts: pending already */
  c = fork();
  if (c == 0) _exit(0);
  usleep(100 * 1000);
  OK("sigtimedwait-sigchld: pending before the wait", sigtimedwait(&set, NULL, &ts) == SIGCHLD);
  waitpid(c, &st, 0);
  /* unblocked and SIG_DFL: dropped at once, nothing pending afterwards */
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  c = fork();
  if (c == 0) _exit(0);
  waitpid(c, &st, 0);
  sigprocmask(SIG_BLOCK, &set, NULL);
  struct timespec zero = { 0, 0 };
  ERR("sigtimedwait-sigchld: unblocked SIG_DFL is discarded", sigtimedwait(&set, NULL, &zero), EAGAIN);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void kill_zombie(void) {
  pid_t c = fork();
  if (c == 0) {
    setpgid(0, 0);
    _exit(0);
  }
  setpgid(c, c);
  /* wait until it is a zombie, without reaping it */
  siginfo_t si;
  memset(&si, 0, sizeof si);
  OK("kill-zombie: waitid WNOWAIT", waitid(P_PID, c, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == c);
  OK("kill-zombie: kill(pid, 0)", kill(c, 0) == 0);
  OK("kill-zombie: kill(pid, SIGKILL)", kill(c, SIGKILL) == 0);
  OK("kill-zombie: kill(-pgid, SIGTERM)", kill(-c, SIGTERM) == 0);
  int st;
  OK("kill-zombie: still exited 0", waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  ERR("kill-zombie: reaped pid", kill(c, 0), ESRCH);
}

static volatile int got_usr1;
static void on_usr1(int s) { (void)s; got_usr1 = 1; }
static void *waiter(void *arg) {
  (void)arg;
  for (int i = 0; i < 500 && !got_usr1; i++) usleep(10 * 1000);
  _exit(got_usr1 ? 42 : 1);
}

static void kill_zombie_leader(void) {
  int p[2];
  if (pipe(p)) return;
  pid_t c = fork();
  if (c == 0) {
    signal(SIGUSR1, on_usr1);
    pthread_t th;
    pthread_create(&th, NULL, waiter, NULL);
    close(p[0]);
    write(p[1], "x", 1);
    syscall(SYS_exit, 0); /* the leader alone ends */
  }
  close(p[1]);
  char b;
  read(p[0], &b, 1);
  close(p[0]);
  usleep(100 * 1000);
  OK("kill-zombie-leader: kill(tgid, SIGUSR1)", kill(c, SIGUSR1) == 0);
  int st;
  OK("kill-zombie-leader: the thread got it", waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 42);
}

static volatile int alarms, terms;
static void on_alrm(int s) { (void)s; alarms++; }
static void on_term(int s) { (void)s; terms++; }

static void stopped_pending(void) {
  int go[2];
  if (pipe(go)) return;
  pid_t c = fork();
  if (c == 0) {
    signal(SIGALRM, on_alrm);
    signal(SIGTERM, on_term);
    struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    raise(SIGSTOP);
    /* continued: the pending SIGALRM and SIGTERM ran their handlers */
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    char b;
    while (read(go[0], &b, 1) < 0 && errno == EINTR) {} /* the parent saw it continue */
    _exit(alarms > 0 && terms == 1 ? 0 : 1);
  }
  int st;
  OK("stopped-pending: stopped", waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
  kill(c, SIGTERM);
  usleep(200 * 1000); /* timer signals arrive meanwhile */
  char path[64], buf[256] = "";
  snprintf(path, sizeof path, "/proc/%d/stat", (int)c);
  FILE *f = fopen(path, "r");
  if (f) { fgets(buf, sizeof buf, f); fclose(f); }
  char *rp = strrchr(buf, ')');
  OK("stopped-pending: still stopped", rp && rp[2] == 'T');
  kill(c, SIGCONT);
  OK("stopped-pending: continued", waitpid(c, &st, WCONTINUED) == c && WIFCONTINUED(st));
  write(go[1], "x", 1);
  close(go[0]);
  close(go[1]);
  OK("stopped-pending: handlers ran after SIGCONT", waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void vfork_pending(void) {
  pid_t outer = fork();
  if (outer == 0) {
    signal(SIGALRM, on_alrm);
    struct itimerval it = { { 0, 5000 }, { 0, 5000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    pid_t c = vfork();
    if (c == 0) {
      struct timespec ts = { 0, 100 * 1000 * 1000 };
      syscall(SYS_nanosleep, &ts, NULL); /* alarms arrive for the waiting parent */
      _exit(5);
    }
    int st;
    while (waitpid(c, &st, 0) < 0 && errno == EINTR) {}
    _exit(WIFEXITED(st) && WEXITSTATUS(st) == 5 && alarms > 0 ? 0 : 1);
  }
  int st;
  OK("vfork-pending: the parent waited, then ran its handlers", waitpid(outer, &st, 0) == outer &&
     WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* blocks SIGALRM (it goes to the execve thread) and runs without syscalls */
static void *spinner(void *arg) {
  (void)arg;
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGALRM);
  pthread_sigmask(SIG_BLOCK, &s, NULL);
  for (volatile unsigned long i = 0;; i++) {}
  return NULL;
}

static void exec_pending(const char *self) {
  pid_t c = fork();
  if (c == 0) {
    signal(SIGALRM, on_alrm);
    pthread_t th;
    pthread_create(&th, NULL, spinner, NULL);
    pthread_create(&th, NULL, spinner, NULL);
    struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    usleep(20 * 1000);
    execl(self, self, "exec-pending", (char *)NULL);
    _exit(1);
  }
  int st;
  OK("exec-pending: execve with threads and a signal pending", waitpid(c, &st, 0) == c &&
     ((WIFEXITED(st) && WEXITSTATUS(st) == 0) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)));
}

static void altstack_autodisarm(void) {
  static char stk[64 * 1024];
  stack_t ss = { .ss_sp = stk, .ss_size = sizeof stk, .ss_flags = (int)(1u << 31) }, old;
  OK("altstack-autodisarm: set", sigaltstack(&ss, NULL) == 0);
  OK("altstack-autodisarm: read back", sigaltstack(NULL, &old) == 0 && (unsigned)old.ss_flags == (1u << 31) &&
     old.ss_sp == stk && old.ss_size == sizeof stk);
  ss.ss_flags = (int)(1u << 31 | 1u << 30);
  ERR("altstack-autodisarm: bad flag", sigaltstack(&ss, NULL), EINVAL);
  ss.ss_flags = SS_DISABLE;
  OK("altstack-autodisarm: disable", sigaltstack(&ss, NULL) == 0);
}

static const char *so_try(int type, int level, int name, const void *val, int len) {
  static char b[8][24];
  static int i;
  int fd = socket(AF_UNIX, type, 0);
  errno = 0;
  int r = setsockopt(fd, level, name, val, len);
  int e = errno;
  close(fd);
  i = (i + 1) % 8;
  snprintf(b[i], sizeof b[i], "%s", r == 0 ? "0" : en(e));
  return b[i];
}

static void sockopt(void) {
  static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
  for (int ti = 0; ti < 3; ti++) {
    int ty = types[ti];
    for (int o = 0; o <= 77; o++) {
      if (o == 42 || o == 76) continue;
      int zero = 0, one = 1, m1 = -1;
      long big[2] = { 0, 0 };
      const char *a = so_try(ty, SOL_SOCKET, o, &zero, 4), *b = so_try(ty, SOL_SOCKET, o, &one, 4),
                 *c = so_try(ty, SOL_SOCKET, o, &m1, 4), *d = so_try(ty, SOL_SOCKET, o, NULL, 4),
                 *e = so_try(ty, SOL_SOCKET, o, &one, 1), *f = so_try(ty, SOL_SOCKET, o, big, 16);
      printf("sockopt type %d opt %2d: 0 %s, 1 %s, -1 %s, NULL %s, short %s, 16 zero bytes %s\n", ty, o, a, b, c, d, e, f);
    }
  }
  printf("sockopt SO_BINDTODEVICE: \"\" %s, lo %s, nope %s, len 0 NULL %s\n",
         so_try(SOCK_STREAM, SOL_SOCKET, SO_BINDTODEVICE, "", 1), so_try(SOCK_STREAM, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3),
         so_try(SOCK_STREAM, SOL_SOCKET, SO_BINDTODEVICE, "nope", 5), so_try(SOCK_STREAM, SOL_SOCKET, SO_BINDTODEVICE, NULL, 0));
  struct { int clockid; unsigned flags; } tt[] = { { 0, 0 }, { 1, 3 }, { 7, 0 }, { 11, 0 }, { 0, 4 }, { -1, 0 } };
  for (unsigned i = 0; i < sizeof tt / sizeof tt[0]; i++)
    printf("sockopt SO_TXTIME {%d, %u}: %s\n", tt[i].clockid, tt[i].flags, so_try(SOCK_DGRAM, SOL_SOCKET, SO_TXTIME, &tt[i], 8));
  for (int bit = 0; bit < 32; bit++) {
    int v = 1 << bit;
    printf("sockopt SO_TIMESTAMPING bit %d: %s\n", bit, so_try(SOCK_DGRAM, SOL_SOCKET, SO_TIMESTAMPING, &v, 4));
  }
  printf("sockopt level 6 NULL: %s, level 12345 NULL: %s, level 0 short: %s\n",
         so_try(SOCK_STREAM, 6, 1, NULL, 4), so_try(SOCK_STREAM, 12345, 1, NULL, 4), so_try(SOCK_STREAM, 0, 1, "", 1));
}

static void clone_settls(void) {
  static const unsigned long bad[] = { 0x7ffffffff000UL, 0x800000000000UL, 0xffff800000000000UL, ~0UL };
  for (int i = 0; i < 4; i++) {
    long r = syscall(SYS_clone, CLONE_SETTLS | SIGCHLD, 0, 0, 0, bad[i]);
    if (r == 0) _exit(3);
    int e = errno, st = 0;
    if (r > 0) waitpid((pid_t)r, &st, 0);
    printf("clone-settls %#lx: %s\n", bad[i], r < 0 ? strerror(e) : "a child");
    OK("clone-settls: EPERM", r < 0 && e == EPERM);
  }
  /* the highest good base still makes a child */
  long r = syscall(SYS_clone, CLONE_SETTLS | SIGCHLD, 0, 0, 0, 0x7fffffffe000UL);
  if (r == 0) _exit(3);
  int st = 0;
  OK("clone-settls: a base below the end works", r > 0 && waitpid((pid_t)r, &st, 0) == r && WIFEXITED(st) &&
     WEXITSTATUS(st) == 3);
}

static void kill_int_min(void) {
  errno = 0;
  OK("kill-int-min: ESRCH", syscall(SYS_kill, INT_MIN, 0) == -1 && errno == ESRCH);
}

static volatile int chld_seen;
static void on_chld(int sig) { (void)sig; chld_seen++; }

/* The process's second thread, once the main thread has gone: each
 * failed step sets a bit of the exit status. */
static void *leader_gone_thread(void *arg) {
  (void)arg;
  int bad = 0, st;
  usleep(50 * 1000);   /* the main thread is gone by now */
  pid_t c = fork();
  if (c == 0) _exit(5);
  for (int i = 0; i < 200 && !chld_seen; i++) usleep(5000);
  if (chld_seen != 1) bad |= 1;
  if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 5) bad |= 2;
  c = fork();
  if (c == 0) { raise(SIGSTOP); _exit(6); }
  if (waitpid(c, &st, WUNTRACED) != c || !WIFSTOPPED(st)) bad |= 4;
  for (int i = 0; i < 200 && chld_seen < 2; i++) usleep(5000);
  if (chld_seen != 2) bad |= 8;
  kill(c, SIGKILL);
  if (waitpid(c, &st, 0) != c || !WIFSIGNALED(st)) bad |= 16;
  signal(SIGCHLD, SIG_IGN);
  c = fork();
  if (c == 0) _exit(7);
  errno = 0;
  if (waitpid(c, &st, 0) != -1 || errno != ECHILD) bad |= 32;
  syscall(SYS_exit_group, bad);
  return NULL;
}

static void leader_gone_sigchld(void) {
  pid_t p = fork();
  if (p == 0) {
    struct sigaction sa = { .sa_handler = on_chld };
    sigaction(SIGCHLD, &sa, NULL);
    pthread_t th;
    if (pthread_create(&th, NULL, leader_gone_thread, NULL)) _exit(100);
    syscall(SYS_exit, 0);   /* the main thread alone */
  }
  int st;
  OK("leader-gone-sigchld: the process ends by its second thread", waitpid(p, &st, 0) == p && WIFEXITED(st));
  printf("leader-gone-sigchld: failed steps %#x\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  OK("leader-gone-sigchld: SIGCHLD for an exit and a stop, reaped; autoreaped when ignored",
     WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void range_overflow(void) {
  char path[] = "/tmp/fuzzfound.XXXXXX";
  int fd = mkstemp(path);
  OK("range-overflow: a file", fd >= 0);
  unlink(path);
  errno = 0;
  OK("range-overflow: fallocate EFBIG", syscall(SYS_fallocate, fd, 0, INT64_MAX, 9L) == -1 && errno == EFBIG);
  errno = 0;
  OK("range-overflow: sync_file_range EINVAL",
     syscall(SYS_sync_file_range, fd, INT64_MAX, 9L, 0) == -1 && errno == EINVAL);
  close(fd);
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "exec-pending"))
    return 0; /* the new image: the exec went through */
  sockopt();
  altstack_autodisarm();
  stopped_pending();
  vfork_pending();
  exec_pending(argv[0]);
  sigtimedwait_sigchld();
  kill_zombie();
  kill_zombie_leader();
  clone_settls();
  kill_int_min();
  leader_gone_sigchld();
  range_overflow();
  return t_done();
}
