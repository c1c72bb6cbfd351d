/* memory.c - run as `umk run --memory=64M -- /limits/memory`: the
 * guest's committed memory is bounded as Linux's strict overcommit
 * bounds it.  Checks, printing "ok NAME" lines and "all ok":
 *   MemTotal in /proc/meminfo is the limit (65536 kB), sysinfo agrees
 *   private writable mmaps succeed until the limit, then ENOMEM; the
 *     total mapped is within 16 MiB under the limit
 *   read-only and shared file mappings commit nothing (still possible)
 *   mprotect making a private read-only mapping writable: ENOMEM
 *   brk cannot grow; mremap cannot grow; fork: ENOMEM
 *   a tmpfs write past the limit: ENOSPC
 *   after unmapping, all of it works again (nothing leaked)  */
#include "../guest/t.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#define MB (1UL << 20)
#define LIMIT (64 * MB)

static char *maps[64];
static int nmaps;

static void fill(void) {
  nmaps = 0;
  for (;;) {
    char *p = mmap(NULL, 4 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) break;
    maps[nmaps++] = p;
  }
}

static void unfill(void) {
  for (int i = 0; i < nmaps; i++) munmap(maps[i], 4 * MB);
  nmaps = 0;
}

int main(void) {
  char line[256];
  long total = -1;
  FILE *f = fopen("/proc/meminfo", "r");
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "MemTotal: %ld kB", &total) == 1) break;
  if (f) fclose(f);
  OK("MemTotal is the limit", total == (long)(LIMIT / 1024));
  struct sysinfo si;
  OK("sysinfo totalram is the limit", sysinfo(&si) == 0 && (uint64_t)si.totalram * si.mem_unit == LIMIT);

  fill();
  errno = 0;
  void *p = mmap(NULL, 4 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  OK("mmap past the limit: ENOMEM", p == MAP_FAILED && errno == ENOMEM);
  OK("mapped within 16 MiB of the limit", nmaps * 4 * MB <= LIMIT && nmaps * 4 * MB >= LIMIT - 16 * MB);
  /* touching it all works: it was committed */
  for (int i = 0; i < nmaps; i++) memset(maps[i], 1, 4 * MB);
  OK("committed memory is usable", 1);

  p = mmap(NULL, 16 * MB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  OK("read-only private mapping: commits nothing", p != MAP_FAILED);
  errno = 0;
  OK("mprotect to writable: ENOMEM", p != MAP_FAILED && mprotect(p, 16 * MB, PROT_READ | PROT_WRITE) == -1 && errno == ENOMEM);
  int fd = open("/bin/busybox", O_RDONLY);
  void *q = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
  OK("shared read-only file mapping: commits nothing", q != MAP_FAILED);
  if (q != MAP_FAILED) munmap(q, 4096);
  close(fd);

  void *b0 = (void *)syscall(SYS_brk, 0);
  void *b1 = (void *)syscall(SYS_brk, (char *)b0 + 8 * MB);
  OK("brk cannot grow past the limit", b1 == b0);
  errno = 0;
  void *r = mremap(maps[0], 4 * MB, 12 * MB, MREMAP_MAYMOVE);
  OK("mremap cannot grow past the limit: ENOMEM", r == MAP_FAILED && errno == ENOMEM);
  errno = 0;
  pid_t c = fork();
  if (c == 0) _exit(0);
  OK("fork: ENOMEM", c == -1 && errno == ENOMEM);
  if (c > 0) waitpid(c, NULL, 0);

  fd = open("/tmp/big", O_RDWR | O_CREAT | O_TRUNC, 0600);
  static char buf[1 << 20];
  ssize_t w;
  errno = 0;
  do w = write(fd, buf, sizeof buf); while (w > 0);
  OK("tmpfs write past the limit: ENOSPC", w == -1 && errno == ENOSPC);
  close(fd);
  unlink("/tmp/big");

  unfill();
  munmap(p, 16 * MB);
  c = fork();
  if (c == 0) _exit(3);
  int st;
  OK("after munmap: fork works", c > 0 && waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 3);
  fill();
  OK("after munmap: as much can be mapped again", nmaps * 4 * MB >= LIMIT - 16 * MB);
  unfill();
  b1 = (void *)syscall(SYS_brk, (char *)b0 + 8 * MB);
  OK("after munmap: brk grows", b1 == (char *)b0 + 8 * MB);
  return t_done();
}
