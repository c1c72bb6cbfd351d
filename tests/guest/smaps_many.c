/* smaps_many.c - /proc/self/smaps of a process with thousands of VMAs
 * (stress-ng's madvise stressor splits a mapping page by page and reads
 * smaps over and over): one entry per maps line, each with its own
 * Size and Rss.  umk once parsed the host's smaps with sscanf, which
 * measured the rest of the text at every line: quadratic, a hang. */
#include "t.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#define PAGES 12000

static char buf[64 << 20];

static size_t slurp(const char *path)
{
  int fd = open(path, O_RDONLY);
  size_t len = 0;
  ssize_t r;

  if (fd < 0)
    return 0;
  while (len < sizeof(buf) - 1 && (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
    len += r;
  close(fd);
  buf[len] = 0;
  return len;
}

int main(void)
{
  long pg = sysconf(_SC_PAGESIZE);
  char *m = mmap(NULL, PAGES * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  OK("mmap", m != MAP_FAILED);
  for (int i = 0; i < PAGES; i++)
    m[i * pg] = 1;
  int bad = 0;
  for (int i = 0; i < PAGES; i += 2)
    bad += mprotect(m + i * pg, pg, PROT_READ) != 0;
  OK("every other page read-only", bad == 0);
  uintptr_t lo = (uintptr_t)m, hi = lo + PAGES * pg;

  int maps = 0;
  slurp("/proc/self/maps");
  for (char *p = buf; *p; p = strchr(p, '\n') + 1) {
    unsigned long s, e;
    if (sscanf(p, "%lx-%lx", &s, &e) == 2 && s >= lo && e <= hi)
      maps++;
    if (!strchr(p, '\n'))
      break;
  }
  printf("maps entries in the region: %d\n", maps);

  for (int round = 0; round < 3; round++) {
    int entries = 0, in = 0;
    long size = 0, rss = 0;
    slurp("/proc/self/smaps");
    for (char *p = buf; *p;) {
      char *nl = strchr(p, '\n');
      unsigned long s, e, kb;
      if (nl)
        *nl = 0;
      if (sscanf(p, "%lx-%lx ", &s, &e) == 2 && strchr(p, ' ') && p[0] != ' ') {
        in = s >= lo && e <= hi;
        entries += in;
      } else if (in && sscanf(p, "Size: %lu kB", &kb) == 1)
        size += kb;
      else if (in && sscanf(p, "Rss: %lu kB", &kb) == 1)
        rss += kb;
      if (!nl)
        break;
      p = nl + 1;
    }
    if (round == 0)
      printf("smaps entries in the region: %d, Size %ld kB, Rss %ld kB\n", entries, size, rss);
    OK("smaps: one entry per maps line", entries == maps);
    OK("smaps: Size and Rss add up to the region", size == PAGES * pg / 1024 && rss == size);
  }
  return t_failed != 0;
}
