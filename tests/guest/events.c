/* events.c - event files and newer file syscalls: eventfd (counter,
 * EFD_SEMAPHORE, EFD_NONBLOCK, 8-byte rules), timerfd (one-shot,
 * interval, ABSTIME, poll), signalfd (read, poll, mask update), epoll
 * (level, ET, ONESHOT, a pipe and an eventfd, nested, close removes,
 * errors; a set of thousands of fds, every ready one reported across
 * calls that each take fewer, and the lowest free fd after closes), memfd_create + MAP_SHARED seen by a forked child and seals,
 * flock and fcntl record locks between processes, OFD locks,
 * copy_file_range, splice and tee through pipes, O_TMPFILE + linkat,
 * renameat2 RENAME_EXCHANGE, mknod S_IFSOCK; EPOLLEXCLUSIVE waking one
 * of several epoll instances per event.                              */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

static double mono(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void msleep(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static short pollone(int fd, short ev, int ms) {
  struct pollfd p = {fd, ev, 0};
  return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

static void put(const char *name, const char *s) {
  int fd = open(name, O_CREAT | O_TRUNC | O_WRONLY, 0644);
  write(fd, s, strlen(s));
  close(fd);
}

static const char *get(const char *name) {
  static char b[64];
  int fd = open(name, O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof b - 1);
  b[n < 0 ? 0 : n] = 0;
  if (fd >= 0) close(fd);
  return b;
}

static void test_eventfd(void) {
  uint64_t v = 0;
  int fd = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
  OK("eventfd", fd >= 0);
  OK("eventfd cloexec", fcntl(fd, F_GETFD) == FD_CLOEXEC);
  OK("eventfd nonblock", fcntl(fd, F_GETFL) & O_NONBLOCK);
  OK("eventfd poll readable", pollone(fd, POLLIN | POLLOUT, 0) == (POLLIN | POLLOUT));
  OK("eventfd read initval", read(fd, &v, 8) == 8 && v == 3);
  ERR("eventfd read empty", read(fd, &v, 8), EAGAIN);
  OK("eventfd poll empty", pollone(fd, POLLIN | POLLOUT, 0) == POLLOUT);
  v = 5;
  write(fd, &v, 8);
  ERR("eventfd write of 16 bytes", write(fd, (uint64_t[2]){2, 9}, 16), EINVAL);
  v = 2;
  write(fd, &v, 8);
  uint64_t two[2];
  OK("eventfd read sum", read(fd, two, 16) == 8 && two[0] == 7);
  ERR("eventfd short read", read(fd, &v, 4), EINVAL);
  ERR("eventfd zero read", read(fd, &v, 0), EINVAL);
  ERR("eventfd short write", write(fd, &v, 7), EINVAL);
  v = UINT64_MAX;
  ERR("eventfd write max", write(fd, &v, 8), EINVAL);
  v = UINT64_MAX - 1;
  OK("eventfd write max-1", write(fd, &v, 8) == 8);
  v = 1;
  ERR("eventfd overflow", write(fd, &v, 8), EAGAIN);
  OK("eventfd full poll", pollone(fd, POLLIN | POLLOUT, 0) == POLLIN);
  close(fd);
  ERR("eventfd2 bad flags", eventfd(0, 0x10), EINVAL);

  fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
  OK("semaphore 1", read(fd, &v, 8) == 8 && v == 1);
  OK("semaphore 2", read(fd, &v, 8) == 8 && v == 1);
  ERR("semaphore empty", read(fd, &v, 8), EAGAIN);
  close(fd);

  /* a blocking read woken by another process */
  fd = eventfd(0, 0);
  pid_t pid = fork();
  if (pid == 0) {
    msleep(50);
    v = 42;
    write(fd, &v, 8);
    _exit(0);
  }
  v = 0;
  OK("eventfd blocking read", read(fd, &v, 8) == 8 && v == 42);
  waitpid(pid, NULL, 0);
  close(fd);
}

static void test_timerfd(void) {
  struct itimerspec its = {{0, 0}, {0, 50000000}}, cur;
  uint64_t ticks = 0;
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  OK("timerfd_create", fd >= 0);
  OK("timerfd disarmed", timerfd_gettime(fd, &cur) == 0 && !cur.it_value.tv_sec && !cur.it_value.tv_nsec);
  OK("timerfd not ready", pollone(fd, POLLIN, 0) == 0);
  double s = mono();
  OK("timerfd_settime", timerfd_settime(fd, 0, &its, NULL) == 0);
  OK("timerfd armed", timerfd_gettime(fd, &cur) == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 50000000);
  OK("timerfd read blocks until expiry", read(fd, &ticks, 8) == 8 && ticks == 1 && mono() - s >= 0.045);
  OK("timerfd one-shot disarmed", timerfd_gettime(fd, &cur) == 0 && !cur.it_value.tv_nsec && !cur.it_value.tv_sec);
  ERR("timerfd short read", read(fd, &ticks, 4), EINVAL);

  its = (struct itimerspec){{0, 20000000}, {0, 20000000}};
  double t0 = mono();
  timerfd_settime(fd, 0, &its, NULL);
  msleep(110);
  OK("timerfd interval ready", pollone(fd, POLLIN, 0) == POLLIN);
  /* expiries counted up to the read: as many as 20 ms periods passed
   * (the sleep may last longer on a loaded machine), give or take one */
  double t1 = mono();
  int got = read(fd, &ticks, 8);
  double t2 = mono();
  OK("timerfd interval overruns", got == 8 && ticks >= 4 && (double)ticks >= (t1 - t0) / 0.02 - 1 &&
                                  (double)ticks <= (t2 - t0) / 0.02 + 1);
  OK("timerfd interval gettime", timerfd_gettime(fd, &cur) == 0 && cur.it_interval.tv_nsec == 20000000);
  struct itimerspec old;
  its = (struct itimerspec){{0, 0}, {0, 0}};
  OK("timerfd disarm returns old", timerfd_settime(fd, 0, &its, &old) == 0 && old.it_interval.tv_nsec == 20000000);
  close(fd);

  /* absolute time in the past on CLOCK_REALTIME: expires at once */
  fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
  ERR("timerfd nothing yet", read(fd, &ticks, 8), EAGAIN);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  its = (struct itimerspec){{0, 0}, {now.tv_sec - 1, 0}};
  OK("timerfd abstime past", timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) == 0);
  OK("timerfd abstime ticks", pollone(fd, POLLIN, 100) == POLLIN && read(fd, &ticks, 8) == 8 && ticks == 1);
  clock_gettime(CLOCK_REALTIME, &now);
  its = (struct itimerspec){{0, 0}, {now.tv_sec + 100, 0}};
  timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
  OK("timerfd abstime future", timerfd_gettime(fd, &cur) == 0 && cur.it_value.tv_sec >= 98 && cur.it_value.tv_sec <= 100);
  its.it_value.tv_nsec = 1000000000;
  ERR("timerfd bad nsec", timerfd_settime(fd, 0, &its, NULL), EINVAL);
  ERR("timerfd bad flags", timerfd_settime(fd, 8, &its, NULL), EINVAL);
  close(fd);
  fd = timerfd_create(CLOCK_BOOTTIME, 0);
  OK("timerfd boottime", fd >= 0);
  its = (struct itimerspec){{0, 0}, {0, 10000000}};
  OK("timerfd boottime fires", timerfd_settime(fd, 0, &its, NULL) == 0 && read(fd, &ticks, 8) == 8 && ticks == 1);
  close(fd);
  ERR("timerfd bad clock", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
  ERR("timerfd bad create flags", timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
  ERR("timerfd_settime on a pipe", ({ int p[2]; pipe(p); long r = timerfd_settime(p[0], 0, &its, NULL); int e = errno; close(p[0]); close(p[1]); errno = e; r; }), EINVAL);
}

static void test_signalfd(void) {
  sigset_t mask;
  struct signalfd_siginfo si;
  sigemptyset(&mask);
  sigaddset(&mask, SIGUSR1);
  sigaddset(&mask, SIGUSR2);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  sigdelset(&mask, SIGUSR2);
  int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  OK("signalfd", fd >= 0);
  ERR("signalfd empty", read(fd, &si, sizeof si), EAGAIN);
  OK("signalfd not ready", pollone(fd, POLLIN, 0) == 0);
  kill(getpid(), SIGUSR1);
  OK("signalfd ready", pollone(fd, POLLIN, 0) == POLLIN);
  ERR("signalfd short read", read(fd, &si, 64), EINVAL);
  OK("signalfd read", read(fd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR1 &&
                      si.ssi_code == SI_USER && si.ssi_pid == (uint32_t)getpid() && si.ssi_uid == getuid());
  OK("signalfd consumed", pollone(fd, POLLIN, 0) == 0);
  union sigval sv = {.sival_int = 42};
  sigqueue(getpid(), SIGUSR2, sv);
  OK("signalfd other signal not in mask", pollone(fd, POLLIN, 0) == 0);
  sigaddset(&mask, SIGUSR2);
  OK("signalfd update mask", signalfd(fd, &mask, 0) == fd);
  OK("signalfd sigqueue", read(fd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR2 &&
                          si.ssi_code == SI_QUEUE && si.ssi_int == 42);
  ERR("signalfd bad size", syscall(SYS_signalfd4, -1, &mask, 4, 0), EINVAL);
  ERR("signalfd update non-signalfd", signalfd(0, &mask, 0), EINVAL);

  /* a blocking read woken by a signal another process sends */
  int bfd = signalfd(-1, &mask, 0);
  pid_t parent = getpid(), pid = fork();
  if (pid == 0) {
    msleep(50);
    kill(parent, SIGUSR1);
    _exit(0);
  }
  OK("signalfd blocking read", read(bfd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR1 && si.ssi_pid == (uint32_t)pid);
  waitpid(pid, NULL, 0);
  close(bfd);
  close(fd);
  sigprocmask(SIG_UNBLOCK, &mask, NULL);
}

static void test_epoll(void) {
  struct epoll_event ev, out[8];
  int p[2], efd = eventfd(0, EFD_NONBLOCK), n;
  uint64_t v = 1;
  char buf[64];
  pipe(p);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  OK("epoll_create1", ep >= 0 && fcntl(ep, F_GETFD) == FD_CLOEXEC);
  ERR("epoll_create 0", epoll_create(0), EINVAL);
  ERR("epoll_create1 bad flags", epoll_create1(1), EINVAL);
  ev = (struct epoll_event){EPOLLIN, {.u64 = 100}};
  OK("epoll_ctl add pipe", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
  ev = (struct epoll_event){EPOLLIN, {.u64 = 200}};
  OK("epoll_ctl add eventfd", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0);
  ERR("epoll_ctl add twice", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), EEXIST);
  ERR("epoll_ctl mod missing", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT);
  ERR("epoll_ctl del missing", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), ENOENT);
  ERR("epoll_ctl self", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
  ERR("epoll_ctl bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
  ERR("epoll_ctl not epoll", epoll_ctl(efd, EPOLL_CTL_ADD, p[0], &ev), EINVAL);
  ERR("epoll_ctl bad op", epoll_ctl(ep, 9, p[0], &ev), EINVAL);
  put("ep_regular", "x");
  int rf = open("ep_regular", O_RDONLY);
  ERR("epoll_ctl regular file", epoll_ctl(ep, EPOLL_CTL_ADD, rf, &ev), EPERM);
  close(rf);
  unlink("ep_regular");
  ERR("epoll_wait maxevents 0", epoll_wait(ep, out, 0, 0), EINVAL);
  ERR("epoll_wait not epoll", epoll_wait(efd, out, 1, 0), EINVAL);
  OK("epoll_wait nothing", epoll_wait(ep, out, 8, 0) == 0);
  double s = mono();
  OK("epoll_wait timeout", epoll_wait(ep, out, 8, 50) == 0 && mono() - s >= 0.045);
  write(p[1], "abc", 3);
  n = epoll_wait(ep, out, 8, -1);
  OK("epoll pipe ready", n == 1 && out[0].events == EPOLLIN && out[0].data.u64 == 100);
  write(efd, &v, 8);
  n = epoll_wait(ep, out, 8, 0);
  OK("epoll two ready", n == 2 && out[0].data.u64 + out[1].data.u64 == 300);
  OK("epoll maxevents 1", epoll_wait(ep, out, 1, 0) == 1);
  OK("epoll level-triggered again", epoll_wait(ep, out, 8, 0) == 2);
  read(p[0], buf, sizeof buf);
  read(efd, &v, 8);
  OK("epoll drained", epoll_wait(ep, out, 8, 0) == 0);
  ev = (struct epoll_event){EPOLLOUT, {.u64 = 300}};
  epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
  n = epoll_wait(ep, out, 8, 0);
  OK("epoll pipe writable", n == 1 && out[0].events == EPOLLOUT && out[0].data.u64 == 300);
  OK("epoll_ctl del", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL) == 0 && epoll_wait(ep, out, 8, 0) == 0);

  /* woken by another process */
  pid_t pid = fork();
  if (pid == 0) {
    msleep(50);
    write(p[1], "z", 1);
    _exit(0);
  }
  n = epoll_wait(ep, out, 8, 5000);
  OK("epoll_wait woken by a write", n == 1 && out[0].data.u64 == 100);
  waitpid(pid, NULL, 0);
  read(p[0], buf, sizeof buf);

  /* hang-up */
  int q[2];
  pipe(q);
  ev = (struct epoll_event){EPOLLIN, {.u64 = 7}};
  epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev);
  close(q[1]);
  n = epoll_wait(ep, out, 8, 0);
  OK("epoll HUP reported", n == 1 && out[0].events == EPOLLHUP && out[0].data.u64 == 7);
  /* closing the only fd removes the item */
  close(q[0]);
  OK("epoll close removes", epoll_wait(ep, out, 8, 0) == 0);
  /* a dup keeps the file, and so the item */
  pipe(q);
  epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev);
  int d = dup(q[0]);
  close(q[0]);
  write(q[1], "x", 1);
  n = epoll_wait(ep, out, 8, 0);
  OK("epoll item lives while a dup is open", n == 1 && out[0].data.u64 == 7);
  ERR("epoll_ctl del after close", epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL), EBADF);
  close(d);
  OK("epoll last close removes", epoll_wait(ep, out, 8, 0) == 0);
  close(q[1]);

  /* edge-triggered */
  int et = epoll_create1(0);
  ev = (struct epoll_event){EPOLLIN | EPOLLET, {.u64 = 1}};
  epoll_ctl(et, EPOLL_CTL_ADD, p[0], &ev);
  OK("ET nothing", epoll_wait(et, out, 8, 0) == 0);
  write(p[1], "1234", 4);
  OK("ET first edge", epoll_wait(et, out, 8, 0) == 1);
  OK("ET no second report", epoll_wait(et, out, 8, 0) == 0);
  read(p[0], buf, 2);
  OK("ET partial read: no report", epoll_wait(et, out, 8, 0) == 0);
  write(p[1], "5", 1);
  OK("ET new data: new edge", epoll_wait(et, out, 8, 0) == 1);
  read(p[0], buf, sizeof buf);
  write(p[1], "6", 1);
  OK("ET read all then write: edge", epoll_wait(et, out, 8, 0) == 1);
  read(p[0], buf, sizeof buf);
  close(et);

  /* one-shot */
  int os = epoll_create1(0);
  ev = (struct epoll_event){EPOLLIN | EPOLLONESHOT, {.u64 = 5}};
  epoll_ctl(os, EPOLL_CTL_ADD, efd, &ev);
  write(efd, &v, 8);
  OK("ONESHOT first", epoll_wait(os, out, 8, 0) == 1);
  OK("ONESHOT disabled", epoll_wait(os, out, 8, 0) == 0);
  OK("ONESHOT rearm", epoll_ctl(os, EPOLL_CTL_MOD, efd, &ev) == 0 && epoll_wait(os, out, 8, 0) == 1);
  read(efd, &v, 8);

  /* nested: an epoll fd in an epoll set, and in poll(2) */
  int outer = epoll_create1(0);
  ev = (struct epoll_event){EPOLLIN, {.u64 = 9}};
  OK("nested add", epoll_ctl(outer, EPOLL_CTL_ADD, ep, &ev) == 0);
  ERR("nested cycle", epoll_ctl(ep, EPOLL_CTL_ADD, outer, &ev), ELOOP);
  OK("nested not ready", epoll_wait(outer, out, 8, 0) == 0 && pollone(ep, POLLIN, 0) == 0);
  write(p[1], "n", 1);
  OK("nested ready", epoll_wait(outer, out, 8, 0) == 1 && out[0].data.u64 == 9);
  OK("poll on epoll fd", pollone(ep, POLLIN, 0) == POLLIN);
  read(p[0], buf, sizeof buf);
  pid = fork();
  if (pid == 0) {
    msleep(50);
    write(p[1], "w", 1);
    _exit(0);
  }
  OK("nested wait woken", epoll_wait(outer, out, 8, 5000) == 1);
  waitpid(pid, NULL, 0);
  read(p[0], buf, sizeof buf);
  ev = (struct epoll_event){EPOLLIN | EPOLLEXCLUSIVE, {.u64 = 9}};
  ERR("EXCLUSIVE on MOD", epoll_ctl(outer, EPOLL_CTL_MOD, ep, &ev), EINVAL);
  ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
  ERR("EXCLUSIVE with ONESHOT", epoll_ctl(os, EPOLL_CTL_ADD, p[0], &ev), EINVAL);
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  OK("EXCLUSIVE add", epoll_ctl(os, EPOLL_CTL_ADD, p[0], &ev) == 0);

  /* epoll_pwait with a signal mask, epoll_pwait2 with a timespec */
  sigset_t none;
  sigemptyset(&none);
  OK("epoll_pwait", epoll_pwait(ep, out, 8, 0, &none) == 0);
  struct timespec ts = {0, 20000000};
  s = mono();
  OK("epoll_pwait2 timeout", epoll_pwait2(ep, out, 8, &ts, NULL) == 0 && mono() - s >= 0.015);
  ts.tv_nsec = -1;
  ERR("epoll_pwait2 bad timespec", epoll_pwait2(ep, out, 8, &ts, NULL), EINVAL);
  close(outer);
  close(os);
  close(ep);
  close(efd);
  close(p[0]);
  close(p[1]);
}

/* epoll over a timerfd and a signalfd, each woken while epoll_wait sleeps */
static void test_epoll_more(void) {
  struct epoll_event ev, out[4];
  struct itimerspec its = {{0, 0}, {0, 50000000}};
  int ep = epoll_create1(0), tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  sigset_t mask;
  ev = (struct epoll_event){EPOLLIN, {.u64 = 1}};
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  timerfd_settime(tfd, 0, &its, NULL);
  double s = mono();
  OK("epoll timerfd", epoll_wait(ep, out, 4, 5000) == 1 && out[0].data.u64 == 1 && mono() - s >= 0.045);
  uint64_t ticks;
  read(tfd, &ticks, 8);
  sigemptyset(&mask);
  sigaddset(&mask, SIGUSR1);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_NONBLOCK);
  ev = (struct epoll_event){EPOLLIN, {.u64 = 2}};
  epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
  OK("epoll signalfd idle", epoll_wait(ep, out, 4, 0) == 0);
  pid_t parent = getpid(), pid = fork();
  if (pid == 0) {
    msleep(50);
    kill(parent, SIGUSR1);
    _exit(0);
  }
  OK("epoll signalfd woken", epoll_wait(ep, out, 4, 5000) == 1 && out[0].data.u64 == 2);
  waitpid(pid, NULL, 0);
  struct signalfd_siginfo si;
  OK("epoll signalfd read", read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR1);
  sigprocmask(SIG_UNBLOCK, &mask, NULL);
  close(sfd);
  close(tfd);
  close(ep);
}

static void test_memfd(void) {
  int fd = memfd_create("umk test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  struct stat st;
  char link[64], path[64], buf[16] = "";
  OK("memfd_create", fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
  OK("memfd fstat", fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0777 && st.st_nlink == 0);
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(path, link, sizeof link - 1);
  link[n < 0 ? 0 : n] = 0;
  printf("memfd link: %s\n", link);
  OK("memfd ftruncate", ftruncate(fd, 4096) == 0);
  char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  OK("memfd mmap shared", m != MAP_FAILED);
  pid_t pid = fork();
  if (pid == 0) {
    memcpy(m, "from child", 11);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  OK("memfd child write seen in map", !strcmp(m, "from child"));
  OK("memfd child write seen by pread", pread(fd, buf, 11, 0) == 11 && !strcmp(buf, "from child"));
  munmap(m, 4096);
  OK("memfd no seals", fcntl(fd, F_GET_SEALS) == 0);
  OK("memfd add seals", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0);
  OK("memfd get seals", fcntl(fd, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_GROW));
  ERR("memfd sealed shrink", ftruncate(fd, 100), EPERM);
  ERR("memfd sealed grow", pwrite(fd, "x", 1, 4096), EPERM);
  OK("memfd write inside", pwrite(fd, "y", 1, 0) == 1);
  fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL);
  ERR("memfd after F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
  close(fd);
  /* /proc/self/fd/N of a memfd is a new open: its own access mode and
   * offset; adding seals needs write access on the file used */
  char pfd[64];
  fd = memfd_create("reopen", MFD_ALLOW_SEALING);
  write(fd, "abc", 3);
  snprintf(pfd, sizeof pfd, "/proc/self/fd/%d", fd);
  int rfd = open(pfd, O_RDONLY);
  OK("memfd reopen read-only", rfd >= 0 && (fcntl(rfd, F_GETFL) & O_ACCMODE) == O_RDONLY);
  OK("memfd reopen own offset", read(rfd, buf, 3) == 3 && lseek(fd, 0, SEEK_CUR) == 3 &&
     lseek(rfd, 0, SEEK_CUR) == 3 && lseek(rfd, 1, SEEK_SET) == 1 && lseek(fd, 0, SEEK_CUR) == 3);
  ERR("memfd seal through read-only reopen", fcntl(rfd, F_ADD_SEALS, F_SEAL_SEAL), EPERM);
  ERR("memfd write through read-only reopen", write(rfd, "x", 1), EBADF);
  OK("memfd seal through original", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0);
  OK("memfd seals shared by reopen", fcntl(rfd, F_GET_SEALS) == F_SEAL_SHRINK);
  snprintf(pfd, sizeof pfd, "/proc/self/fd/%d", rfd);
  int wfd = open(pfd, O_RDWR);
  OK("memfd reopen read-write", wfd >= 0 && fcntl(wfd, F_ADD_SEALS, F_SEAL_GROW) == 0 &&
     fcntl(fd, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_GROW));
  ERR("memfd reopen O_TRUNC sealed", open(pfd, O_RDWR | O_TRUNC), EPERM);
  close(wfd);
  close(rfd);
  close(fd);
  fd = memfd_create("plain", 0);
  OK("memfd without sealing", fcntl(fd, F_GET_SEALS) == F_SEAL_SEAL);
  ERR("memfd add seal refused", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
  close(fd);
  ERR("memfd bad flags", memfd_create("x", 0x100), EINVAL);
  char longname[300];
  memset(longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = 0;
  ERR("memfd long name", memfd_create(longname, 0), EINVAL);
  put("sealfile", "abc");
  fd = open("sealfile", O_RDWR);
  ERR("F_GET_SEALS on a pipe", ({ int p[2]; pipe(p); long r = fcntl(p[0], F_GET_SEALS); int e = errno; close(p[0]); close(p[1]); errno = e; r; }), EINVAL);
  close(fd);
  unlink("sealfile");

  fd = memfd_create("falloc", 0);
  OK("fallocate", fallocate(fd, 0, 0, 8192) == 0 && fstat(fd, &st) == 0 && st.st_size == 8192);
  OK("fallocate keep size", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 65536) == 0 && fstat(fd, &st) == 0 && st.st_size == 8192);
  pwrite(fd, "zzzz", 4, 4096);
  OK("fallocate punch hole", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 4096) == 0 &&
                             pread(fd, buf, 4, 4096) == 4 && !memcmp(buf, "\0\0\0\0", 4));
  ERR("fallocate bad len", fallocate(fd, 0, 0, 0), EINVAL);
  close(fd);
  int p[2];
  pipe(p);
  ERR("fallocate pipe", fallocate(p[1], 0, 0, 10), ESPIPE);
  close(p[0]);
  close(p[1]);
}

static void test_flock(void) {
  put("lockfile", "0123456789");
  int fd = open("lockfile", O_RDWR), c2[2], c3[2];
  char ch;
  OK("flock LOCK_EX", flock(fd, LOCK_EX) == 0);
  int d = dup(fd);
  OK("flock same description", flock(d, LOCK_EX | LOCK_NB) == 0);
  close(d);
  pipe(c2);
  pipe(c3);
  pid_t pid = fork();
  if (pid == 0) {
    int f2 = open("lockfile", O_RDWR);
    printf("child: LOCK_EX|LOCK_NB: %s\n", flock(f2, LOCK_EX | LOCK_NB) ? en(errno) : "ok");
    printf("child: LOCK_SH|LOCK_NB: %s\n", flock(f2, LOCK_SH | LOCK_NB) ? en(errno) : "ok");
    write(c2[1], "r", 1);
    double s = mono();
    int r = flock(f2, LOCK_SH);
    printf("child: blocking LOCK_SH: %s after unlock: %s\n", r ? en(errno) : "ok", mono() - s >= 0.045 ? "yes" : "no");
    write(c3[1], "l", 1);
    msleep(100);
    _exit(0);
  }
  read(c2[0], &ch, 1);
  msleep(50);
  flock(fd, LOCK_UN);
  read(c3[0], &ch, 1);
  ERR("flock EX while child holds SH", flock(fd, LOCK_EX | LOCK_NB), EWOULDBLOCK);
  OK("flock SH shared with child", flock(fd, LOCK_SH | LOCK_NB) == 0);
  waitpid(pid, NULL, 0);
  OK("flock EX after child exit", flock(fd, LOCK_EX | LOCK_NB) == 0);
  ERR("flock bad op", flock(fd, 0), EINVAL);
  close(fd);
  fd = open("lockfile", O_RDWR);
  OK("flock released on last close", flock(fd, LOCK_EX | LOCK_NB) == 0);
  close(fd);
  close(c2[0]); close(c2[1]); close(c3[0]); close(c3[1]);
}

static void test_fcntl_locks(void) {
  int fd = open("lockfile", O_RDWR), c2[2], c3[2];
  char ch;
  struct flock fl;
  pipe(c2);
  pipe(c3);
  pid_t pid = fork();
  if (pid == 0) {
    int f2 = open("lockfile", O_RDWR);
    struct flock w = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100};
    printf("child: F_SETLK 0-99: %s\n", fcntl(f2, F_SETLK, &w) ? en(errno) : "ok");
    write(c2[1], "l", 1);
    read(c3[0], &ch, 1);
    close(f2);          /* any close drops the process's locks */
    msleep(200);
    _exit(0);
  }
  read(c2[0], &ch, 1);
  fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 50, .l_len = 10};
  ERR("F_SETLK conflict", fcntl(fd, F_SETLK, &fl), EAGAIN);
  fl = (struct flock){.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 1};
  OK("F_GETLK", fcntl(fd, F_GETLK, &fl) == 0);
  printf("F_GETLK: type %s start %ld len %ld\n", fl.l_type == F_WRLCK ? "F_WRLCK" : "?", (long)fl.l_start, (long)fl.l_len);
  printf("pid matches child: %s\n", fl.l_pid == pid ? "yes" : "no");
  fl = (struct flock){.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 100, .l_len = 100};
  OK("F_SETLK beyond the child's range", fcntl(fd, F_SETLK, &fl) == 0);
  fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  OK("F_OFD_GETLK sees the child", fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_WRLCK && fl.l_pid == pid);
  write(c3[1], "u", 1);
  double s = mono();
  fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  OK("F_SETLKW after the child's close", fcntl(fd, F_SETLKW, &fl) == 0 && mono() - s < 0.15);
  fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  OK("F_GETLK own lock: unlocked", fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK);
  waitpid(pid, NULL, 0);

  /* OFD locks: owned by the open file description */
  int o1 = open("lockfile", O_RDWR), o2 = open("lockfile", O_RDWR);
  fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
  ERR("F_OFD_SETLK vs own POSIX lock", fcntl(o1, F_OFD_SETLK, &fl), EAGAIN);
  fl.l_type = F_UNLCK;
  fl.l_len = 0;
  fcntl(fd, F_SETLK, &fl);
  fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
  OK("F_OFD_SETLK", fcntl(o1, F_OFD_SETLK, &fl) == 0);
  ERR("F_OFD_SETLK other description", fcntl(o2, F_OFD_SETLK, &fl), EAGAIN);
  fl = (struct flock){.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1};
  OK("F_OFD_GETLK", fcntl(o2, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_WRLCK && fl.l_pid == -1);
  fl = (struct flock){.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1, .l_pid = 1};
  ERR("F_OFD_SETLK l_pid not 0", fcntl(o2, F_OFD_SETLK, &fl), EINVAL);
  close(o1);
  fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
  OK("OFD lock released on close", fcntl(o2, F_OFD_SETLK, &fl) == 0);
  close(o2);
  int ro = open("lockfile", O_RDONLY);
  fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
  ERR("F_WRLCK on a read-only fd", fcntl(ro, F_SETLK, &fl), EBADF);
  fl.l_type = 7;
  ERR("F_SETLK bad type", fcntl(ro, F_SETLK, &fl), EINVAL);
  close(ro);
  close(fd);
  unlink("lockfile");
  close(c2[0]); close(c2[1]); close(c3[0]); close(c3[1]);
}

static void test_copy_splice(void) {
  put("cfr_in", "0123456789");
  int in = open("cfr_in", O_RDONLY), out = open("cfr_out", O_CREAT | O_TRUNC | O_RDWR, 0644);
  loff_t oi = 2, oo = 0;
  OK("copy_file_range offsets", copy_file_range(in, &oi, out, &oo, 5, 0) == 5 && oi == 7 && oo == 5 && lseek(in, 0, SEEK_CUR) == 0);
  OK("copy_file_range content", !strcmp(get("cfr_out"), "23456"));
  OK("copy_file_range file offsets", copy_file_range(in, NULL, out, NULL, 100, 0) == 10 && lseek(in, 0, SEEK_CUR) == 10 && lseek(out, 0, SEEK_CUR) == 10);
  OK("copy_file_range content 2", !strcmp(get("cfr_out"), "0123456789"));
  OK("copy_file_range at EOF", copy_file_range(in, NULL, out, NULL, 100, 0) == 0);
  ERR("copy_file_range flags", copy_file_range(in, NULL, out, NULL, 1, 1), EINVAL);
  ERR("copy_file_range to read-only", copy_file_range(out, NULL, in, NULL, 1, 0), EBADF);
  int p[2];
  pipe(p);
  ERR("copy_file_range pipe", copy_file_range(p[0], NULL, out, NULL, 1, 0), EINVAL);

  /* splice: file -> pipe -> file */
  loff_t off = 3;
  OK("splice file to pipe", splice(in, &off, p[1], NULL, 4, 0) == 4 && off == 7);
  int o2 = open("splice_out", O_CREAT | O_TRUNC | O_RDWR, 0644);
  OK("splice pipe to file", splice(p[0], NULL, o2, NULL, 100, 0) == 4);
  OK("splice content", !strcmp(get("splice_out"), "3456"));
  ERR("splice offset on a pipe", splice(p[0], &off, o2, NULL, 1, 0), ESPIPE);
  ERR("splice no pipe", splice(in, NULL, o2, NULL, 1, 0), EINVAL);
  ERR("splice empty nonblock", splice(p[0], NULL, o2, NULL, 1, SPLICE_F_NONBLOCK), EAGAIN);
  /* tee: duplicate pipe data */
  int q[2];
  char buf[16] = "";
  pipe(q);
  write(p[1], "teedata", 7);
  OK("tee", tee(p[0], q[1], 100, 0) == 7);
  OK("tee left the source", read(p[0], buf, sizeof buf) == 7 && !memcmp(buf, "teedata", 7));
  memset(buf, 0, sizeof buf);
  OK("tee copy", read(q[0], buf, sizeof buf) == 7 && !memcmp(buf, "teedata", 7));
  ERR("tee not pipes", tee(in, q[1], 1, 0), EINVAL);
  /* pipe -> pipe */
  write(p[1], "pp", 2);
  OK("splice pipe to pipe", splice(p[0], NULL, q[1], NULL, 10, 0) == 2 && read(q[0], buf, 16) == 2);
  close(q[0]); close(q[1]); close(p[0]); close(p[1]);
  close(in); close(out); close(o2);
  unlink("cfr_in"); unlink("cfr_out"); unlink("splice_out");
}

static void test_names(void) {
  struct stat st;
  char path[64];
  int fd = open(".", O_TMPFILE | O_RDWR, 0600);
  OK("O_TMPFILE", fd >= 0);
  OK("O_TMPFILE write", write(fd, "tmp", 3) == 3);
  OK("O_TMPFILE unnamed", fstat(fd, &st) == 0 && st.st_nlink == 0 && S_ISREG(st.st_mode));
  if (geteuid() == 0) {
    OK("linkat AT_EMPTY_PATH", linkat(fd, "", AT_FDCWD, "tmpnamed", AT_EMPTY_PATH) == 0);
  } else {
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    OK("linkat AT_EMPTY_PATH", linkat(AT_FDCWD, path, AT_FDCWD, "tmpnamed", AT_SYMLINK_FOLLOW) == 0);
  }
  OK("linked tmpfile", stat("tmpnamed", &st) == 0 && st.st_size == 3 && st.st_nlink == 1 && !strcmp(get("tmpnamed"), "tmp"));
  OK("fstat after link", fstat(fd, &st) == 0 && st.st_nlink == 1);
  close(fd);
  unlink("tmpnamed");
  fd = open(".", O_TMPFILE | O_RDWR | O_EXCL, 0600);
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  ERR("O_TMPFILE|O_EXCL not linkable", linkat(AT_FDCWD, path, AT_FDCWD, "tmpnamed2", AT_SYMLINK_FOLLOW), ENOENT);
  close(fd);
  ERR("O_TMPFILE read-only", open(".", O_TMPFILE | O_RDONLY, 0600), EINVAL);
  ERR("O_TMPFILE missing dir", open("nodir", O_TMPFILE | O_RDWR, 0600), ENOENT);

  put("xa", "A");
  put("xb", "B");
  OK("RENAME_EXCHANGE", renameat2(AT_FDCWD, "xa", AT_FDCWD, "xb", RENAME_EXCHANGE) == 0);
  OK("exchanged", !strcmp(get("xa"), "B") && !strcmp(get("xb"), "A"));
  ERR("RENAME_EXCHANGE missing", renameat2(AT_FDCWD, "xa", AT_FDCWD, "xc", RENAME_EXCHANGE), ENOENT);
  ERR("RENAME_EXCHANGE|NOREPLACE", renameat2(AT_FDCWD, "xa", AT_FDCWD, "xb", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
  mkdir("xd", 0755);
  put("xd/in", "I");
  OK("RENAME_EXCHANGE file and dir", renameat2(AT_FDCWD, "xa", AT_FDCWD, "xd", RENAME_EXCHANGE) == 0);
  OK("exchanged types", stat("xa", &st) == 0 && S_ISDIR(st.st_mode) && !strcmp(get("xa/in"), "I") && !strcmp(get("xd"), "B"));
  unlink("xa/in"); rmdir("xa"); unlink("xb"); unlink("xd");

  OK("mknod S_IFSOCK", mknod("xsock", S_IFSOCK | 0644, 0) == 0);
  OK("socket node", lstat("xsock", &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == (0644 & ~umask(022)));
  ERR("open a socket node", open("xsock", O_RDONLY), ENXIO);
  unlink("xsock");
}

/* Thousands of fds in one epoll set (Python's test_selectors registers
 * 64k): level-triggered items all get reported across small
 * epoll_waits (Linux's ready list rotates), closed fds leave the set,
 * and new fds take the lowest free numbers. */
static void test_epoll_many(void) {
  enum { NP = 2000, MAXEV = 300 };
  static int rd[NP], wr[NP];
  static unsigned char seen[NP];
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  struct rlimit big = {4 * NP + 64, rl.rlim_max > 4 * NP + 64 ? rl.rlim_max : 4 * NP + 64};
  OK("raise RLIMIT_NOFILE", setrlimit(RLIMIT_NOFILE, &big) == 0);
  int ep = epoll_create1(0), ok = 1;
  for (int i = 0; i < NP && ok; i++) {
    int p[2];
    if (pipe(p)) { ok = 0; break; }
    rd[i] = p[0];
    wr[i] = p[1];
    struct epoll_event e = {EPOLLIN, {.u32 = i}};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e)) ok = 0;
  }
  OK("2000 pipes in one epoll set", ok);
  struct epoll_event dup = {EPOLLIN, {0}};
  ERR("adding one again", epoll_ctl(ep, EPOLL_CTL_ADD, rd[NP / 2], &dup), EEXIST);
  for (int i = 0; i < NP; i += 2) write(wr[i], "x", 1);     /* every other one ready */
  static struct epoll_event evs[MAXEV];
  int distinct = 0, calls = 0, bad = 0;
  while (distinct < NP / 2 && calls < 20) {
    int n = epoll_wait(ep, evs, MAXEV, 0);
    calls++;
    if (n != MAXEV) bad = 1;
    for (int k = 0; k < n; k++) {
      unsigned i = evs[k].data.u32;
      if (i >= NP || (i & 1)) bad = 1;
      else if (!seen[i]++) distinct++;
    }
  }
  OK("each call returns maxevents", !bad);
  printf("every ready fd reported in %d calls of %d\n", calls, MAXEV);
  for (int i = 0; i < NP; i += 2) close(wr[i]), close(rd[i]);   /* closing removes them */
  int n = epoll_wait(ep, evs, MAXEV, 0);
  OK("closed fds left the set", n == 0);
  write(wr[1], "y", 1);
  n = epoll_wait(ep, evs, MAXEV, 0);
  OK("a remaining one still reported", n == 1 && evs[0].data.u32 == 1);
  int lo = dup2(0, 0) >= 0 ? open("/dev/null", O_RDONLY) : -1;
  OK("lowest free fd after closes", lo == rd[0]);
  int lo2 = open("/dev/null", O_RDONLY);
  OK("the next lowest", lo2 == wr[0]);
  int hi = fcntl(lo, F_DUPFD, rd[NP - 1]);
  OK("F_DUPFD finds a free fd above its minimum", hi > rd[NP - 1]);
  close(hi);
  close(lo);
  close(lo2);
  for (int i = 1; i < NP; i += 2) close(wr[i]), close(rd[i]);
  close(ep);
  setrlimit(RLIMIT_NOFILE, &rl);
}

/* Whether process pid sleeps (state S in /proc/PID/stat), for up to 5 s. */
static int wait_sleeping(pid_t pid) {
  char path[64], buf[256];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  for (int i = 0; i < 500; i++) {
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
      close(fd);
    if (n > 0) {
      buf[n] = 0;
      char *p = strrchr(buf, ')');
      if (p && p[2] == 'S')
        return 1;
    }
    usleep(10000);
  }
  return 0;
}

/* EPOLLEXCLUSIVE (epoll_wait16): four processes, each with its own epoll
 * instance holding the same pipe EXCLUSIVE|ET; each byte written wakes
 * exactly one of them. */
static void test_epoll_exclusive(void) {
  enum { N = 4 };
  int data[2], rep[2];
  OK("exclusive: pipes", pipe(data) == 0 && pipe(rep) == 0);
  pid_t kids[N];
  for (int i = 0; i < N; i++) {
    kids[i] = fork();
    if (kids[i] == 0) {
      int ep = epoll_create1(0);
      struct epoll_event ev = { .events = EPOLLIN | EPOLLET | EPOLLEXCLUSIVE };
      if (epoll_ctl(ep, EPOLL_CTL_ADD, data[0], &ev))
        _exit(1);
      int r = epoll_wait(ep, &ev, 1, 10000);
      char c = r == 1 ? 'w' : 't';
      if (write(rep[1], &c, 1) != 1)
        _exit(1);
      _exit(0);
    }
  }
  int sleeping = 0;
  for (int i = 0; i < N; i++)
    sleeping += wait_sleeping(kids[i]);
  printf("exclusive: %d waiters asleep\n", sleeping);
  for (int round = 0; round < N; round++) {
    char c;
    if (write(data[1], "x", 1) != 1)
      break;
    int first = read(rep[0], &c, 1) == 1 && c == 'w';
    usleep(200000);   /* a second waker would have reported by now */
    struct pollfd p = { rep[0], POLLIN, 0 };
    int more = poll(&p, 1, 0);
    printf("exclusive: event %d woke one %d, another %d\n", round + 1, first, more);
    if (read(data[0], &c, 1) != 1)
      break;
  }
  for (int i = 0; i < N; i++)
    waitpid(kids[i], NULL, 0);
  close(data[0]);
  close(data[1]);
  close(rep[0]);
  close(rep[1]);
}

int main(void) {
  umask(022);
  test_epoll_exclusive();
  test_epoll_many();
  test_eventfd();
  test_timerfd();
  test_signalfd();
  test_epoll();
  test_epoll_more();
  test_memfd();
  test_flock();
  test_fcntl_locks();
  test_copy_splice();
  test_names();
  return t_done();
}
