/* ucounts.c - per-user limits on kernel objects (Linux's ucounts): a
 * fresh user makes inotify instances and fanotify groups up to
 * max_user_instances / max_user_groups (read from /proc/sys, so the
 * figure is the machine's own), the next gets EMFILE, closing one gives
 * its charge back; the charge follows the user, not the process, so a
 * second process of the same user is refused too (fanotify as an
 * unprivileged user: FID mode).  Queued rt signals
 * count for the receiving user across processes (RLIMIT_SIGPENDING). */
#include "t.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static long read_long(const char *path)
{
  char buf[32] = "";
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/* opens instances until refused; returns how many, fds in fds[] */
static int fill(int (*make)(void), int *fds, int max, int *err)
{
  int n = 0;
  while (n < max) {
    int fd = make();
    if (fd < 0) {
      *err = errno;
      break;
    }
    fds[n++] = fd;
  }
  return n;
}

static int make_inotify(void) { return inotify_init1(IN_CLOEXEC); }
static int make_fanotify(void) { return fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID, O_RDONLY); }

static void limit_case(const char *what, const char *sysctl, int (*make)(void))
{
  long max = read_long(sysctl);
  static int fds[4096];
  int err = 0;
  struct rlimit rl = {8192, 8192};
  setrlimit(RLIMIT_NOFILE, &rl);
  if (max <= 0 || max > 4000) {
    printf("%s: limit %ld out of the test's range\n", what, max);
    return;
  }
  int n = fill(make, fds, 4096, &err);
  printf("%s: made %d of max %ld, then %s\n", what, n, max, en(err));
  OK("made exactly the limit", n == max);
  /* a second process of the same user shares the count */
  pid_t p = fork();
  if (p == 0) {
    int fd = make();
    _exit(fd < 0 && errno == EMFILE ? 0 : 1);
  }
  int st;
  waitpid(p, &st, 0);
  OK("other process of the user refused", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  close(fds[--n]);
  int fd = make();
  OK("closing one gives its charge back", fd >= 0);
  if (fd >= 0)
    close(fd);
  while (n > 0)
    close(fds[--n]);
  fd = make();
  OK("all given back", fd >= 0);
  if (fd >= 0)
    close(fd);
}

static void sigpending_case(void)
{
  /* the user's queued signals count across its processes */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGRTMIN);
  sigprocmask(SIG_BLOCK, &set, NULL);
  struct rlimit rl = {4, 4};
  OK("setrlimit SIGPENDING 4", setrlimit(RLIMIT_SIGPENDING, &rl) == 0);
  int pfd[2], gfd[2];   /* ready: holder -> us; go: us -> holder */
  if (pipe(pfd) || pipe(gfd))
    return;
  pid_t a = fork();
  if (a == 0) {   /* holds 3 queued signals until told to go */
    union sigval v = {0};
    for (int i = 0; i < 3; i++)
      if (sigqueue(getpid(), SIGRTMIN, v))
        _exit(1);
    char c;
    if (write(pfd[1], "x", 1) != 1 || read(gfd[0], &c, 1) != 1)
      _exit(2);
    _exit(0);
  }
  char c;
  OK("holder queued 3", read(pfd[0], &c, 1) == 1);
  union sigval v = {0};
  OK("4th of the user's queued", sigqueue(getpid(), SIGRTMIN, v) == 0);
  ERR("5th refused", sigqueue(getpid(), SIGRTMIN, v), EAGAIN);
  OK("release holder", write(gfd[1], "x", 1) == 1);
  int st;
  waitpid(a, &st, 0);
  OK("holder exited", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  OK("its exit gave the 3 back", sigqueue(getpid(), SIGRTMIN, v) == 0);
}

int main(void)
{
  /* a user nobody else is: only this test's objects count */
  pid_t p = fork();
  if (p == 0) {
    if (setresgid(54321, 54321, 54321) || setresuid(54321, 54321, 54321)) {
      printf("setresuid: %s\n", en(errno));
      _exit(1);
    }
    limit_case("inotify", "/proc/sys/fs/inotify/max_user_instances", make_inotify);
    limit_case("fanotify", "/proc/sys/fs/fanotify/max_user_groups", make_fanotify);
    sigpending_case();
    _exit(t_failed ? 1 : 0);
  }
  int st;
  waitpid(p, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
