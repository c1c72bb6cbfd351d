/* fds.c - a guest that opens files until it fails, then goes on.  With
 * its RLIMIT_NOFILE raised to the hard limit, it opens a file of the
 * root, then creates files in /tmp, then makes epoll instances, each
 * until the call fails: with EMFILE (its own limit) or ENFILE (umk's
 * host-fd budget, as Linux's file-max).  After each, with everything
 * still open but the last 16, it checks that the kernel still works
 * (fork, exec, pipe), closes all, and that it can open again.  Prints "ok NAME" lines and
 * "all ok"; the same natively and under umk.  */
#include "../guest/t.h"
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

static int *fds;
static int nfds;

/* first with every fd still open: fork, exit, wait (no fd needed);
 * then with all but 16 still open: fork, exec, pipe */
static int still_works(void) {
  int p[2], st0 = -1;
  pid_t c0 = fork();
  if (c0 == 0) _exit(3);
  if (c0 < 0 || waitpid(c0, &st0, 0) != c0 || !WIFEXITED(st0) || WEXITSTATUS(st0) != 3) {
    printf("fork with every fd open: %s\n", c0 < 0 ? en(errno) : "bad status");
    return 0;
  }
  while (nfds > 0 && nfds % 16) close(fds[--nfds]);
  for (int i = 0; i < 16 && nfds > 0; i++) close(fds[--nfds]);
  if (pipe(p)) return 0;
  pid_t c = fork();
  if (c == 0) {
    dup2(p[1], 1);
    execl("/bin/sh", "sh", "-c", "echo works", (char *)NULL);
    _exit(127);
  }
  close(p[1]);
  char buf[16] = "";
  int n = read(p[0], buf, sizeof buf - 1), st = -1;
  close(p[0]);
  waitpid(c, &st, 0);
  return c > 0 && n == 6 && !strcmp(buf, "works\n") && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void close_all(void) {
  for (int i = 0; i < nfds; i++) close(fds[i]);
  nfds = 0;
}

/* opens with make(i) until it fails; 1 if with EMFILE/ENFILE after many */
static int until_failure(int (*make)(int), const char *what) {
  int fd, e;
  for (;;) {
    fd = make(nfds);
    if (fd < 0) { e = errno; break; }
    fds[nfds++] = fd;
  }
  int ok = (e == EMFILE || e == ENFILE) && nfds > 1000;
  if (!ok) printf("%s: failed with %s after %d\n", what, en(e), nfds);
  return ok;
}

static int open_root_file(int i) { (void)i; return open("/etc/passwd", O_RDONLY); }
static int create_tmp_file(int i) {
  char p[64];
  snprintf(p, sizeof p, "/tmp/fds.%d", i);
  return open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
}
static int make_epoll(int i) { (void)i; return epoll_create1(0); }

int main(void) {
  struct rlimit r;
  getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  OK("raise RLIMIT_NOFILE to the hard limit", setrlimit(RLIMIT_NOFILE, &r) == 0);
  fds = calloc(r.rlim_max + 1, sizeof *fds);
  mkdir("/tmp", 01777);

  OK("open a file of the root until EMFILE/ENFILE", until_failure(open_root_file, "open"));
  OK("the kernel still works (fork, exec, pipe)", still_works());
  close_all();
  int fd = open("/etc/passwd", O_RDONLY);
  OK("after closing: open works", fd >= 0);
  close(fd);

  /* under umk each tmpfs file holds a host fd (its memfd) while it
   * exists, open or not: the kernel is tried once they are gone */
  OK("create files in /tmp until EMFILE/ENFILE", until_failure(create_tmp_file, "create"));
  int n = nfds;
  close_all();
  char p[64];
  for (int i = 0; i < n; i++) {
    snprintf(p, sizeof p, "/tmp/fds.%d", i);
    unlink(p);
  }
  OK("the kernel still works (fork, exec, pipe)", still_works());
  fd = create_tmp_file(0);
  OK("after closing and unlinking: create works", fd >= 0);
  close(fd);
  unlink("/tmp/fds.0");

  OK("epoll_create until EMFILE/ENFILE", until_failure(make_epoll, "epoll_create"));
  OK("the kernel still works (fork, exec, pipe)", still_works());
  close_all();
  OK("the kernel still works at the end", still_works());
  return t_done();
}
