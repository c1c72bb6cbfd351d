/* cachestat.c - cachestat(2): what a file holds in memory over a range
 * (a written file, fsynced; a memfd with one page touched; a pipe), and
 * its errors in Linux's order: EBADF, EFAULT (range),
 * EOPNOTSUPP (a hugetlb file), EINVAL (flags), EFAULT (result). */
#include "t.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

struct cs_range { uint64_t off, len; };
struct cs { uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted; };

static long cachestat(int fd, struct cs_range *r, struct cs *c, unsigned flags) {
  return syscall(451, fd, r, c, flags);
}

static void show(const char *name, int fd, uint64_t off, uint64_t len) {
  struct cs_range r = { off, len };
  struct cs c;
  memset(&c, 0xff, sizeof c);
  long ret = cachestat(fd, &r, &c, 0);
  if (ret)
    printf("%s: -1 %s\n", name, en(errno));
  else
    printf("%s: cache %llu dirty %llu writeback %llu evicted %llu recent %llu\n", name,
           (unsigned long long)c.nr_cache, (unsigned long long)c.nr_dirty,
           (unsigned long long)c.nr_writeback, (unsigned long long)c.nr_evicted,
           (unsigned long long)c.nr_recently_evicted);
}

int main(void) {
  char path[] = "/tmp/umk-cachestat.XXXXXX";
  int fd = mkstemp(path);
  static char buf[3 * 4096 + 100];
  memset(buf, 'x', sizeof buf);
  OK("write", write(fd, buf, sizeof buf) == (ssize_t)sizeof buf);
  OK("fsync", fsync(fd) == 0);
  show("whole file", fd, 0, 0);
  show("first page", fd, 0, 4096);
  show("one byte into page 2", fd, 4096 * 2, 1);
  show("pages 1-3", fd, 4096, 3 * 4096);
  show("past the end", fd, 1 << 20, 4096);
  show("offset wraps", fd, 4096, UINT64_MAX);
  int ro = open(path, O_RDONLY);
  show("read-only fd", ro, 0, 0);
  close(ro);
  int mfd = memfd_create("cs", 0);
  ftruncate(mfd, 2 * 4096);
  char *m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
  m[0] = 1;
  show("memfd, one page touched", mfd, 0, 0);
  int p[2];
  pipe(p);
  show("pipe", p[0], 0, 0);

  struct cs_range r = { 0, 0 };
  struct cs c;
  int hfd = memfd_create("huge", MFD_HUGETLB);
  ERR("bad fd", cachestat(-1, &r, &c, 0), EBADF);
  ERR("bad fd and flags", cachestat(-1, &r, &c, 1), EBADF);
  ERR("range NULL", cachestat(fd, NULL, &c, 0), EFAULT);
  ERR("range NULL and flags", cachestat(fd, NULL, &c, 1), EFAULT);
  ERR("flags", cachestat(fd, &r, &c, 1), EINVAL);
  ERR("flags, result NULL", cachestat(fd, &r, NULL, 1), EINVAL);
  ERR("result NULL", cachestat(fd, &r, NULL, 0), EFAULT);
  ERR("hugetlb file", cachestat(hfd, &r, &c, 0), EOPNOTSUPP);
  ERR("hugetlb file, flags", cachestat(hfd, &r, &c, 1), EOPNOTSUPP);
  ERR("hugetlb file, range NULL", cachestat(hfd, NULL, &c, 0), EFAULT);
  ERR("hugetlb file, result NULL", cachestat(hfd, &r, NULL, 0), EOPNOTSUPP);
  OK("high bits of fd ignored", syscall(451, 0x100000000L | fd, &r, &c, 0) == 0);
  int opath = open(path, O_PATH);
  ERR("O_PATH fd", cachestat(opath, &r, &c, 0), EBADF);
  unlink(path);
  return t_done();
}
