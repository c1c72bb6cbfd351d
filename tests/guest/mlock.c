/* mlock.c - mlock, mlock2, munlock, mlockall, munlockall: VmLck and
 * smaps Locked as Linux counts them, holes (ENOMEM), flags (EINVAL),
 * fork not inheriting locks, MCL_FUTURE, and madvise's answers on locked
 * and unmapped memory. */
#include "t.h"
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static long vmlck(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long v = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmLck: %ld", &v) == 1) break;
  if (f) fclose(f);
  return v;
}

/* the Locked: of the smaps entry starting at addr, in kB */
static long smaps_locked(void *addr) {
  FILE *f = fopen("/proc/self/smaps", "r");
  char line[256];
  long v = -1;
  int in = 0;
  while (f && fgets(line, sizeof line, f)) {
    unsigned long s, e;
    if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, ' ') == strchr(line, '-') + strcspn(strchr(line, '-'), " ")) in = s == (unsigned long)addr;
    else if (in && sscanf(line, "Locked: %ld", &v) == 1) break;
  }
  if (f) fclose(f);
  return v;
}

int main(void) {
  long pg = sysconf(_SC_PAGESIZE), base = vmlck();
  char *p = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  OK("mlock", mlock(p + 10, 2 * pg) == 0);   /* rounds out to 3 pages */
  printf("VmLck +%ld kB\n", vmlck() - base);
  printf("smaps Locked %ld kB\n", smaps_locked(p));
  OK("mlock again counts once", mlock(p, 3 * pg) == 0 && vmlck() - base == 3 * pg / 1024);
  ERR("madvise dontneed locked", madvise(p, pg, MADV_DONTNEED), EINVAL);
  OK("madvise dontneed unlocked", madvise(p + 4 * pg, pg, MADV_DONTNEED) == 0);
  OK("madvise willneed anon", madvise(p + 4 * pg, pg, MADV_WILLNEED) == 0);
  pid_t c = fork();
  if (c == 0) _exit(vmlck() == base ? 0 : 1);
  int st;
  waitpid(c, &st, 0);
  OK("fork does not inherit locks", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  OK("munlock", munlock(p, 8 * pg) == 0 && vmlck() == base);
  ERR("mlock2 bad flags", syscall(SYS_mlock2, p, pg, 2), EINVAL);
  OK("mlock2 onfault", syscall(SYS_mlock2, p, 2 * pg, MLOCK_ONFAULT) == 0 && vmlck() - base == 2 * pg / 1024);
  munlock(p, 2 * pg);
  {
    /* mincore: untouched pages are not resident, touched and mlocked ones are */
    char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char vec[4];
    m[pg] = 1;
    mincore(m, 4 * pg, vec);
    printf("mincore after touching page 1: %d%d%d%d\n", vec[0] & 1, vec[1] & 1, vec[2] & 1, vec[3] & 1);
    mlock(m + 2 * pg, pg);
    mincore(m, 4 * pg, vec);
    printf("mincore after mlock of page 2: %d%d%d%d\n", vec[0] & 1, vec[1] & 1, vec[2] & 1, vec[3] & 1);
    munmap(m + 3 * pg, pg);
    ERR("mincore over hole", mincore(m, 4 * pg, vec), ENOMEM);
    ERR("mincore bad vector", mincore(m, pg, (void *)8), EFAULT);
    munmap(m, 3 * pg);
  }
  munmap(p + 2 * pg, pg);
  ERR("mlock over hole", mlock(p, 4 * pg), ENOMEM);
  printf("VmLck after hole +%ld kB\n", vmlck() - base);
  ERR("munlock over hole", munlock(p, 4 * pg), ENOMEM);
  OK("munlock before hole", vmlck() == base);
  ERR("madvise over hole", madvise(p, 4 * pg, MADV_NORMAL), ENOMEM);
  ERR("mlock unmapped", mlock((void *)pg, pg), ENOMEM);
  OK("mlock zero length", mlock(p, 0) == 0);
  ERR("mlockall none", mlockall(0), EINVAL);
  ERR("mlockall onfault alone", mlockall(MCL_ONFAULT), EINVAL);
  ERR("mlockall bad", mlockall(64), EINVAL);
  OK("mlockall future", mlockall(MCL_FUTURE) == 0);
  long before = vmlck();
  char *q = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("future mapping VmLck +%ld kB\n", vmlck() - before);
  OK("munlockall", munlockall() == 0 && vmlck() == 0);
  char *r = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  OK("no future lock after munlockall", vmlck() == 0);
  OK("mmap MAP_LOCKED", mmap(r, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, -1, 0) == r && vmlck() == pg / 1024);
  munmap(q, 4 * pg);
  return t_done();
}
