/* pidfd.c - process file descriptors: pidfd_open (flags, hostile pids,
 * threads, zombies, reaped processes), poll readiness at exit,
 * pidfd_send_signal (with and without siginfo, bad flags, to a zombie),
 * pidfd_getfd (a child's fd, bad fds), waitid(P_PIDFD) (blocking,
 * WNOHANG, PIDFD_NONBLOCK's EAGAIN, not a child), CLONE_PIDFD through
 * clone and clone3 (and the combinations Linux rejects), and PR_SET_PDEATHSIG,
 * PR_SET_CHILD_SUBREAPER with their PR_GET_ forms; an open /proc/PID
 * directory as pidfd_send_signal's pidfd; a poller woken by the exit;
 * PIDFD_GET_INFO (ids and credentials, the exit status once reaped,
 * ESRCH after reaping without PIDFD_INFO_EXIT, short and NULL args).  */
#include "t.h"
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int pidfd_open(pid_t pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }
static int pidfd_send_signal(int fd, int sig, siginfo_t *si, unsigned flags) {
  return syscall(SYS_pidfd_send_signal, fd, sig, si, flags);
}
static int pidfd_getfd(int fd, int target, unsigned flags) { return syscall(SYS_pidfd_getfd, fd, target, flags); }

/* a child that waits for a byte on p[0] then exits with code */
static pid_t child_waiting(int p[2], int code) {
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    char b;
    close(p[1]);
    read(p[0], &b, 1);
    _exit(code);
  }
  close(p[0]);
  return c;
}

static int readable(int fd, int ms) {
  struct pollfd pf = { fd, POLLIN, 0 };
  int r = poll(&pf, 1, ms);
  return r == 1 && (pf.revents & POLLIN);
}

static volatile int got_sig, got_code, got_val;
static void on_usr(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  got_sig = sig;
  got_code = si->si_code;
  got_val = si->si_value.sival_int;
}

static volatile pid_t idle_tid;
static void *idle_thread(void *arg) { (void)arg; idle_tid = (pid_t)syscall(SYS_gettid); pause(); return NULL; }

struct pinfo {
  uint64_t mask, cgroupid;
  uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
  int32_t exit_code;
  uint32_t coredump_mask, spare1;
};
#define GET_INFO _IOWR(0xFF, 11, struct pinfo)

static void get_info(void) {
  pid_t c = fork();
  if (c == 0) {
    pause();
    _exit(7);
  }
  int pfd = syscall(SYS_pidfd_open, c, 0);
  struct pinfo in;
  memset(&in, 0xff, sizeof in);
  in.mask = 0;
  OK("PIDFD_GET_INFO of a running child", ioctl(pfd, GET_INFO, &in) == 0);
  OK("its pid, tgid, ppid", in.pid == (uint32_t)c && in.tgid == (uint32_t)c && in.ppid == (uint32_t)getpid());
  OK("its credentials", in.ruid == getuid() && in.euid == geteuid() && in.fsgid == getegid());
  OK("PID and CREDS in the mask, no EXIT", (in.mask & 3) == 3 && !(in.mask & 8));
  ERR("PIDFD_GET_INFO with NULL", ioctl(pfd, GET_INFO, NULL), EINVAL);
  long r = ioctl(pfd, _IOWR(0xFF, 11, char[32]), &in);
  OK("PIDFD_GET_INFO with a 32-byte struct fails", r == -1 && (errno == EINVAL || errno == ENOTTY));
  ERR("PIDFD_GET_INFO bad pointer", ioctl(pfd, GET_INFO, (void *)8), EFAULT);
  kill(c, SIGKILL);
  siginfo_t si;
  waitid(P_PID, c, &si, WEXITED | WNOWAIT);
  in.mask = 8;
  OK("a zombie: no exit status yet", ioctl(pfd, GET_INFO, &in) == 0 && !(in.mask & 8));
  int st;
  waitpid(c, &st, 0);
  in.mask = 8;
  OK("reaped: PIDFD_INFO_EXIT gives the wait status",
     ioctl(pfd, GET_INFO, &in) == 0 && (in.mask & 8) && in.exit_code == st && WIFSIGNALED(in.exit_code));
  in.mask = 0;
  ERR("reaped, without PIDFD_INFO_EXIT", ioctl(pfd, GET_INFO, &in), ESRCH);
  ERR("another ioctl on a pidfd", ioctl(pfd, _IOWR(0xFF, 12, struct pinfo), &in), ENOTTY);
  close(pfd);
}

int main(void) {
  int p[2];
  /* ---- pidfd_open ---- */
  ERR("pidfd_open pid 0", pidfd_open(0, 0), EINVAL);
  ERR("pidfd_open pid -1", pidfd_open(-1, 0), EINVAL);
  ERR("pidfd_open bad flags", pidfd_open(getpid(), 1), EINVAL);
  ERR("pidfd_open no such pid", pidfd_open(4000000, 0), ESRCH);
  int self = pidfd_open(getpid(), 0);
  OK("pidfd_open self", self >= 0);
  OK("pidfd is close-on-exec", (fcntl(self, F_GETFD) & FD_CLOEXEC) != 0);
  OK("pidfd is O_RDWR", (fcntl(self, F_GETFL) & O_ACCMODE) == O_RDWR);
  OK("self pidfd not readable (alive)", !readable(self, 0));
  char lbuf[64] = "";
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", self);
  readlink(path, lbuf, sizeof lbuf - 1);
  OK("pidfd link is anon_inode:[pidfd]", !strcmp(lbuf, "anon_inode:[pidfd]"));
  char rb[8];
  ERR("read of a pidfd", read(self, rb, sizeof rb), EINVAL);
  close(self);
  int nb = pidfd_open(getpid(), PIDFD_NONBLOCK);
  OK("pidfd_open PIDFD_NONBLOCK", nb >= 0 && (fcntl(nb, F_GETFL) & O_NONBLOCK));
  close(nb);

  /* a thread is not a process */
  pthread_t th;
  pthread_create(&th, NULL, idle_thread, NULL);
  /* its tid, as the thread itself tells it and /proc/self/task lists it
   * (not by scanning the pids after ours: on a busy host others take them) */
  for (int i = 0; i < 2000 && !idle_tid; i++) usleep(1000);
  pid_t tid = idle_tid;
  snprintf(path, sizeof path, "/proc/self/task/%d", (int)tid);
  OK("found the thread", tid > 0 && tid != getpid() && !access(path, F_OK));
  ERR("pidfd_open of a thread", pidfd_open(tid, 0), ENOENT);
  int tfd = pidfd_open(tid, PIDFD_THREAD);
  OK("pidfd_open PIDFD_THREAD of a thread", tfd >= 0 && (fcntl(tfd, F_GETFL) & PIDFD_THREAD));
  OK("thread pidfd not readable while it runs", !readable(tfd, 0));
  close(tfd);

  /* ---- poll and waitid on a child ---- */
  pid_t c = child_waiting(p, 7);
  int pfd = pidfd_open(c, 0);
  OK("pidfd_open child", pfd >= 0);
  OK("child pidfd not readable while it runs", !readable(pfd, 50));
  siginfo_t si;
  memset(&si, 0, sizeof si);
  OK("waitid P_PIDFD WNOHANG while running", waitid(P_PIDFD, pfd, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0);
  write(p[1], "x", 1);
  close(p[1]);
  OK("child pidfd readable after exit", readable(pfd, 5000));
  OK("still readable (zombie)", readable(pfd, 0));
  int again = pidfd_open(c, 0);
  OK("pidfd_open of a zombie", again >= 0);
  close(again);
  memset(&si, 0, sizeof si);
  OK("waitid P_PIDFD reaps it", waitid(P_PIDFD, pfd, &si, WEXITED) == 0 && si.si_pid == c &&
     si.si_code == CLD_EXITED && si.si_status == 7);
  ERR("waitid P_PIDFD again", waitid(P_PIDFD, pfd, &si, WEXITED), ECHILD);
  ERR("pidfd_open after reaping", pidfd_open(c, 0), ESRCH);
  struct pollfd pf = { pfd, POLLIN, 0 };
  OK("reaped pidfd readable", poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN));
  ERR("pidfd_send_signal to a reaped process", pidfd_send_signal(pfd, SIGTERM, NULL, 0), ESRCH);
  close(pfd);
  ERR("waitid P_PIDFD bad fd", waitid(P_PIDFD, 999, &si, WEXITED), EBADF);
  int notpid = open("/", O_RDONLY);
  ERR("waitid P_PIDFD not a pidfd", waitid(P_PIDFD, notpid, &si, WEXITED), EBADF);
  ERR("waitid P_PIDFD negative", waitid(P_PIDFD, -1, &si, WEXITED), EINVAL);

  /* PIDFD_NONBLOCK: waitid without WNOHANG says EAGAIN */
  c = child_waiting(p, 3);
  pfd = pidfd_open(c, PIDFD_NONBLOCK);
  ERR("waitid on a nonblocking pidfd, child running", waitid(P_PIDFD, pfd, &si, WEXITED), EAGAIN);
  memset(&si, 0, sizeof si);
  OK("... with WNOHANG it says 0", waitid(P_PIDFD, pfd, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0);
  write(p[1], "x", 1);
  close(p[1]);
  readable(pfd, 5000);
  OK("waitid nonblocking pidfd after exit", waitid(P_PIDFD, pfd, &si, WEXITED) == 0 && si.si_status == 3);
  close(pfd);

  /* not our child */
  int parentfd = pidfd_open(getppid() > 0 ? getppid() : 1, 0);
  if (parentfd >= 0) {
    ERR("waitid P_PIDFD on a non-child", waitid(P_PIDFD, parentfd, &si, WEXITED | WNOHANG), ECHILD);
    close(parentfd);
  } else {
    printf("ok waitid P_PIDFD on a non-child: ECHILD\n");
  }

  /* ---- pidfd_send_signal ---- */
  struct sigaction sa = { .sa_sigaction = on_usr, .sa_flags = SA_SIGINFO };
  sigaction(SIGUSR1, &sa, NULL);
  self = pidfd_open(getpid(), 0);
  OK("pidfd_send_signal to self", pidfd_send_signal(self, SIGUSR1, NULL, 0) == 0);
  OK("it arrives as SI_USER", got_sig == SIGUSR1 && got_code == SI_USER);
  memset(&si, 0, sizeof si);
  si.si_signo = SIGUSR1;
  si.si_code = SI_QUEUE;
  si.si_value.sival_int = 42;
  got_sig = 0;
  OK("pidfd_send_signal with siginfo", pidfd_send_signal(self, SIGUSR1, &si, 0) == 0);
  OK("its value arrives", got_sig == SIGUSR1 && got_code == SI_QUEUE && got_val == 42);
  si.si_signo = SIGUSR2;
  ERR("siginfo signo mismatch", pidfd_send_signal(self, SIGUSR1, &si, 0), EINVAL);
  ERR("pidfd_send_signal bad flags", pidfd_send_signal(self, SIGUSR1, NULL, 0x100), EINVAL);
  ERR("pidfd_send_signal bad signal", pidfd_send_signal(self, 99, NULL, 0), EINVAL);
  OK("pidfd_send_signal signal 0", pidfd_send_signal(self, 0, NULL, 0) == 0);
  ERR("pidfd_send_signal not a pidfd", pidfd_send_signal(notpid, SIGUSR1, NULL, 0), EBADF);
  ERR("pidfd_send_signal closed fd", pidfd_send_signal(999, SIGUSR1, NULL, 0), EBADF);
  ERR("pidfd_send_signal bad siginfo pointer", pidfd_send_signal(self, SIGUSR1, (siginfo_t *)8, 0), EFAULT);
  close(self);
  c = child_waiting(p, 0);
  pfd = pidfd_open(c, 0);
  OK("pidfd_send_signal SIGKILL to a child", pidfd_send_signal(pfd, SIGKILL, NULL, 0) == 0);
  OK("the child dies of it", waitid(P_PIDFD, pfd, &si, WEXITED) == 0 && si.si_code == CLD_KILLED &&
     si.si_status == SIGKILL);
  close(pfd);
  close(p[1]);
  memset(&si, 0, sizeof si);
  si.si_code = SI_QUEUE;
  si.si_signo = SIGUSR1;
  c = child_waiting(p, 0);
  pfd = pidfd_open(c, 0);
  si.si_code = SI_USER;
  ERR("another process: kernel si_code refused", pidfd_send_signal(pfd, SIGUSR1, &si, 0), EPERM);
  kill(c, SIGKILL);
  waitpid(c, NULL, 0);
  close(p[1]);
  close(pfd);

  /* ---- pidfd_getfd ---- */
  int q[2];
  pipe(q);
  c = child_waiting(p, 0);
  pfd = pidfd_open(c, 0);
  int got = pidfd_getfd(pfd, q[1], 0);
  OK("pidfd_getfd the child's pipe end", got >= 0);
  OK("pidfd_getfd result is close-on-exec", (fcntl(got, F_GETFD) & FD_CLOEXEC) != 0);
  write(got, "z", 1);
  char zb = 0;
  read(q[0], &zb, 1);
  OK("it is the same pipe", zb == 'z');
  close(got);
  ERR("pidfd_getfd bad target fd", pidfd_getfd(pfd, 900, 0), EBADF);
  ERR("pidfd_getfd flags", pidfd_getfd(pfd, q[1], 1), EINVAL);
  ERR("pidfd_getfd not a pidfd", pidfd_getfd(notpid, 0, 0), EBADF);
  write(p[1], "x", 1);
  close(p[1]);
  waitpid(c, NULL, 0);
  ERR("pidfd_getfd of a reaped process", pidfd_getfd(pfd, 0, 0), ESRCH);
  close(pfd);

  /* ---- CLONE_PIDFD ---- */
  int cfd = -1;
  pid_t cc = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &cfd, 0, 0);
  if (cc == 0) _exit(5);
  OK("clone CLONE_PIDFD", cc > 0 && cfd >= 0);
  OK("clone's pidfd is close-on-exec", (fcntl(cfd, F_GETFD) & FD_CLOEXEC) != 0);
  OK("clone's pidfd readable at exit", readable(cfd, 5000));
  memset(&si, 0, sizeof si);
  OK("waitid on clone's pidfd", waitid(P_PIDFD, cfd, &si, WEXITED) == 0 && si.si_pid == cc && si.si_status == 5);
  close(cfd);
  ERR("clone CLONE_PIDFD|CLONE_PARENT_SETTID same pointer",
      syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &cfd, 0, 0), EINVAL);
  ERR("clone CLONE_PIDFD|CLONE_DETACHED",
      syscall(SYS_clone, CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, 0, &cfd, 0, 0), EINVAL);
  struct clone_args ca = { 0 };
  int pidfd3 = -1;
  ca.flags = CLONE_PIDFD;
  ca.pidfd = (uintptr_t)&pidfd3;
  ca.exit_signal = SIGCHLD;
  cc = syscall(SYS_clone3, &ca, sizeof ca);
  if (cc == 0) _exit(6);
  OK("clone3 CLONE_PIDFD", cc > 0 && pidfd3 >= 0);
  memset(&si, 0, sizeof si);
  OK("waitid on clone3's pidfd", waitid(P_PIDFD, pidfd3, &si, WEXITED) == 0 && si.si_status == 6);
  close(pidfd3);
  ca.pidfd = 8;
  ERR("clone3 CLONE_PIDFD bad pointer", syscall(SYS_clone3, &ca, sizeof ca), EFAULT);

  /* ---- PR_SET_PDEATHSIG ---- */
  int v = -1;
  OK("PR_GET_PDEATHSIG initially 0", prctl(PR_GET_PDEATHSIG, &v) == 0 && v == 0);
  ERR("PR_SET_PDEATHSIG bad signal", prctl(PR_SET_PDEATHSIG, 65), EINVAL);
  OK("PR_SET_PDEATHSIG", prctl(PR_SET_PDEATHSIG, SIGUSR2) == 0 && prctl(PR_GET_PDEATHSIG, &v) == 0 && v == SIGUSR2);
  ERR("PR_GET_PDEATHSIG bad pointer", prctl(PR_GET_PDEATHSIG, (int *)8), EFAULT);
  prctl(PR_SET_PDEATHSIG, 0);
  /* a grandchild with PDEATHSIG=SIGKILL dies when its parent (our
   * child) exits; it reports through a pipe that closes at its death */
  pipe(q);
  int r[2];
  pipe(r);
  c = fork();
  if (c == 0) {
    pid_t g = fork();
    if (g == 0) {
      close(q[0]);
      close(r[0]);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      int gv = 0;
      prctl(PR_GET_PDEATHSIG, &gv);
      write(r[1], gv == SIGKILL ? "y" : "n", 1);
      close(r[1]);
      for (;;) pause();
    }
    close(r[1]);
    char y;
    read(r[0], &y, 1);   /* the grandchild has set it */
    _exit(y == 'y' ? 0 : 1);
  }
  close(q[1]);
  close(r[0]);
  close(r[1]);
  int st;
  waitpid(c, &st, 0);
  OK("grandchild set its PDEATHSIG", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  char eb;
  OK("grandchild died with its parent", read(q[0], &eb, 1) == 0);
  close(q[0]);
  /* not inherited by fork */
  prctl(PR_SET_PDEATHSIG, SIGUSR2);
  c = fork();
  if (c == 0) {
    int cv = -1;
    prctl(PR_GET_PDEATHSIG, &cv);
    _exit(cv);
  }
  waitpid(c, &st, 0);
  OK("PDEATHSIG is not inherited", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  prctl(PR_SET_PDEATHSIG, 0);
  /* a change of the effective (or fs) ids clears it; the real id alone does not */
  c = fork();
  if (c == 0) {
    int a = -1, b = -1, d = -1;
    prctl(PR_SET_PDEATHSIG, SIGUSR2);
    setresuid(-1, 0, -1);          /* no change */
    prctl(PR_GET_PDEATHSIG, &a);
    setresuid(1000, -1, -1);       /* the real id only */
    prctl(PR_GET_PDEATHSIG, &b);
    prctl(PR_SET_PDEATHSIG, SIGUSR2);
    setresgid(-1, 1000, -1);       /* the effective gid */
    prctl(PR_GET_PDEATHSIG, &d);
    _exit(a == SIGUSR2 && b == SIGUSR2 && d == 0 ? 0 : 1);
  }
  waitpid(c, &st, 0);
  OK("PDEATHSIG cleared by a change of credentials", WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* ---- PR_SET_CHILD_SUBREAPER ---- */
  /* as pid 1 (under umk) the killed grandchild above became our child */
  while (waitpid(-1, NULL, WNOHANG) > 0)
    ;
  OK("PR_GET_CHILD_SUBREAPER initially 0", prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 && v == 0);
  OK("PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  OK("PR_GET_CHILD_SUBREAPER now 1", prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 && v == 1);
  /* an orphaned grandchild comes to us */
  pipe(q);
  c = fork();
  if (c == 0) {
    pid_t g = fork();
    if (g == 0) {
      char b;
      close(q[1]);
      read(q[0], &b, 1);
      _exit(9);
    }
    _exit(g & 0x7f);   /* tell the parent the grandchild's pid (low bits) */
  }
  close(q[0]);
  waitpid(c, &st, 0);
  write(q[1], "x", 1);
  close(q[1]);
  memset(&si, 0, sizeof si);
  int wr = waitid(P_ALL, 0, &si, WEXITED);
  OK("the orphaned grandchild is reaped by the subreaper", wr == 0 && si.si_status == 9 &&
     (si.si_pid & 0x7f) == WEXITSTATUS(st));
  c = fork();
  if (c == 0) {
    int cv = -1;
    prctl(PR_GET_CHILD_SUBREAPER, &cv);
    _exit(cv);
  }
  waitpid(c, &st, 0);
  OK("CHILD_SUBREAPER is not inherited", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  OK("PR_SET_CHILD_SUBREAPER 0", prctl(PR_SET_CHILD_SUBREAPER, 0) == 0 &&
     prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 && v == 0);
  close(notpid);

  /* ---- an open /proc/PID directory is a pidfd for pidfd_send_signal ---- */
  struct sigaction sa2;
  memset(&sa2, 0, sizeof sa2);
  sa2.sa_sigaction = on_usr;
  sa2.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR2, &sa2, NULL);
  got_sig = 0;
  int me = open("/proc/self", O_RDONLY | O_DIRECTORY);
  OK("pidfd_send_signal through /proc/self", pidfd_send_signal(me, SIGUSR2, NULL, 0) == 0 && got_sig == SIGUSR2);
  close(me);
  pipe(q);
  c = fork();
  if (c == 0) {
    char b;
    close(q[1]);
    read(q[0], &b, 1);
    _exit(0);
  }
  close(q[0]);
  snprintf(path, sizeof path, "/proc/%d", c);
  int cdir = open(path, O_RDONLY | O_DIRECTORY);
  OK("pidfd_send_signal through /proc/PID", pidfd_send_signal(cdir, SIGTERM, NULL, 0) == 0);
  waitpid(c, &st, 0);
  OK("the child got it", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
  ERR("through /proc/PID of a reaped process", pidfd_send_signal(cdir, SIGTERM, NULL, 0), ESRCH);
  close(cdir);
  close(q[1]);
  snprintf(path, sizeof path, "/proc/self/task/%d", getpid());
  int tdir = open(path, O_RDONLY | O_DIRECTORY);
  ERR("not through /proc/PID/task/TID", pidfd_send_signal(tdir, SIGUSR2, NULL, 0), EBADF);
  close(tdir);
  int pst = open("/proc/self/stat", O_RDONLY);
  ERR("not through a /proc file", pidfd_send_signal(pst, SIGUSR2, NULL, 0), EBADF);
  close(pst);

  /* ---- a poller sleeping on a pidfd wakes when the process exits ---- */
  pipe(q);
  c = fork();
  if (c == 0) {
    char b;
    close(q[1]);
    read(q[0], &b, 1);
    _exit(3);
  }
  close(q[0]);
  pfd = pidfd_open(c, 0);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (fork() == 0) {   /* lets the child go once we are asleep in poll */
    usleep(100000);
    write(q[1], "x", 1);
    _exit(0);
  }
  close(q[1]);
  int rd = readable(pfd, 20000);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  OK("pidfd poll woken by the exit, well before its 20 s timeout",
     rd && t1.tv_sec - t0.tv_sec < 10);
  waitpid(c, &st, 0);
  while (waitpid(-1, NULL, 0) > 0)
    ;
  close(pfd);
  get_info();
  return t_done();
}
