/* kcmpwaitv.c - kcmp(2) of each kind between a process, its threads and
 * children (shared and not), and futex_waitv(2): the woken index,
 * EAGAIN, ETIMEDOUT on both clocks, and its argument checks. */
#include "t.h"
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/kcmp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static long kcmp(pid_t a, pid_t b, int type, unsigned long i1, unsigned long i2) {
  return syscall(SYS_kcmp, a, b, type, i1, i2);
}

static long waitv(struct futex_waitv *w, unsigned n, unsigned flags, struct timespec *ts, int clk) {
  return syscall(SYS_futex_waitv, w, n, flags, ts, clk);
}

static uint32_t words[4];
static volatile int thread_tid;

static void *waker(void *arg) {
  (void)arg;
  struct timespec d = {0, 50 * 1000000};
  nanosleep(&d, NULL);
  __atomic_store_n(&words[2], 1, __ATOMIC_SEQ_CST);
  syscall(SYS_futex, &words[2], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  return NULL;
}

static void *idle_thread(void *arg) {
  thread_tid = gettid();
  while (!*(volatile int *)arg) usleep(1000);
  return NULL;
}

static int child_fn(void *arg) { (void)arg; pause(); return 0; }

int main(void) {
  pid_t me = getpid();
  int fd = open("/", O_RDONLY | O_DIRECTORY), dup1 = dup(fd), other = open("/", O_RDONLY | O_DIRECTORY);
  OK("kcmp file dup same", kcmp(me, me, KCMP_FILE, fd, dup1) == 0);
  long r = kcmp(me, me, KCMP_FILE, fd, other);
  OK("kcmp file other differs", r == 1 || r == 2);
  OK("kcmp file order antisymmetric", kcmp(me, me, KCMP_FILE, other, fd) == 3 - r);
  ERR("kcmp bad fd", kcmp(me, me, KCMP_FILE, fd, 999), EBADF);
  OK("kcmp fd is unsigned int", kcmp(me, me, KCMP_FILE, fd, (1UL << 40) | dup1) == 0);
  ERR("kcmp bad type", kcmp(me, me, 99, 0, 0), EINVAL);
  ERR("kcmp no pid", kcmp(me, 999999, KCMP_VM, 0, 0), ESRCH);
  OK("kcmp vm self", kcmp(me, me, KCMP_VM, 0, 0) == 0);

  /* a thread shares everything */
  int stop = 0;
  pthread_t th;
  pthread_create(&th, NULL, idle_thread, &stop);
  while (!thread_tid) usleep(1000);
  OK("kcmp thread vm", kcmp(me, thread_tid, KCMP_VM, 0, 0) == 0);
  OK("kcmp thread files", kcmp(me, thread_tid, KCMP_FILES, 0, 0) == 0);
  OK("kcmp thread fs", kcmp(me, thread_tid, KCMP_FS, 0, 0) == 0);
  OK("kcmp thread sighand", kcmp(me, thread_tid, KCMP_SIGHAND, 0, 0) == 0);
  OK("kcmp thread file", kcmp(me, thread_tid, KCMP_FILE, fd, fd) == 0);
  stop = 1;
  pthread_join(th, NULL);

  /* a forked child shares nothing but its inherited files */
  pid_t c = fork();
  if (c == 0) { pause(); _exit(0); }
  r = kcmp(me, c, KCMP_VM, 0, 0);
  OK("kcmp child vm differs", r == 1 || r == 2);
  r = kcmp(me, c, KCMP_FILES, 0, 0);
  OK("kcmp child files differ", r == 1 || r == 2);
  r = kcmp(me, c, KCMP_SIGHAND, 0, 0);
  OK("kcmp child sighand differs", r == 1 || r == 2);
  OK("kcmp child inherited file same", kcmp(me, c, KCMP_FILE, fd, fd) == 0);
  kill(c, SIGKILL);
  waitpid(c, NULL, 0);

  /* clone with CLONE_FILES|CLONE_FS|CLONE_VM shares those */
  static char stack[65536];
  c = clone(child_fn, stack + sizeof stack, CLONE_VM | CLONE_FILES | CLONE_FS | SIGCHLD, NULL);
  OK("clone shared", c > 0);
  OK("kcmp clone vm", kcmp(me, c, KCMP_VM, 0, 0) == 0);
  OK("kcmp clone files", kcmp(me, c, KCMP_FILES, 0, 0) == 0);
  OK("kcmp clone fs", kcmp(me, c, KCMP_FS, 0, 0) == 0);
  r = kcmp(me, c, KCMP_SIGHAND, 0, 0);
  OK("kcmp clone sighand differs", r == 1 || r == 2);
  kill(c, SIGKILL);
  waitpid(c, NULL, 0);

  /* KCMP_EPOLL_TFD */
  int ep = epoll_create1(0), pfd[2];
  pipe(pfd);
  struct epoll_event ev = {.events = EPOLLIN};
  epoll_ctl(ep, EPOLL_CTL_ADD, pfd[0], &ev);
  struct kcmp_epoll_slot slot = {.efd = ep, .tfd = pfd[0], .toff = 0};
  OK("kcmp epoll tfd same", kcmp(me, me, KCMP_EPOLL_TFD, pfd[0], (unsigned long)&slot) == 0);
  r = kcmp(me, me, KCMP_EPOLL_TFD, pfd[1], (unsigned long)&slot);
  OK("kcmp epoll tfd other", r == 1 || r == 2);
  slot.toff = 1;
  ERR("kcmp epoll toff", kcmp(me, me, KCMP_EPOLL_TFD, pfd[0], (unsigned long)&slot), ENOENT);
  slot.toff = 0; slot.tfd = pfd[1];
  ERR("kcmp epoll no target", kcmp(me, me, KCMP_EPOLL_TFD, pfd[0], (unsigned long)&slot), ENOENT);
  slot.efd = pfd[0];
  ERR("kcmp epoll not epoll", kcmp(me, me, KCMP_EPOLL_TFD, pfd[0], (unsigned long)&slot), EINVAL);
  slot.efd = 999;
  ERR("kcmp epoll bad efd", kcmp(me, me, KCMP_EPOLL_TFD, pfd[0], (unsigned long)&slot), EBADF);
  ERR("kcmp epoll bad slot", kcmp(me, me, KCMP_EPOLL_TFD, pfd[0], 8), EFAULT);

  /* futex_waitv */
  struct futex_waitv w[4];
  memset(w, 0, sizeof w);
  for (int i = 0; i < 4; i++) {
    w[i].uaddr = (uintptr_t)&words[i];
    w[i].val = 0;
    w[i].flags = FUTEX_32 | FUTEX_PRIVATE_FLAG;
  }
  pthread_create(&th, NULL, waker, NULL);
  RES("waitv woken index", waitv(w, 4, 0, NULL, 0));
  pthread_join(th, NULL);
  ERR("waitv value differs", waitv(w, 4, 0, NULL, 0), EAGAIN);
  words[2] = 0;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_nsec += 20 * 1000000;
  if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
  ERR("waitv timeout monotonic", waitv(w, 4, 0, &ts, CLOCK_MONOTONIC), ETIMEDOUT);
  clock_gettime(CLOCK_REALTIME, &ts);
  ERR("waitv timeout realtime past", waitv(w, 4, 0, &ts, CLOCK_REALTIME), ETIMEDOUT);
  ERR("waitv bad clock", waitv(w, 4, 0, &ts, CLOCK_BOOTTIME), EINVAL);
  ERR("waitv flags", waitv(w, 4, 1, NULL, 0), EINVAL);
  ERR("waitv zero", waitv(w, 0, 0, NULL, 0), EINVAL);
  ERR("waitv too many", waitv(w, 129, 0, NULL, 0), EINVAL);
  ERR("waitv null", waitv(NULL, 1, 0, NULL, 0), EINVAL);
  ERR("waitv bad vector", waitv((void *)8, 1, 0, NULL, 0), EFAULT);
  struct timespec bad = {0, 2000000000};
  ERR("waitv bad timespec", waitv(w, 1, 0, &bad, CLOCK_MONOTONIC), EINVAL);
  w[1].flags = FUTEX_PRIVATE_FLAG;
  ERR("waitv no size", waitv(w, 2, 0, NULL, 0), EINVAL);
  w[1].flags = FUTEX_32; w[1].__reserved = 1;
  ERR("waitv reserved", waitv(w, 2, 0, NULL, 0), EINVAL);
  w[1].__reserved = 0; w[1].uaddr += 1;
  ERR("waitv unaligned", waitv(w, 2, 0, NULL, 0), EINVAL);
  w[1].uaddr = 4096;
  ERR("waitv unmapped word", waitv(w, 2, 0, NULL, 0), EFAULT);
  return t_done();
}
