/* leases.c - fcntl(2) beyond the basics: leases (F_SETLEASE,
 * F_GETLEASE) and their breaks by open and truncate, signal-driven I/O
 * (O_ASYNC, FIOASYNC, F_SETOWN, F_SETOWN_EX, F_SETSIG and the siginfo
 * it brings), F_GETLK's choice among several conflicting locks, F_SETLKW
 * deadlock detection (EDEADLK), F_CREATED_QUERY, and F_SETPIPE_SZ past
 * pipe-max-size without CAP_SYS_RESOURCE.  Works in a scratch directory
 * under /tmp.                                                          */
#include "t.h"
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#ifndef F_CREATED_QUERY
#define F_CREATED_QUERY 1028
#endif

static const struct timespec five = {5, 0}, zero = {0, 0};

/* waits until process pid sleeps (its /proc stat state is S) */
static void wait_sleeping(pid_t pid) {
  char path[64], buf[256];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  for (int i = 0; i < 5000; i++) {
    FILE *f = fopen(path, "r");
    if (f) {
      size_t n = fread(buf, 1, sizeof buf - 1, f);
      fclose(f);
      buf[n] = 0;
      char *p = strrchr(buf, ')');
      if (p && p[1] == ' ' && p[2] == 'S') return;
    }
    usleep(1000);
  }
}

static int lk(int fd, int cmd, short type, off_t start, off_t len) {
  struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
  return fcntl(fd, cmd, &fl);
}

static void getlk_order(void) {
  int fd = open("locks", O_RDWR | O_CREAT, 0644);
  OK("locks file", fd >= 0 && write(fd, "0123456789abcdefghij", 20) == 20);
  OK("write lock 10..14", lk(fd, F_SETLK, F_WRLCK, 10, 5) == 0);
  OK("read lock 1..5", lk(fd, F_SETLK, F_RDLCK, 1, 5) == 0);
  int p[2];
  OK("pipe", pipe(p) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    fcntl(fd, F_GETLK, &fl);
    struct flock fl2 = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 6, .l_len = 0};
    fcntl(fd, F_GETLK, &fl2);
    struct flock fl3 = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 15, .l_len = 0};
    fcntl(fd, F_GETLK, &fl3);
    printf("F_GETLK from 0: type %s start %ld len %ld pid is parent %d\n", fl.l_type == F_RDLCK ? "F_RDLCK" : "other",
           (long)fl.l_start, (long)fl.l_len, fl.l_pid == getppid());
    printf("F_GETLK from 6: type %s start %ld len %ld\n", fl2.l_type == F_WRLCK ? "F_WRLCK" : "other",
           (long)fl2.l_start, (long)fl2.l_len);
    printf("F_GETLK from 15: %s\n", fl3.l_type == F_UNLCK ? "F_UNLCK" : "locked");
    _exit(0);
  }
  int st;
  waitpid(pid, &st, 0);
  OK("child done", WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* deadlock: we hold 0, the child holds 1 and waits for 0 */
  lk(fd, F_SETLK, F_UNLCK, 0, 0);
  OK("lock byte 0", lk(fd, F_SETLK, F_WRLCK, 0, 1) == 0);
  pid = fork();
  if (pid == 0) {
    close(p[0]);
    if (lk(fd, F_SETLK, F_WRLCK, 1, 1)) _exit(1);
    if (write(p[1], "r", 1) != 1) _exit(2);
    if (lk(fd, F_SETLKW, F_WRLCK, 0, 1)) _exit(3);   /* waits for us */
    _exit(0);
  }
  char c;
  OK("child holds byte 1", read(p[0], &c, 1) == 1);
  wait_sleeping(pid);
  ERR("F_SETLKW that would deadlock", lk(fd, F_SETLKW, F_WRLCK, 1, 1), EDEADLK);
  OK("unlock byte 0", lk(fd, F_SETLK, F_UNLCK, 0, 1) == 0);
  waitpid(pid, &st, 0);
  OK("the child got byte 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  close(p[0]);
  close(p[1]);
  close(fd);
}

static void leases(void) {
  sigset_t io;
  siginfo_t si;
  sigemptyset(&io);
  sigaddset(&io, SIGIO);
  sigaddset(&io, SIGRTMIN + 1);
  sigprocmask(SIG_BLOCK, &io, NULL);
  int fd = open("leased", O_RDONLY | O_CREAT, 0644);
  OK("open", fd >= 0);
  OK("no lease yet", fcntl(fd, F_GETLEASE) == F_UNLCK);
  ERR("unlock without a lease", fcntl(fd, F_SETLEASE, F_UNLCK), EAGAIN);
  ERR("bad lease type", fcntl(fd, F_SETLEASE, 99), EINVAL);
  OK("read lease", fcntl(fd, F_SETLEASE, F_RDLCK) == 0 && fcntl(fd, F_GETLEASE) == F_RDLCK);
  OK("upgrade to a write lease", fcntl(fd, F_SETLEASE, F_WRLCK) == 0 && fcntl(fd, F_GETLEASE) == F_WRLCK);
  OK("owner set to us", fcntl(fd, F_GETOWN) == getpid());
  /* our own second open breaks it: told by SIGIO, EWOULDBLOCK */
  ERR("open O_NONBLOCK breaks the write lease", open("leased", O_RDONLY | O_NONBLOCK), EWOULDBLOCK);
  int sig = sigtimedwait(&io, &si, &five);
  OK("SIGIO to the holder", sig == SIGIO && si.si_code == SI_KERNEL);
  OK("lease must become a read lease", fcntl(fd, F_GETLEASE) == F_RDLCK);
  OK("downgrade", fcntl(fd, F_SETLEASE, F_RDLCK) == 0);
  int fd2 = open("leased", O_RDONLY | O_NONBLOCK);
  OK("now a reader opens", fd2 >= 0);
  ERR("no write lease with two opens", fcntl(fd, F_SETLEASE, F_WRLCK), EAGAIN);
  OK("a read lease beside another open", fcntl(fd2, F_SETLEASE, F_RDLCK) == 0);
  close(fd2);
  OK("unlock", fcntl(fd, F_SETLEASE, F_UNLCK) == 0 && fcntl(fd, F_GETLEASE) == F_UNLCK);
  int rw = open("leased", O_RDWR);
  ERR("no read lease on a writable open", fcntl(rw, F_SETLEASE, F_RDLCK), EAGAIN);
  close(rw);
  int p[2];
  OK("pipe", pipe(p) == 0);
  ERR("no lease on a pipe", fcntl(p[0], F_SETLEASE, F_RDLCK), EINVAL);
  close(p[0]);
  close(p[1]);

  /* a child's writable open waits for the holder, who is told with
   * F_SETSIG's signal (POLL_MSG, si_fd), cannot downgrade under a
   * writer, and removes the lease */
  OK("F_SETSIG", fcntl(fd, F_SETSIG, SIGRTMIN + 1) == 0 && fcntl(fd, F_GETSIG) == SIGRTMIN + 1);
  OK("write lease again", fcntl(fd, F_SETLEASE, F_WRLCK) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    int w = open("leased", O_WRONLY);
    _exit(w >= 0 ? 0 : 1);
  }
  sig = sigtimedwait(&io, &si, &five);
  OK("F_SETSIG signal, POLL_MSG, si_fd", sig == SIGRTMIN + 1 && si.si_code == POLL_MSG && si.si_fd == fd);
  OK("lease must go", fcntl(fd, F_GETLEASE) == F_UNLCK);
  ERR("no downgrade under a writer", fcntl(fd, F_SETLEASE, F_RDLCK), EAGAIN);
  OK("remove it", fcntl(fd, F_SETLEASE, F_UNLCK) == 0);
  int st;
  OK("the writer's open went on", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* truncate(2) breaks a read lease too */
  fcntl(fd, F_SETSIG, 0);
  OK("read lease for truncate", fcntl(fd, F_SETLEASE, F_RDLCK) == 0);
  pid = fork();
  if (pid == 0) _exit(truncate("leased", 0) == 0 ? 0 : 1);
  sig = sigtimedwait(&io, &si, &five);
  OK("SIGIO for truncate", sig == SIGIO);
  OK("unlock for truncate", fcntl(fd, F_SETLEASE, F_UNLCK) == 0);
  OK("truncate went on", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  close(fd);
  /* closing the holder's file ends the lease: a later open does not wait */
  fd = open("leased", O_RDONLY);
  OK("lease", fcntl(fd, F_SETLEASE, F_WRLCK) == 0);
  close(fd);
  fd = open("leased", O_RDWR | O_NONBLOCK);
  OK("gone with its file", fd >= 0);
  close(fd);
  OK("no stray signal", sigtimedwait(&io, &si, &zero) == -1 && errno == EAGAIN);
  sigprocmask(SIG_UNBLOCK, &io, NULL);
}

static void async_io(void) {
  sigset_t set;
  siginfo_t si;
  sigemptyset(&set);
  sigaddset(&set, SIGIO);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  int p[2];
  char buf[8];
  OK("pipe", pipe(p) == 0);
  struct f_owner_ex ex = {99, 99};
  OK("F_GETOWN_EX default", fcntl(p[0], F_GETOWN_EX, &ex) == 0 && ex.type == F_OWNER_TID && ex.pid == 0);
  OK("F_GETOWN default", fcntl(p[0], F_GETOWN) == 0 && fcntl(p[0], F_GETSIG) == 0);
  ERR("F_SETOWN to nobody", fcntl(p[0], F_SETOWN, 0x3ffffff0), ESRCH);
  ERR("F_SETSIG 65", fcntl(p[0], F_SETSIG, 65), EINVAL);
  ERR("F_SETSIG -1", fcntl(p[0], F_SETSIG, -1), EINVAL);
  ex.type = 7;
  ERR("F_SETOWN_EX bad type", fcntl(p[0], F_SETOWN_EX, &ex), EINVAL);
  ERR("F_GETOWN_EX bad pointer", fcntl(p[0], F_GETOWN_EX, (void *)8), EFAULT);
  OK("F_SETOWN", fcntl(p[0], F_SETOWN, getpid()) == 0 && fcntl(p[0], F_GETOWN) == getpid());
  ex.type = 99;
  OK("F_GETOWN_EX after F_SETOWN", fcntl(p[0], F_GETOWN_EX, &ex) == 0 && ex.type == F_OWNER_PID && ex.pid == getpid());
  OK("O_ASYNC", fcntl(p[0], F_SETFL, O_ASYNC) == 0 && (fcntl(p[0], F_GETFL) & O_ASYNC));
  OK("write", write(p[1], "a", 1) == 1);
  OK("SIGIO", sigtimedwait(&set, &si, &five) == SIGIO && si.si_code == SI_KERNEL);
  OK("read", read(p[0], buf, sizeof buf) == 1);
  OK("F_SETSIG SIGUSR1", fcntl(p[0], F_SETSIG, SIGUSR1) == 0);
  OK("write again", write(p[1], "b", 1) == 1);
  OK("SIGUSR1 with POLL_IN", sigtimedwait(&set, &si, &five) == SIGUSR1 && si.si_code == POLL_IN &&
                                 si.si_fd == p[0] && si.si_band == (POLLIN | POLLRDNORM));
  OK("read again", read(p[0], buf, sizeof buf) == 1);
  /* a process group as owner: a child in a group of its own */
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int ok = fcntl(p[0], F_SETOWN, -getpgrp()) == 0 && fcntl(p[0], F_GETOWN) == -getpgrp() &&
             write(p[1], "c", 1) == 1 && sigtimedwait(&set, &si, &five) == SIGUSR1 &&
             read(p[0], buf, sizeof buf) == 1;
    _exit(ok ? 0 : 1);
  }
  int st;
  OK("F_SETOWN -pgrp signals the group", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  OK("F_SETOWN back", fcntl(p[0], F_SETOWN, getpid()) == 0);
  int off = 0;
  OK("FIOASYNC off", ioctl(p[0], FIOASYNC, &off) == 0 && !(fcntl(p[0], F_GETFL) & O_ASYNC));
  OK("write unsignalled", write(p[1], "d", 1) == 1);
  OK("no signal", sigtimedwait(&set, &si, &zero) == -1 && errno == EAGAIN);
  OK("read 4", read(p[0], buf, sizeof buf) == 1);
  close(p[0]);
  close(p[1]);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void misc(void) {
  int fd = open("/dev/null", O_RDONLY);
  OK("F_CREATED_QUERY of /dev/null", fcntl(fd, F_CREATED_QUERY, 0) == 0);
  close(fd);
  fd = open("created", O_CREAT | O_EXCL | O_RDONLY, 0600);
  OK("F_CREATED_QUERY of a new file", fcntl(fd, F_CREATED_QUERY, 0) == 1);
  close(fd);
  fd = open("created", O_CREAT | O_RDONLY, 0600);
  OK("F_CREATED_QUERY of an existing file", fcntl(fd, F_CREATED_QUERY, 0) == 0);
  close(fd);
  pid_t pid = fork();
  if (pid == 0) {
    /* without CAP_SYS_RESOURCE, pipe-max-size is the ceiling */
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d)) _exit(1);
    d[0].effective &= ~(1u << CAP_SYS_RESOURCE);
    if (syscall(SYS_capset, &h, d)) _exit(2);
    int p[2];
    if (pipe(p)) _exit(3);
    errno = 0;
    int r = fcntl(p[1], F_SETPIPE_SZ, 1 << 21);
    printf("F_SETPIPE_SZ past pipe-max-size: %d %s\n", r, en(errno));
    _exit(0);
  }
  int st;
  OK("pipe size child", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void) {
  char dir[] = "/tmp/umk-leases.XXXXXX";
  OK("mkdtemp", mkdtemp(dir) != NULL);
  OK("chdir", chdir(dir) == 0);
  getlk_order();
  leases();
  async_io();
  misc();
  unlink("locks");
  unlink("leased");
  unlink("created");
  chdir("/");
  rmdir(dir);
  return t_done();
}
