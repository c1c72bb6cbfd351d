/* hugetlb.c - huge pages as Linux shows them: the pool sized through
 * /proc/sys/vm/nr_hugepages and nr_overcommit_hugepages and counted in
 * /proc/meminfo and /sys/kernel/mm/hugepages/hugepages-2048kB, MAP_HUGETLB
 * mappings (alignment, splits only at huge page boundaries, ENOMEM when
 * the pool is short), MFD_HUGETLB memfds (no write(2), whole-page
 * ftruncate, st_blksize), SHM_HUGETLB segments and a hugetlbfs mount
 * (statfs, size=).  Pages are touched before the counters are read
 * (Linux counts untouched ones as reserved, umk as in use at once).
 *
 * It sizes the machine's huge page pool, so it does not run natively in
 * make check: hugetlb.expected is its output on Linux 6.18 (run as root
 * in a mount namespace of its own, pool 0 before and after). */
#include "t.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define HPS (2UL << 20)

static long meminfo(const char *key) {
  FILE *f = fopen("/proc/meminfo", "r");
  char line[256];
  long v = -1;
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, key, strlen(key)))
      v = atol(line + strlen(key));
  if (f)
    fclose(f);
  return v;
}

static long readnum(const char *path) {
  FILE *f = fopen(path, "r");
  long v = -1;
  if (f && fscanf(f, "%ld", &v) != 1)
    v = -1;
  if (f)
    fclose(f);
  return v;
}

static int writenum(const char *path, long v) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f, "%ld", v);
  return fclose(f);
}

static void pool(const char *when) {
  printf("%s: total %ld free %ld rsvd %ld surp %ld; sysfs nr %ld free %ld surp %ld\n", when,
         meminfo("HugePages_Total:"), meminfo("HugePages_Free:"), meminfo("HugePages_Rsvd:"),
         meminfo("HugePages_Surp:"), readnum("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"),
         readnum("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"),
         readnum("/sys/kernel/mm/hugepages/hugepages-2048kB/surplus_hugepages"));
}

static void touch(char *p, size_t len) {
  for (size_t i = 0; i < len; i += 4096)
    p[i] = 1;
}

#define NR "/proc/sys/vm/nr_hugepages"
#define OVER "/proc/sys/vm/nr_overcommit_hugepages"

int main(void) {
  if (readnum(NR) != 0 || readnum(OVER) != 0) {
    printf("SKIP the huge page pool is in use\n");
    return 0;
  }
  OK("hugepages-2048kB in sysfs", access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) == 0);
  printf("Hugepagesize %ld kB\n", meminfo("Hugepagesize:"));
  pool("empty");
  ERR("MAP_HUGETLB, empty pool", mmap(NULL, HPS, PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0), ENOMEM);
  ERR("MAP_HUGETLB 2^62 bytes", mmap(NULL, 1UL << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
      -1, 0), ENOMEM);
  ERR("MAP_HUGETLB length 0", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0), EINVAL);
  ERR("nr_hugepages garbage", writenum(NR, -1), EINVAL);
  OK("nr_hugepages = 4", writenum(NR, 4) == 0 && readnum(NR) == 4);
  pool("4 pages");

  /* anonymous huge pages */
  char *p = mmap(NULL, 3 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
  OK("MAP_HUGETLB 3 MiB", p != MAP_FAILED);
  OK("aligned to 2 MiB", ((unsigned long)p & (HPS - 1)) == 0);
  touch(p, 2 * HPS);
  pool("2 pages mapped");
  ERR("munmap 1 MiB of it", munmap(p, 1 << 20), EINVAL);
  ERR("munmap from 1 MiB in", munmap(p + (1 << 20), HPS), EINVAL);
  ERR("mprotect half a huge page", mprotect(p, 1 << 20, PROT_READ), EINVAL);
  OK("mprotect a whole one", mprotect(p, HPS, PROT_READ) == 0);
  OK("munmap the first page", munmap(p, HPS) == 0);
  ERR("munmap 1 MiB of the rest", munmap(p + HPS, 1 << 20), EINVAL);
  OK("munmap the rest", munmap(p + HPS, HPS) == 0);
  pool("unmapped");
  ERR("MAP_HUGETLB 5 pages of 4", mmap(NULL, 5 * HPS, PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0), ENOMEM);
  ERR("MAP_HUGETLB fixed, unaligned", mmap((void *)(0x7f0000000000UL + 4096), HPS, PROT_READ,
      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_FIXED, -1, 0), EINVAL);
  ERR("MAP_HUGE_64KB", mmap(NULL, HPS, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (16 << 26),
      -1, 0), EINVAL);
  OK("MAP_HUGE_2MB", (p = mmap(NULL, HPS, PROT_READ | PROT_WRITE,
     MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << 26), -1, 0)) != MAP_FAILED);
  touch(p, HPS);
  munmap(p, HPS);
  int tmpfd = open("/proc/self/exe", O_RDONLY);
  ERR("MAP_HUGETLB on another file", mmap(NULL, HPS, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, tmpfd, 0), EINVAL);
  close(tmpfd);

  /* surplus pages */
  OK("nr_overcommit_hugepages = 2", writenum(OVER, 2) == 0 && readnum(OVER) == 2);
  p = mmap(NULL, 5 * HPS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
  OK("5 pages with 1 surplus", p != MAP_FAILED);
  if (p != MAP_FAILED) {
    touch(p, 5 * HPS);
    pool("5 pages mapped");
    munmap(p, 5 * HPS);
  }
  pool("surplus gone");
  writenum(OVER, 0);

  /* MFD_HUGETLB */
  int fd = memfd_create("huge", MFD_HUGETLB);
  OK("memfd MFD_HUGETLB", fd >= 0);
  ERR("memfd MFD_HUGE_64KB", memfd_create("x", MFD_HUGETLB | (16 << 26)), ENODEV);
  ERR("memfd size bits without MFD_HUGETLB", memfd_create("x", 21 << 26), EINVAL);
  ERR("write to a hugetlb file", write(fd, "x", 1), EINVAL);
  ERR("ftruncate 1 MiB", ftruncate(fd, 1 << 20), EINVAL);
  OK("ftruncate 4 MiB", ftruncate(fd, 2 * HPS) == 0);
  struct stat st;
  OK("fstat", fstat(fd, &st) == 0);
  printf("st_size %ld st_blksize %ld\n", (long)st.st_size, (long)st.st_blksize);
  ERR("mmap at offset 4096", mmap(NULL, HPS, PROT_READ, MAP_SHARED, fd, 4096), EINVAL);
  ERR("mmap at an offset near 2^63", mmap(NULL, HPS, PROT_READ, MAP_SHARED, fd, 0x7fffffffffe00000L), EOVERFLOW);
  p = mmap(NULL, 2 * HPS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  OK("mmap 4 MiB of it", p != MAP_FAILED);
  touch(p, 2 * HPS);
  memcpy(p + HPS, "hello", 5);
  char buf[8] = "";
  OK("pread sees the mapping", pread(fd, buf, 5, HPS) == 5 && !memcmp(buf, "hello", 5));
  pool("memfd mapped");
  munmap(p, 2 * HPS);
  pool("memfd unmapped, open");
  OK("ftruncate to 2 MiB", ftruncate(fd, HPS) == 0);
  pool("memfd truncated");
  close(fd);
  pool("memfd closed");
  /* a writable mapping extends the file */
  fd = memfd_create("grow", MFD_HUGETLB);
  p = mmap(NULL, HPS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  OK("mapping extends the file", p != MAP_FAILED && fstat(fd, &st) == 0 && st.st_size == (off_t)HPS);
  munmap(p, HPS);
  close(fd);

  /* SHM_HUGETLB */
  ERR("SHM_HUGETLB past the pool", shmget(IPC_PRIVATE, 5 * HPS, SHM_HUGETLB | 0600), ENOMEM);
  int id = shmget(IPC_PRIVATE, HPS + 1, SHM_HUGETLB | 0600);
  OK("SHM_HUGETLB 2 MiB + 1", id >= 0);
  p = shmat(id, NULL, 0);
  OK("shmat", p != (void *)-1);
  touch(p, 2 * HPS);
  pool("segment attached");
  shmctl(id, IPC_RMID, NULL);
  shmdt(p);
  pool("segment removed");

  /* hugetlbfs */
  char dir[] = "/tmp/umk-hugetlbfs.XXXXXX";
  OK("mkdtemp", mkdtemp(dir) != NULL);
  ERR("mount pagesize=4K", mount("none", dir, "hugetlbfs", 0, "pagesize=4K"), EINVAL);
  ERR("mount bad option", mount("none", dir, "hugetlbfs", 0, "nosuch=1"), EINVAL);
  ERR("mount min_size > size", mount("none", dir, "hugetlbfs", 0, "size=2M,min_size=4M"), EINVAL);
  OK("mount hugetlbfs size=4M", mount("none", dir, "hugetlbfs", 0, "size=4M,mode=0700,pagesize=2M") == 0);
  struct statfs sf;
  OK("statfs", statfs(dir, &sf) == 0);
  printf("f_type %lx f_bsize %ld f_blocks %ld f_bfree %ld\n", (long)sf.f_type, (long)sf.f_bsize,
         (long)sf.f_blocks, (long)sf.f_bfree);
  OK("root mode 0700", stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700);
  char path[64];
  snprintf(path, sizeof path, "%s/f", dir);
  fd = open(path, O_CREAT | O_RDWR, 0600);
  OK("create a file", fd >= 0);
  OK("fstat blksize", fstat(fd, &st) == 0 && st.st_blksize == (blksize_t)HPS);
  ERR("mmap 3 pages past size=", mmap(NULL, 3 * HPS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), ENOMEM);
  p = mmap(NULL, 2 * HPS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  OK("mmap 2 pages", p != MAP_FAILED);
  touch(p, 2 * HPS);
  OK("statfs after", statfs(dir, &sf) == 0);
  printf("f_bfree %ld\n", (long)sf.f_bfree);
  pool("hugetlbfs file mapped");
  munmap(p, 2 * HPS);
  close(fd);
  unlink(path);
  pool("hugetlbfs file removed");
  OK("umount", umount(dir) == 0);
  rmdir(dir);

  /* lowering the pool under pages in use makes them surplus */
  p = mmap(NULL, HPS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
  touch(p, HPS);
  OK("nr_hugepages = 0 with one in use", writenum(NR, 0) == 0);
  pool("pool lowered");
  munmap(p, HPS);
  pool("last page gone");
  return t_done();
}
