/* fsresolve.c - openat2(2)'s resolve flags (RESOLVE_NO_XDEV, _NO_MAGICLINKS,
 * _NO_SYMLINKS, _BENEATH, _IN_ROOT) and its open_how size rules, with their
 * errors; the same program runs natively and under umk. */
#include "t.h"
#include <fcntl.h>
#include <stdint.h>
#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static long oa2(int dfd, const char *p, uint64_t flags, uint64_t resolve)
{
  struct open_how how = { .flags = flags, .resolve = resolve };
  long fd = syscall(SYS_openat2, dfd, p, &how, sizeof how);
  if (fd >= 0) close(fd);
  return fd >= 0 ? 0 : -1;
}

static void openat2_resolve(void)
{
  char dir[] = "/tmp/fsresolveXXXXXX";
  OK("mkdtemp", mkdtemp(dir));
  int dfd = open(dir, O_DIRECTORY | O_RDONLY);
  OK("open dir", dfd >= 0);
  OK("mkdir sub", mkdirat(dfd, "sub", 0755) == 0);
  int f = openat(dfd, "sub/file", O_CREAT | O_WRONLY, 0644);
  OK("create file", f >= 0);
  close(f);
  OK("symlink rel", symlinkat("sub/file", dfd, "rel") == 0);
  OK("symlink abs", symlinkat("/proc/version", dfd, "abs") == 0);
  OK("symlink up", symlinkat("../x", dfd, "up") == 0);
  OK("symlink root-abs", symlinkat("/sub/file", dfd, "rootabs") == 0);

  OK("plain /proc/version", oa2(AT_FDCWD, "/proc/version", O_RDONLY, 0) == 0);
  ERR("no-xdev /proc/version", oa2(AT_FDCWD, "/proc/version", O_RDONLY, RESOLVE_NO_XDEV), EXDEV);
  ERR("no-xdev via link", oa2(dfd, "abs", O_RDONLY, RESOLVE_NO_XDEV), EXDEV);
  OK("no-xdev same mount", oa2(dfd, "sub/file", O_RDONLY, RESOLVE_NO_XDEV) == 0);
  OK("no-xdev creat same mount", oa2(dfd, "sub/new", O_RDWR | O_CREAT, RESOLVE_NO_XDEV) == 0);
  ERR("no-magiclinks exe", oa2(AT_FDCWD, "/proc/self/exe", O_RDONLY, RESOLVE_NO_MAGICLINKS), ELOOP);
  ERR("no-magiclinks fd", oa2(AT_FDCWD, "/proc/self/fd/0", O_RDONLY, RESOLVE_NO_MAGICLINKS), ELOOP);
  OK("no-magiclinks /proc/self/status", oa2(AT_FDCWD, "/proc/self/status", O_RDONLY, RESOLVE_NO_MAGICLINKS) == 0);
  ERR("no-symlinks rel", oa2(dfd, "rel", O_RDONLY, RESOLVE_NO_SYMLINKS), ELOOP);
  ERR("no-symlinks exe", oa2(AT_FDCWD, "/proc/self/exe", O_RDONLY, RESOLVE_NO_SYMLINKS), ELOOP);
  OK("no-symlinks O_PATH|O_NOFOLLOW", oa2(dfd, "rel", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS) == 0);
  OK("no-symlinks plain", oa2(dfd, "sub/file", O_RDONLY, RESOLVE_NO_SYMLINKS) == 0);
  ERR("beneath absolute", oa2(dfd, "/proc/version", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  ERR("beneath ..", oa2(dfd, "../x", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  ERR("beneath sub/../..", oa2(dfd, "sub/../../x", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  OK("beneath sub/..", oa2(dfd, "sub/../sub/file", O_RDONLY, RESOLVE_BENEATH) == 0);
  OK("beneath rel link", oa2(dfd, "rel", O_RDONLY, RESOLVE_BENEATH) == 0);
  ERR("beneath abs link", oa2(dfd, "abs", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  ERR("beneath up link", oa2(dfd, "up", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  ERR("beneath magic link", oa2(AT_FDCWD, "/proc/self/exe", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  ERR("in-root /proc/version", oa2(dfd, "/proc/version", O_RDONLY, RESOLVE_IN_ROOT), ENOENT);
  OK("in-root /sub/file", oa2(dfd, "/sub/file", O_RDONLY, RESOLVE_IN_ROOT) == 0);
  OK("in-root ../../sub/file", oa2(dfd, "../../sub/file", O_RDONLY, RESOLVE_IN_ROOT) == 0);
  OK("in-root abs link", oa2(dfd, "rootabs", O_RDONLY, RESOLVE_IN_ROOT) == 0);
  ERR("in-root abs link outside", oa2(dfd, "abs", O_RDONLY, RESOLVE_IN_ROOT), ENOENT);
  ERR("beneath|in-root", oa2(dfd, "sub/file", O_RDONLY, RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL);
  ERR("unknown resolve", oa2(dfd, "sub/file", O_RDONLY, 1 << 20), EINVAL);
  ERR("unknown flag", oa2(dfd, "sub/file", O_RDONLY | (1 << 28), 0), EINVAL);
  ERR("O_PATH|O_RDWR", oa2(dfd, "sub/file", O_PATH | O_RDWR, 0), EINVAL);
  ERR("cached creat", oa2(dfd, "sub/file", O_RDWR | O_CREAT, RESOLVE_CACHED), EAGAIN);

  /* open_how sizes: a bigger struct's tail must be zero (E2BIG), and readable */
  long pg = sysconf(_SC_PAGESIZE);
  char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(m + pg, pg);
  struct open_how *h = (struct open_how *)(m + pg - sizeof *h);
  memset(h, 0, sizeof *h);
  h->flags = O_RDONLY;
  OK("size exact", syscall(SYS_openat2, dfd, "sub/file", h, sizeof *h) >= 0);
  ERR("size +1 unreadable", syscall(SYS_openat2, dfd, "sub/file", h, sizeof *h + 1), EFAULT);
  h = (struct open_how *)(m + pg - sizeof *h - 8);
  memset(h, 0, sizeof *h + 8);
  h->flags = O_RDONLY;
  OK("size +8 zero tail", syscall(SYS_openat2, dfd, "sub/file", h, sizeof *h + 8) >= 0);
  ((char *)h)[sizeof *h + 3] = 1;
  ERR("size +8 nonzero tail", syscall(SYS_openat2, dfd, "sub/file", h, sizeof *h + 8), E2BIG);
  ERR("size small", syscall(SYS_openat2, dfd, "sub/file", h, sizeof *h - 1), EINVAL);
  ERR("size page+1", syscall(SYS_openat2, dfd, "sub/file", h, pg + 1), E2BIG);
}

int main(void)
{
  openat2_resolve();
  return t_done();
}
