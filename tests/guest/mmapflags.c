/* mmapflags.c - mmap's flag checks as Linux's do_mmap: MAP_SHARED_VALIDATE
 * (EOPNOTSUPP for unknown flags on files, EINVAL for anonymous memory),
 * MAP_SHARED ignoring unknown flags, MAP_DROPPABLE, a missing type;
 * smaps' VmFlags "nr" for MAP_NORESERVE only (overcommit_memory 0 on the
 * host, as by default). */
#include "t.h"
#include <fcntl.h>
#include <sys/mman.h>

/* whether /proc/self/smaps' VmFlags of the mapping at p has "nr" (-1: none found) */
static int vmflags_nr(void *p) {
  FILE *f = fopen("/proc/self/smaps", "r");
  char line[512], want[32];
  int in = 0, r = -1;
  snprintf(want, sizeof want, "%lx-", (unsigned long)p);
  while (f && fgets(line, sizeof line, f)) {
    if (!strncmp(line, want, strlen(want)))
      in = 1;
    else if (in && !strncmp(line, "VmFlags:", 8)) {
      line[strcspn(line, "\n")] = ' ';
      r = strstr(line, " nr ") != NULL;
      break;
    }
  }
  if (f)
    fclose(f);
  return r;
}

int main(void) {
  int fd = open("/tmp/mmapflags", O_RDWR | O_CREAT | O_TRUNC, 0600);
  ftruncate(fd, 4096);
  struct { const char *n; int f; int fd; } c[] = {
    {"file validate", MAP_SHARED_VALIDATE, fd},
    {"file validate unknown flag", MAP_SHARED_VALIDATE | 0x800000, fd},
    {"file validate MAP_SYNC", MAP_SHARED_VALIDATE | MAP_SYNC, fd},
    {"file validate noreplace", MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE, fd},
    {"anon validate", MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1},
    {"file shared unknown flag", MAP_SHARED | 0x800000, fd},
    {"file validate huge bits", MAP_SHARED_VALIDATE | (21 << 26), fd},
    {"no type", MAP_ANONYMOUS, -1},
    {"droppable", 0x08 | MAP_ANONYMOUS, -1},
    {"droppable file", 0x08, fd},
  };
  for (unsigned i = 0; i < sizeof c / sizeof *c; i++) {
    errno = 0;
    void *p = mmap(NULL, 4096, PROT_READ, c[i].f, c[i].fd, 0);
    printf("%s: %s\n", c[i].n, p == MAP_FAILED ? en(errno) : "ok");
  }
  /* VM_MAYWRITE: a shared mapping of a read-only fd cannot become writable */
  int ro = open("/tmp/mmapflags", O_RDONLY), zero = open("/dev/zero", O_RDONLY);
  char *a = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
  char *b = mmap(NULL, 4096, PROT_READ, MAP_SHARED, zero, 0);
  char *d = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, ro, 0);
  ERR("mprotect write shared read-only file", mprotect(a, 4096, PROT_READ | PROT_WRITE), EACCES);
  ERR("mprotect write shared read-only /dev/zero", mprotect(b, 4096, PROT_WRITE), EACCES);
  OK("mprotect write private read-only file", mprotect(d, 4096, PROT_READ | PROT_WRITE) == 0);
  unlink("/tmp/mmapflags");
  char *plain = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *nores = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  OK("VmFlags: no nr without MAP_NORESERVE", vmflags_nr(plain) == 0);
  OK("VmFlags: nr with it", vmflags_nr(nores) == 1);
  return t_done();
}
