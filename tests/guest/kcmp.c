/* kcmp.c - kcmp(2): files shared by dup and by fork, address spaces, fd
 * tables, fs_structs and signal handlers shared by clone flags or not,
 * the order it reports being antisymmetric, and its errors (no such
 * process, unknown type, an fd not open).  Only whether two objects are
 * the same, and that the order flips, is printed.                       */
#include "t.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

enum { KCMP_FILE, KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND, KCMP_IO, KCMP_SYSVSEM, KCMP_EPOLL_TFD, KCMP_TYPES };

static long kcmp(pid_t a, pid_t b, int type, unsigned long i1, unsigned long i2) {
  return syscall(SYS_kcmp, a, b, type, i1, i2);
}

static int pipefd[2];
static pid_t parent;
static const char *names[] = { "file", "vm", "files", "fs", "sighand" };

/* a clone child: reports kcmp results against the parent, one byte each */
static int child(void *arg) {
  (void)arg;
  char r[5];
  r[0] = kcmp(parent, getpid(), KCMP_FILE, 0, 0) == 0;
  for (int ty = KCMP_VM; ty <= KCMP_SIGHAND; ty++)
    r[ty] = kcmp(parent, getpid(), ty, 0, 0) == 0;
  write(pipefd[1], r, sizeof r);
  return 0;
}

static void with_flags(int flags, const char *desc) {
  static char stack[65536] __attribute__((aligned(16)));
  char r[5];
  pid_t c = clone(child, stack + sizeof stack, flags | SIGCHLD, NULL);
  read(pipefd[0], r, sizeof r);
  waitpid(c, NULL, __WALL);
  printf("%s:", desc);
  for (int i = 0; i < 5; i++) printf(" %s=%s", names[i], r[i] ? "same" : "differ");
  printf("\n");
}

int main(void) {
  parent = getpid();
  int a = open("/", O_RDONLY), b = dup(a), c = open("/", O_RDONLY);
  OK("a dup'd fd is the same file", kcmp(getpid(), getpid(), KCMP_FILE, a, b) == 0);
  long x = kcmp(getpid(), getpid(), KCMP_FILE, a, c), y = kcmp(getpid(), getpid(), KCMP_FILE, c, a);
  OK("another open of the same path is not", x == 1 || x == 2);
  OK("the order flips when the arguments do", x + y == 3);
  OK("ourselves: same address space", kcmp(getpid(), getpid(), KCMP_VM, 0, 0) == 0);
  pipe(pipefd);
  with_flags(0, "fork");
  with_flags(CLONE_VM | CLONE_VFORK, "CLONE_VM");
  with_flags(CLONE_FILES, "CLONE_FILES");
  with_flags(CLONE_FS, "CLONE_FS");
  with_flags(CLONE_VM | CLONE_SIGHAND | CLONE_VFORK, "CLONE_SIGHAND");
  pid_t k = fork();
  if (k == 0) {
    pause();
    _exit(0);
  }
  OK("an fd inherited by fork is the same file", kcmp(getpid(), k, KCMP_FILE, a, a) == 0);
  OK("and not the child's other fd", kcmp(getpid(), k, KCMP_FILE, a, c) != 0);
  kill(k, SIGKILL);
  waitpid(k, NULL, 0);
  ERR("a reaped process", kcmp(getpid(), k, KCMP_VM, 0, 0), ESRCH);
  ERR("an unknown type", kcmp(getpid(), getpid(), KCMP_TYPES, 0, 0), EINVAL);
  ERR("an fd not open", kcmp(getpid(), getpid(), KCMP_FILE, a, 999), EBADF);
  ERR("a huge fd", kcmp(getpid(), getpid(), KCMP_FILE, ~0UL, a), EBADF);
  return t_done();
}
