/* mem.c - memory management: brk/sbrk, anonymous mmap/munmap/mprotect with
 * the SIGSEGV (si_code, si_addr) of a bad access, mremap growing and
 * moving, MAP_PRIVATE and MAP_SHARED file mappings, madvise(DONTNEED),
 * copy-on-write after fork, the errno of bad arguments, mappings of
 * /dev/zero, thousands of separate mappings, and the device and inode
 * that /proc/self/maps gives a mapped file.                           */
#include "t.h"
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

static sigjmp_buf jb;
static siginfo_t last;
static long pg;

static void on_segv(int sig, siginfo_t *si, void *uc) { (void)sig; (void)uc; last = *si; siglongjmp(jb, 1); }

/* try a read or write at p; print what happened relative to p */
static void probe(const char *what, volatile char *p, int write) {
  last.si_signo = 0;
  if (sigsetjmp(jb, 1) == 0) {
    if (write) *p = 1; else (void)*p;
    printf("%s: no fault\n", what);
  } else
    printf("%s: %s addr %s\n", what,
           last.si_signo == SIGBUS ? (last.si_code == BUS_ADRERR ? "SIGBUS BUS_ADRERR" : "SIGBUS other")
           : last.si_code == SEGV_MAPERR ? "SIGSEGV SEGV_MAPERR" : last.si_code == SEGV_ACCERR ? "SIGSEGV SEGV_ACCERR" : "other",
           last.si_addr == (void *)p ? "matches" : "differs");
}

static int all(const char *p, long n, char v) {
  for (long i = 0; i < n; i++) if (p[i] != v) return 0;
  return 1;
}

int main(void) {
  pg = sysconf(_SC_PAGESIZE);
  printf("page size %ld\n", pg);
  struct sigaction sa = {0};
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);

  /* brk / sbrk */
  char *b0 = (char *)syscall(SYS_brk, 0);
  OK("brk(0) returns current break", b0 == sbrk(0));
  char *b = sbrk(1 << 20);
  OK("sbrk 1 MiB", b != (void *)-1 && sbrk(0) == b + (1 << 20));
  memset(b, 0x5a, 1 << 20);
  OK("sbrk memory usable", all(b, 1 << 20, 0x5a));
  OK("sbrk shrink", sbrk(-(1 << 20)) != (void *)-1 && sbrk(0) == b);
  OK("brk to an absurd address fails by returning old break",
     syscall(SYS_brk, 0x7ffffffff000UL) == (long)sbrk(0));
  b = sbrk(pg);
  OK("regrown brk memory is zero", all(b, pg, 0));
  sbrk(-pg);

  /* anonymous mmap, mprotect, munmap */
  char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  OK("mmap anon", m != MAP_FAILED && ((uintptr_t)m & (pg - 1)) == 0);
  OK("anon memory is zero", all(m, 4 * pg, 0));
  memset(m, 'a', 4 * pg);
  OK("mprotect read-only", mprotect(m + pg, pg, PROT_READ) == 0);
  probe("write to read-only page", m + pg + 123, 1);
  probe("read of read-only page", m + pg + 123, 0);
  OK("neighbour still writable", (m[0] = 'b') == 'b' && (m[2 * pg] = 'c') == 'c');
  OK("mprotect PROT_NONE", mprotect(m + 2 * pg, pg, PROT_NONE) == 0);
  probe("read of PROT_NONE page", m + 2 * pg + 8, 0);
  OK("mprotect back", mprotect(m + pg, 2 * pg, PROT_READ | PROT_WRITE) == 0 && m[2 * pg] == 'c');
  OK("munmap middle page", munmap(m + pg, pg) == 0);
  probe("read of unmapped page", m + pg + 5, 0);
  OK("pages around the hole survive", m[0] == 'b' && m[3 * pg] == 'a');
  OK("munmap rest", munmap(m, 4 * pg) == 0);
  OK("munmap of unmapped range is fine", munmap(m, 4 * pg) == 0);
  ERR("mmap length 0", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
  ERR("mmap MAP_FIXED unaligned", mmap(m + 1, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);
  ERR("mmap neither private nor shared", mmap(NULL, pg, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
  ERR("mmap bad fd", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
  ERR("munmap unaligned", munmap(m + 1, pg), EINVAL);
  ERR("mprotect unmapped", mprotect(m, pg, PROT_READ), ENOMEM);
  ERR("mprotect unaligned", mprotect(m + 1, pg, PROT_READ), EINVAL);

  /* MAP_FIXED over an existing mapping replaces it */
  m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(m, 'x', 2 * pg);
  OK("MAP_FIXED replace", mmap(m, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == m &&
                              m[0] == 0 && m[pg] == 'x');
  ERR("MAP_FIXED_NOREPLACE on a mapping", mmap(m, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);

  /* mremap: grow (in place or moved), then forced move */
  for (long i = 0; i < 2 * pg; i++) m[i] = (char)(i % 251);
  char *g = mremap(m, 2 * pg, 8 * pg, MREMAP_MAYMOVE);
  OK("mremap grow", g != MAP_FAILED);
  int ok = 1;
  for (long i = 0; i < 2 * pg; i++) ok &= g[i] == (char)(i % 251);
  OK("mremap grow keeps content", ok);
  OK("grown part is zero and writable", all(g + 2 * pg, 6 * pg, 0) && (g[8 * pg - 1] = 1));
  char *dst = mmap(NULL, 8 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *mv = mremap(g, 8 * pg, 8 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
  OK("mremap MREMAP_FIXED moves", mv == dst);
  ok = 1;
  for (long i = 0; i < 2 * pg; i++) ok &= mv[i] == (char)(i % 251);
  OK("moved content preserved", ok && mv[8 * pg - 1] == 1);
  probe("old address after move", g, 0);
  ERR("mremap shrink to 0", mremap(mv, 8 * pg, 0, 0), EINVAL);
  char *sh = mremap(mv, 8 * pg, pg, 0);
  OK("mremap shrink in place", sh == mv && sh[5] == 5);
  probe("past the shrunk end", mv + pg, 0);
  munmap(mv, pg);
  ERR("mremap of unmapped", mremap(mv, pg, 2 * pg, MREMAP_MAYMOVE), EFAULT);
  m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ERR("mremap grow in place over a neighbour", mremap(m, pg, 2 * pg, 0), ENOMEM);
  munmap(m, 3 * pg);

  /* file mappings */
  char path[] = "/tmp/umk-mem.XXXXXX";
  int fd = mkstemp(path);
  char data[8192];
  for (int i = 0; i < 8192; i++) data[i] = (char)('A' + i % 26);
  OK("write file", fd >= 0 && write(fd, data, 6000) == 6000);
  char *f = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  OK("mmap MAP_PRIVATE file", f != MAP_FAILED && !memcmp(f, data, 6000));
  OK("tail of last page is zero", all(f + 6000, 2 * pg - 6000, 0));
  f[0] = '#';
  char c = 0;
  OK("private write does not reach file", pread(fd, &c, 1, 0) == 1 && c == 'A');
  probe("inside the file's last page", f + pg + 10, 0);
  probe("a page wholly beyond end of file", f + 2 * pg + 10, 0);
  munmap(f, 3 * pg);
  f = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
  OK("mmap MAP_SHARED at offset", f != MAP_FAILED && !memcmp(f, data + pg, 100));
  f[1] = '!';
  OK("shared write reaches file", pread(fd, &c, 1, pg + 1) == 1 && c == '!');
  OK("pwrite visible in shared map", pwrite(fd, "?", 1, pg + 2) == 1 && f[2] == '?');
  OK("msync", msync(f, pg, MS_SYNC) == 0);
  munmap(f, pg);
  ERR("mmap offset unaligned", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 1), EINVAL);
  int ro = open(path, O_RDONLY);
  ERR("MAP_SHARED writable on O_RDONLY fd", mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
  close(ro);
  close(fd);
  f = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, (fd = open(path, O_RDONLY)), 0);
  OK("mapping outlives close and unlink", f != MAP_FAILED && (close(fd), unlink(path)) == 0 && f[3] == 'D');
  munmap(f, pg);

  /* madvise DONTNEED zeroes private anonymous memory */
  m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(m, 'q', 2 * pg);
  OK("madvise DONTNEED", madvise(m, pg, MADV_DONTNEED) == 0 && all(m, pg, 0) && all(m + pg, pg, 'q'));

  /* copy-on-write across fork; MAP_SHARED anonymous is shared */
  char *s = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  s[0] = 's';
  pid_t p = fork();
  if (p == 0) { m[pg] = 'C'; s[0] = 'S'; _exit(m[pg] == 'C' ? 0 : 1); }
  int st;
  waitpid(p, &st, 0);
  OK("child wrote its copy", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  OK("parent's private page unchanged", m[pg] == 'q');
  OK("shared anonymous page changed", s[0] == 'S');

  /* /dev/zero: private and shared mappings are anonymous memory */
  int z = open("/dev/zero", O_RDWR);
  char *zp = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
  OK("mmap /dev/zero private", zp != MAP_FAILED && all(zp, 2 * pg, 0));
  char *zs = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0);
  OK("mmap /dev/zero shared", zs != MAP_FAILED && all(zs, pg, 0));
  zp[0] = 'p';
  zs[0] = 'z';
  p = fork();
  if (p == 0) { zs[1] = 'Z'; zp[1] = 'P'; _exit(0); }
  waitpid(p, &st, 0);
  OK("shared /dev/zero page shared with a child", zs[0] == 'z' && zs[1] == 'Z');
  OK("private /dev/zero page copied", zp[0] == 'p' && zp[1] == 0);
  int wo = open("/dev/zero", O_WRONLY);
  ERR("mmap /dev/zero opened write-only", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
  close(wo);
  ERR("mmap /dev/null", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, open("/dev/null", O_RDONLY), 0), ENODEV);
  munmap(zp, 2 * pg);
  munmap(zs, pg);
  close(z);

  /* thousands of mappings that cannot merge (Linux allows 65530) */
  enum { NMAP = 5000 };
  static char *mp[NMAP];
  int bad = 0, failed = 0;
  for (int i = 0; i < NMAP; i++) {
    mp[i] = mmap(NULL, pg, (i & 1) ? PROT_READ | PROT_WRITE : PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mp[i] == MAP_FAILED) { failed++; continue; }
    if (i & 1) *(int *)mp[i] = i;
  }
  for (int i = 1; i < NMAP; i += 2)
    if (mp[i] != MAP_FAILED && *(int *)mp[i] != i) bad++;
  OK("5000 separate mappings", failed == 0);
  OK("none overlaps another", bad == 0);
  for (int i = 0; i < NMAP; i++)
    if (mp[i] != MAP_FAILED) munmap(mp[i], pg);

  /* /proc/self/maps names a mapped file with its device and inode */
  int pf = open("/bin/sh", O_RDONLY);
  struct stat fst;
  fstat(pf, &fst);
  char *fm = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, pf, 0);
  FILE *mf = fopen("/proc/self/maps", "r");
  char line[512];
  int found = 0;
  while (mf && fgets(line, sizeof line, mf)) {
    unsigned long lo, hi, ino;
    unsigned maj, min;
    if (sscanf(line, "%lx-%lx %*s %*x %x:%x %lu", &lo, &hi, &maj, &min, &ino) == 5 && lo == (unsigned long)fm)
      found = maj == major(fst.st_dev) && min == minor(fst.st_dev) && ino == fst.st_ino ? 1 : -1;
  }
  if (mf) fclose(mf);
  OK("maps: a file's device and inode are stat's", found == 1);
  munmap(fm, pg);
  close(pf);
  return t_done();
}
