/* pagecache.c - the page cache of a file on a block device (ext2/3/4 on
 * a loop device): vm.drop_caches empties it, preadv2(RWF_NOWAIT) reads
 * only cached pages (EAGAIN, or a short read where the cached pages
 * stop), read(2), readahead(2), fadvise(WILLNEED/DONTNEED), MAP_POPULATE
 * and madvise(WILLNEED) fill it as mincore(2) shows, /proc/self/io's
 * read_bytes counts the misses only, and /proc/kpageflags (at the frame
 * /proc/self/pagemap gives) shows a page written through a shared mapping
 * dirty until msync(MS_SYNC).
 *
 *   pagecache IMG TYPE MNT   binds IMG to a loop device, mounts it on MNT
 *                            (made if missing) as TYPE, tests, unmounts
 *   pagecache --sigbus IMG MNT   on an ext4 image of 1 KiB blocks: a file
 *                            grown by ftruncate past a page it had only
 *                            partly, written through a shared mapping:
 *                            the new blocks are given at the write fault
 *                            (kept by msync), or SIGBUS when the
 *                            filesystem is full (LTP's mmap16)
 *
 * Run by tests/run-ext2-tests.sh under umk and natively (as root, in a
 * mount namespace of its own), each compared with pagecache-ext.expected
 * (pagecache-sigbus.expected); alone it says SKIP (run-guest-tests.sh).
 * Readahead is turned off where Linux would read more than asked
 * (POSIX_FADV_RANDOM, MADV_RANDOM) so that both read the same pages;
 * Linux's readahead completes asynchronously, so residency is waited for. */
#include "t.h"
#include <fcntl.h>
#include <linux/loop.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#define PG 4096
#define NPAGES 16
static char path[4096];

static int attach(const char *img, char *dev, size_t len) {
  int ctl = open("/dev/loop-control", O_RDWR);
  int nr = ioctl(ctl, LOOP_CTL_GET_FREE);
  close(ctl);
  if (nr < 0) return -1;
  snprintf(dev, len, "/dev/loop%d", nr);
  int d = open(dev, O_RDWR), f = open(img, O_RDWR);
  if (d < 0 || f < 0 || ioctl(d, LOOP_SET_FD, f)) return -1;
  close(f);
  return d;
}

static int drop_caches(void) {
  int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
  int r = fd >= 0 && write(fd, "1", 1) == 1;
  if (fd >= 0) close(fd);
  return r;
}

/* pages of the file in [first, first + n) that are cached */
static int resident(int first, int n) {
  int fd = open(path, O_RDONLY), cnt = 0;
  unsigned char vec[NPAGES];
  void *m = mmap(NULL, NPAGES * PG, PROT_NONE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED || mincore(m, NPAGES * PG, vec)) cnt = -1;
  else
    for (int i = first; i < first + n; i++) cnt += vec[i] & 1;
  if (m != MAP_FAILED) munmap(m, NPAGES * PG);
  close(fd);
  return cnt;
}

/* waits up to 2 s for resident(first, n) == want (readahead is async) */
static int wait_resident(int first, int n, int want) {
  for (int i = 0; i < 200; i++) {
    if (resident(first, n) == want) return 1;
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep(&ts, NULL);
  }
  return 0;
}

static unsigned long long read_bytes(void) {
  char b[512];
  unsigned long long v = ~0ULL;
  int fd = open("/proc/self/io", O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, b, sizeof b - 1) : -1;
  if (fd >= 0) close(fd);
  if (n > 0) {
    b[n] = 0;
    char *p = strstr(b, "read_bytes: ");
    if (p) v = strtoull(p + 12, NULL, 10);
  }
  return v;
}

static uint64_t dirty_bit(void *addr) {
  uint64_t ent = 0, fl = 0;
  int pm = open("/proc/self/pagemap", O_RDONLY);
  pread(pm, &ent, 8, (off_t)((uintptr_t)addr / PG * 8));
  close(pm);
  uint64_t pfn = ent & ((1ULL << 55) - 1);
  if (!(ent >> 63) || !pfn) return 2;   /* no frame shown */
  int kf = open("/proc/kpageflags", O_RDONLY);
  if (pread(kf, &fl, 8, (off_t)(pfn * 8)) != 8) fl = 1ULL << 20;
  close(kf);
  return fl >> 4 & 1;   /* KPF_DIRTY */
}

static void test(void) {
  char buf[4 * PG], one[PG];
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  for (int i = 0; i < NPAGES; i++) {
    memset(one, 'a' + i, PG);
    write(fd, one, PG);
  }
  OK("a 16-page file written and fsync'd", fsync(fd) == 0);
  close(fd);

  /* drop_caches, RWF_NOWAIT */
  OK("drop_caches 1", drop_caches());
  OK("nothing cached after drop_caches", resident(0, NPAGES) == 0);
  fd = open(path, O_RDONLY);
  posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
  struct iovec iov = { buf, PG };
  ERR("preadv2 RWF_NOWAIT of an uncached page", preadv2(fd, &iov, 1, 0, RWF_NOWAIT), EAGAIN);
  OK("which starts reading it in", wait_resident(0, 1, 1));
  OK("pread of page 1", pread(fd, buf, PG, PG) == PG && buf[0] == 'b');
  OK("caches page 1 only", resident(1, 1) == 1 && resident(2, NPAGES - 2) == 0);
  iov.iov_len = 3 * PG;
  OK("RWF_NOWAIT from a cached page: a short read up to the uncached one",
     preadv2(fd, &iov, 1, PG, RWF_NOWAIT) == PG && buf[0] == 'b');
  iov.iov_len = PG;
  OK("RWF_NOWAIT of a cached page", preadv2(fd, &iov, 1, 0, RWF_NOWAIT) == PG && buf[0] == 'a');
  OK("RWF_NOWAIT at EOF: 0", preadv2(fd, &iov, 1, NPAGES * PG, RWF_NOWAIT) == 0);

  /* readahead, read_bytes */
  OK("readahead(2) of pages 8-11", readahead(fd, 8 * PG, 4 * PG) == 0);
  OK("brings them in", wait_resident(8, 4, 4));
  unsigned long long rb = read_bytes();
  OK("reading them is no block I/O (read_bytes)",
     pread(fd, buf, 4 * PG, 8 * PG) == 4 * PG && buf[0] == 'i' && read_bytes() == rb);
  rb = read_bytes();
  OK("reading an uncached page is (read_bytes)",
     pread(fd, buf, PG, 14 * PG) == PG && buf[0] == 'o' && read_bytes() >= rb + PG);
  OK("fadvise WILLNEED of pages 12-13", posix_fadvise(fd, 12 * PG, 2 * PG, POSIX_FADV_WILLNEED) == 0);
  OK("brings them in", wait_resident(12, 2, 2));
  OK("fadvise DONTNEED of pages 8-11", posix_fadvise(fd, 8 * PG, 4 * PG, POSIX_FADV_DONTNEED) == 0);
  OK("drops them", resident(8, 4) == 0 && resident(12, 2) == 2);
  close(fd);

  /* mmap */
  OK("drop_caches 1 again", drop_caches() && resident(0, NPAGES) == 0);
  fd = open(path, O_RDONLY);
  rb = read_bytes();
  char *m = mmap(NULL, NPAGES * PG, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
  OK("MAP_POPULATE reads the whole file in", m != MAP_FAILED && resident(0, NPAGES) == NPAGES &&
     read_bytes() >= rb + NPAGES * PG && m[15 * PG] == 'p');
  munmap(m, NPAGES * PG);
  close(fd);
  OK("drop_caches once it is unmapped and closed", drop_caches() && resident(0, NPAGES) == 0);
  fd = open(path, O_RDONLY);
  m = mmap(NULL, NPAGES * PG, PROT_READ, MAP_SHARED, fd, 0);
  madvise(m, NPAGES * PG, MADV_RANDOM);
  OK("madvise WILLNEED of pages 4-5", madvise(m + 4 * PG, 2 * PG, MADV_WILLNEED) == 0);
  OK("brings them in", wait_resident(4, 2, 2) && resident(6, 1) == 0);
  munmap(m, NPAGES * PG);
  close(fd);

  /* dirty pages: kpageflags */
  fd = open(path, O_RDWR);
  m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  OK("a clean mapped page is not dirty", m != MAP_FAILED && m[0] == 'a' && dirty_bit(m) == 0);
  m[8] = 'B';
  OK("written through the mapping: KPF_DIRTY", dirty_bit(m) == 1);
  OK("msync(MS_SYNC)", msync(m, PG, MS_SYNC) == 0);
  OK("clean again", dirty_bit(m) == 0);
  munmap(m, PG);
  close(fd);
  fd = open(path, O_RDONLY);
  OK("the byte is in the file", pread(fd, buf, 16, 0) == 16 && buf[8] == 'B' && buf[9] == 'a');
  close(fd);
  {
    uint64_t e;
    int kf = open("/proc/kpageflags", O_RDONLY);
    ERR("kpageflags: a read of 4 bytes", read(kf, &e, 4), EINVAL);
    ERR("kpageflags: a read at an unaligned offset", pread(kf, &e, 8, 4), EINVAL);
    OK("kpageflags: past the last frame is EOF", pread(kf, &e, 8, (off_t)1 << 53) == 0);
    close(kf);
  }
  unlink(path);
}

/* a 1 KiB file mapped shared (one page), its first byte written, then
 * grown to 8 KiB: the page's blocks 1-3 are holes */
static char *grown(const char *name, int *fdp) {
  snprintf(path, sizeof path, "%s", name);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  char b[1024];
  memset(b, 'a', sizeof b);
  write(fd, b, sizeof b);
  char *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) return NULL;
  m[0] = 'a';
  ftruncate(fd, 2 * PG);
  *fdp = fd;
  return m;
}

/* a child writes m[off]: its wait status */
static int child_writes(char *m, int off) {
  pid_t pid = fork();
  if (pid == 0) {
    m[off] = 'x';
    _exit(7);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return st;
}

static int sigbus_main(const char *img, const char *mnt) {
  char dev[32], name[4096], buf[16];
  int d = attach(img, dev, sizeof dev), fd, fd2;
  mkdir(mnt, 0755);
  OK("mount ext4", d >= 0 && mount(dev, mnt, "ext4", 0, NULL) == 0);
  snprintf(name, sizeof name, "%s/room", mnt);
  char *m = grown(name, &fd);
  int st = child_writes(m, 1024);
  OK("with room: the write into the grown page's hole works", WIFEXITED(st) && WEXITSTATUS(st) == 7);
  OK("and msync keeps it", msync(m, PG, MS_SYNC) == 0 && pread(fd, buf, 2, 1023) == 2 &&
     buf[0] == 'a' && buf[1] == 'x');
  snprintf(name, sizeof name, "%s/full", mnt);
  char *m2 = grown(name, &fd2);
  snprintf(name, sizeof name, "%s/filler", mnt);
  int f = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  char b[1024];
  memset(b, 'f', sizeof b);
  long n;
  while ((n = write(f, b, sizeof b)) > 0)
    ;
  OK("the filesystem filled up (ENOSPC)", n < 0 && errno == ENOSPC);
  close(f);
  st = child_writes(m2, 2048);
  OK("full: the write into the grown page's hole is SIGBUS", WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS);
  st = child_writes(m2, 10);
  OK("so is one to the page's block that has one (page_mkwrite is per page)",
     WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS && m2[10] == 'a');
  munmap(m, PG);
  munmap(m2, PG);
  close(fd);
  close(fd2);
  OK("umount", umount(mnt) == 0);
  ioctl(d, LOOP_CLR_FD);
  close(d);
  return t_done();
}

int main(int argc, char **argv) {
  char dev[32];
  if (argc == 1) {
    /* run-guest-tests.sh's plain run: the cases need an image */
    printf("SKIP needs an ext2/ext4 image: tests/run-ext2-tests.sh runs it\n");
    return 0;
  }
  if (argc == 4 && !strcmp(argv[1], "--sigbus")) return sigbus_main(argv[2], argv[3]);
  if (argc != 4) {
    fprintf(stderr, "usage: pagecache IMG TYPE MNT\n");
    return 2;
  }
  int d = attach(argv[1], dev, sizeof dev);
  mkdir(argv[3], 0755);
  OK("mount", d >= 0 && mount(dev, argv[3], argv[2], 0, NULL) == 0);
  snprintf(path, sizeof path, "%s/f", argv[3]);
  test();
  OK("umount", umount(argv[3]) == 0);
  ioctl(d, LOOP_CLR_FD);
  close(d);
  return t_done();
}
