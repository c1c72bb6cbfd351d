/* fileattr.c - file_getattr(2), file_setattr(2) and the FS_IOC_FSGETXATTR
 * and FSSETXATTR ioctls on a tmpfs of the test's own (in a private mount
 * namespace, so a native run changes nothing outside it; FS_IOC_GETFLAGS
 * only on a pipe: umk leaves it ENOTTY on files, see
 * umkernel/fs/file_attr.c): the flags tmpfs keeps (NOATIME, NODUMP), what it refuses
 * (extent sizes, project ids, XFS-only flags), files without flags, and
 * the errors for bad sizes, flags, fds, paths and pointers, a read-only
 * mount and a caller that does not own the file. */
#include "t.h"
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

struct fa { uint64_t x; uint32_t ext, next, proj, cow; };
struct fsx { uint32_t xf, ext, next, proj, cow; unsigned char pad[8]; };
#define GETFLAGS 0x80086601
#define FSGETXATTR 0x801c581f
#define FSSETXATTR 0x401c5820

static long get_(int dfd, const char *p, void *a, size_t n, unsigned fl) { return syscall(468, dfd, p, a, n, fl); }
static long set_(int dfd, const char *p, void *a, size_t n, unsigned fl) { return syscall(469, dfd, p, a, n, fl); }
static uint64_t xflags(const char *p) {
  struct fa a;
  memset(&a, 0xee, sizeof a);
  return get_(AT_FDCWD, p, &a, sizeof a, 0) ? ~0ULL : a.x;
}
static long setx(const char *p, uint64_t x, uint32_t ext, uint32_t proj) {
  struct fa a = { x, ext, 0, proj, 0 };
  return set_(AT_FDCWD, p, &a, sizeof a, 0);
}

static void body(void) {
  struct fa a;
  char big[64];
  OK("mount a tmpfs on /tmp", mount("tmpfs", "/tmp", "tmpfs", 0, NULL) == 0);
  close(open("/tmp/f", O_CREAT | O_RDWR, 0644));
  mkdir("/tmp/d", 0755);
  mkfifo("/tmp/p", 0644);
  symlink("f", "/tmp/l");
  memset(&a, 0xee, sizeof a);
  OK("get: a new file has no flags, no extents, project 0",
     get_(AT_FDCWD, "/tmp/f", &a, sizeof a, 0) == 0 && a.x == 0 && !a.ext && !a.next && !a.proj && !a.cow);
  OK("get a directory", xflags("/tmp/d") == 0);
  OK("get through a symlink", xflags("/tmp/l") == 0);
  OK("set NODUMP", setx("/tmp/f", 0x80, 0, 0) == 0 && xflags("/tmp/f") == 0x80);
  OK("set NOATIME|NODUMP on the directory", setx("/tmp/d", 0xc0, 0, 0) == 0 && xflags("/tmp/d") == 0xc0);
  OK("HASATTR is ignored", setx("/tmp/f", 0x80000080ULL, 0, 0) == 0 && xflags("/tmp/f") == 0x80);
  int fd = open("/tmp/f", O_RDONLY);
  int fl = -1;
  struct fsx x;
  memset(&x, 0xee, sizeof x);
  OK("FS_IOC_FSGETXATTR", ioctl(fd, FSGETXATTR, &x) == 0 && x.xf == 0x80 && !x.ext && !x.proj);
  OK("set NOATIME", setx("/tmp/f", 0x40, 0, 0) == 0 && xflags("/tmp/f") == 0x40);
  x = (struct fsx){ .xf = 0x80 };
  OK("FS_IOC_FSSETXATTR NODUMP", ioctl(fd, FSSETXATTR, &x) == 0 && xflags("/tmp/f") == 0x80);
  x = (struct fsx){ .xf = 0, .proj = 7 };
  ERR("FS_IOC_FSSETXATTR project id", ioctl(fd, FSSETXATTR, &x), EOPNOTSUPP);
  OK("clear", setx("/tmp/f", 0, 0, 0) == 0 && xflags("/tmp/f") == 0);
  ERR("EXTSIZE with an extent size", setx("/tmp/f", 0x800, 4096, 0), EOPNOTSUPP);
  ERR("a project id", setx("/tmp/f", 0, 0, 5), EOPNOTSUPP);
  ERR("PROJINHERIT", setx("/tmp/f", 0x200, 0, 0), EOPNOTSUPP);
  ERR("REALTIME", setx("/tmp/f", 1, 0, 0), EOPNOTSUPP);
  ERR("EXTSIZE on a directory", setx("/tmp/d", 0x800, 4096, 0), EINVAL);
  ERR("unknown xflag 4", setx("/tmp/f", 4, 0, 0), EINVAL);
  ERR("xflag bit 40", setx("/tmp/f", 1ULL << 40, 0, 0), EINVAL);
  ERR("get on a fifo", get_(AT_FDCWD, "/tmp/p", &a, sizeof a, 0), EOPNOTSUPP);
  ERR("get on the symlink itself", get_(AT_FDCWD, "/tmp/l", &a, sizeof a, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
  ERR("get on /proc/self/status", get_(AT_FDCWD, "/proc/self/status", &a, sizeof a, 0), EOPNOTSUPP);
  ERR("get on /dev/null", get_(AT_FDCWD, "/dev/null", &a, sizeof a, 0), EOPNOTSUPP);
  int p[2];
  pipe(p);
  ERR("get on a pipe (AT_EMPTY_PATH)", get_(p[0], "", &a, sizeof a, AT_EMPTY_PATH), EOPNOTSUPP);
  ERR("FS_IOC_GETFLAGS on a pipe", ioctl(p[0], GETFLAGS, &fl), ENOTTY);
  ERR("a file under a pipe fd", get_(p[0], "f", &a, sizeof a, 0), ENOTDIR);
  ERR("a file under a regular fd", set_(fd, "f", &a, sizeof a, 0), ENOTDIR);
  OK("the fd itself, NULL name and AT_EMPTY_PATH", get_(fd, NULL, &a, sizeof a, AT_EMPTY_PATH) == 0 && a.x == 0);
  OK("the fd itself, empty name", get_(fd, "", &a, sizeof a, AT_EMPTY_PATH) == 0);
  memset(big, 0xee, sizeof big);
  OK("a 40-byte get zeroes the tail", get_(AT_FDCWD, "/tmp/f", big, 40, 0) == 0 && big[39] == 0 && big[24] == 0);
  memset(big, 0, sizeof big);
  OK("a 40-byte set with a zero tail", set_(AT_FDCWD, "/tmp/f", big, 40, 0) == 0);
  big[30] = 1;
  ERR("a 40-byte set with a non-zero tail", set_(AT_FDCWD, "/tmp/f", big, 40, 0), E2BIG);
  ERR("size 0", get_(AT_FDCWD, "/tmp/f", &a, 0, 0), EINVAL);
  ERR("size 23", set_(AT_FDCWD, "/tmp/f", &a, 23, 0), EINVAL);
  ERR("size 4097", get_(AT_FDCWD, "/tmp/f", &a, 4097, 0), E2BIG);
  ERR("bad at_flags", get_(AT_FDCWD, "/tmp/f", &a, sizeof a, -1), EINVAL);
  ERR("bad at_flags (set)", set_(AT_FDCWD, "/tmp/f", &a, sizeof a, 0x200), EINVAL);
  ERR("bad fd", get_(-1, "f", &a, sizeof a, 0), EBADF);
  ERR("no such file", get_(AT_FDCWD, "/tmp/nope", &a, sizeof a, 0), ENOENT);
  ERR("empty name without AT_EMPTY_PATH", get_(AT_FDCWD, "", &a, sizeof a, 0), ENOENT);
  ERR("NULL name", get_(AT_FDCWD, NULL, &a, sizeof a, 0), EFAULT);
  ERR("NULL attr (get)", get_(AT_FDCWD, "/tmp/f", NULL, sizeof a, 0), EFAULT);
  ERR("NULL attr (set)", set_(AT_FDCWD, "/tmp/f", NULL, sizeof a, 0), EFAULT);
  /* not the owner */
  pid_t c = fork();
  if (c == 0) {
    t_failed = 0;
    if (setgid(65534) || setuid(65534)) _exit(3);
    OK("unprivileged get", xflags("/tmp/f") == 0);
    ERR("unprivileged set", setx("/tmp/f", 0x80, 0, 0), EPERM);
    _exit(t_failed ? 1 : 0);
  }
  int st;
  waitpid(c, &st, 0);
  OK("the unprivileged child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  OK("remount read-only", mount("none", "/tmp", NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);
  ERR("set on a read-only mount", setx("/tmp/f", 0x80, 0, 0), EROFS);
  ERR("even an unsupported one", setx("/tmp/f", 1, 0, 0), EROFS);
  OK("get still works", xflags("/tmp/f") == 0);
  close(fd);
}

int main(void) {
  pid_t c = fork();
  if (c == 0) {
    if (unshare(CLONE_NEWNS) || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
      printf("FAIL cannot make a private mount namespace (%s)\n", en(errno));
      _exit(2);
    }
    body();
    _exit(t_failed ? 1 : 0);
  }
  int st;
  waitpid(c, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st)) t_failed++;
  return t_done();
}
