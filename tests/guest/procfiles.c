/* procfiles.c - the /proc files programs read and write besides stat and
 * status: errno of writes to read-only files (EINVAL for a process's,
 * EIO for the others), loginuid and sessionid (pam_loginuid), timer
 * slack through /proc and prctl, coredump_filter, personality, the LSM
 * attr/ files of a kernel without an LSM, io counters, smaps and
 * smaps_rollup (pmap -x, psutil), and /proc/vmstat, swaps and
 * partitions; /proc/self/pagemap (present bits of touched and untouched
 * pages, holes, MAP_POPULATE, entry alignment).  Prints relationships,
 * never the host's numbers.                                          */
#include "t.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static long wr(const char *path, const char *s) {
  int fd = open(path, O_WRONLY);
  if (fd < 0) return -1;
  long r = write(fd, s, strlen(s));
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

static char *rd(const char *path) {
  static char buf[65536];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return NULL;
  ssize_t n, o = 0;
  while ((n = read(fd, buf + o, sizeof buf - 1 - o)) > 0) o += n;
  int e = errno;
  close(fd);
  buf[o] = 0;
  errno = e;
  return n < 0 ? NULL : buf;
}

static long field(const char *text, const char *key) {
  const char *p = text ? strstr(text, key) : NULL;
  return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void pagemap_checks(void) {
  long pg = sysconf(_SC_PAGESIZE);
  char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(m + 3 * pg, pg);   /* page 3: a hole */
  m[0] = 1;
  m[2 * pg] = 1;
  int fd = open("/proc/self/pagemap", O_RDONLY);
  OK("pagemap open", fd >= 0);
  uint64_t e[4];
  OK("pagemap read 4 entries", pread(fd, e, sizeof e, (off_t)((uintptr_t)m / pg * 8)) == sizeof e);
  for (int i = 0; i < 4; i++)
    printf("pagemap page %d: present %d swapped %d file %d\n", i, (int)(e[i] >> 63), (int)(e[i] >> 62 & 1), (int)(e[i] >> 61 & 1));
  OK("pagemap hole is 0", e[3] == 0);
  char *f = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  OK("pagemap MAP_POPULATE shared", pread(fd, e, 16, (off_t)((uintptr_t)f / pg * 8)) == 16);
  printf("populated shared: present %d %d file %d\n", (int)(e[0] >> 63), (int)(e[1] >> 63), (int)(e[0] >> 61 & 1));
  char b[8];
  ERR("pagemap read of 7 bytes", read(fd, b, 7), EINVAL);
  lseek(fd, 4, SEEK_SET);
  ERR("pagemap read at offset 4", read(fd, b, 8), EINVAL);
  lseek(fd, 0x7ffffffff000 / pg * 8, SEEK_SET);
  RES("pagemap read past user space", read(fd, b, 8));
  ERR("pagemap SEEK_END", lseek(fd, 0, SEEK_END), EINVAL);
  close(fd);
  munmap(m, 3 * pg);
  munmap(f, 2 * pg);
}

int main(void) {
  pagemap_checks();
  /* writes to files that take none */
  ERR("write /proc/self/stat", wr("/proc/self/stat", "0\n"), EINVAL);
  ERR("write /proc/self/status", wr("/proc/self/status", "0\n"), EINVAL);
  ERR("write /proc/self/limits", wr("/proc/self/limits", "0\n"), EINVAL);
  ERR("write /proc/self/mounts", wr("/proc/self/mounts", "0\n"), EINVAL);
  ERR("write /proc/meminfo", wr("/proc/meminfo", "0\n"), EIO);
  ERR("write /proc/uptime", wr("/proc/uptime", "0\n"), EIO);

  /* loginuid: unset, set once by the task itself, a new session */
  char *s = rd("/proc/self/loginuid");
  printf("loginuid: %s\n", s ? s : en(errno));
  s = rd("/proc/self/sessionid");
  printf("sessionid: %s\n", s ? s : en(errno));
  OK("set loginuid", wr("/proc/self/loginuid", "1000") == 4);
  s = rd("/proc/self/loginuid");
  printf("loginuid now: %s\n", s ? s : en(errno));
  s = rd("/proc/self/sessionid");
  OK("a session id once loginuid is set", s && strcmp(s, "4294967295") && atol(s) > 0);
  ERR("loginuid not a number", wr("/proc/self/loginuid", "x1"), EINVAL);
  pid_t c = fork();
  if (c == 0) {
    char *l = rd("/proc/self/loginuid");
    _exit(l && !strcmp(l, "1000") ? 0 : 1);
  }
  int st;
  waitpid(c, &st, 0);
  OK("loginuid inherited", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  char path[64];
  c = fork();
  if (c == 0) { pause(); _exit(0); }
  snprintf(path, sizeof path, "/proc/%d/loginuid", c);
  ERR("another process's loginuid", wr(path, "5"), EPERM);
  kill(c, SIGKILL);
  waitpid(c, &st, 0);

  /* timer slack */
  s = rd("/proc/self/timerslack_ns");
  printf("timerslack_ns: %s", s ? s : "?\n");
  printf("PR_GET_TIMERSLACK: %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
  OK("PR_SET_TIMERSLACK", prctl(PR_SET_TIMERSLACK, 200000, 0, 0, 0) == 0);
  s = rd("/proc/self/timerslack_ns");
  printf("after prctl: %s", s ? s : "?\n");
  OK("write timerslack_ns", wr("/proc/self/timerslack_ns", "300000\n") == 7);
  printf("PR_GET_TIMERSLACK after the write: %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
  c = fork();
  if (c == 0) {
    prctl(PR_SET_TIMERSLACK, 7, 0, 0, 0);
    prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0);    /* back to what it was created with */
    _exit(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == 300000 ? 0 : 1);
  }
  waitpid(c, &st, 0);
  OK("a child's default slack is its parent's", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  ERR("timerslack_ns negative", wr("/proc/self/timerslack_ns", "-1"), EINVAL);

  /* core-dump filter: hex, any base written, 9 bits kept */
  s = rd("/proc/self/coredump_filter");
  printf("coredump_filter: %s", s ? s : "?\n");
  OK("write coredump_filter hex", wr("/proc/self/coredump_filter", "0x7f\n") > 0);
  s = rd("/proc/self/coredump_filter");
  printf("coredump_filter now: %s", s ? s : "?\n");
  wr("/proc/self/coredump_filter", "4095");
  s = rd("/proc/self/coredump_filter");
  printf("coredump_filter 4095: %s", s ? s : "?\n");
  c = fork();
  if (c == 0) {
    char *f = rd("/proc/self/coredump_filter");
    _exit(f && !strcmp(f, "000001ff\n") ? 0 : 1);
  }
  waitpid(c, &st, 0);
  OK("coredump_filter inherited", WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* personality */
  s = rd("/proc/self/personality");
  printf("personality: %s", s ? s : "?\n");
  personality(ADDR_NO_RANDOMIZE);
  s = rd("/proc/self/personality");
  printf("personality now: %s", s ? s : "?\n");

  /* LSM attributes with no LSM */
  int fd = open("/proc/self/attr/current", O_RDONLY);
  OK("open attr/current", fd >= 0);
  char b[64];
  ERR("read attr/current", read(fd, b, sizeof b), EINVAL);
  close(fd);
  ERR("write attr/current", wr("/proc/self/attr/current", "unconfined"), EINVAL);
  ERR("write attr/exec", wr("/proc/self/attr/exec", "x"), EINVAL);
  ERR("read attr/prev", rd("/proc/self/attr/prev") ? 0 : -1, EINVAL);

  /* io: the read and write calls, and their bytes */
  s = rd("/proc/self/io");
  long r0 = field(s, "rchar: "), c0 = field(s, "syscr: "), w0 = field(s, "wchar: "), cw0 = field(s, "syscw: ");
  OK("io has every field", s && strstr(s, "read_bytes: ") && strstr(s, "cancelled_write_bytes: "));
  int z = open("/dev/zero", O_RDONLY);
  static char big[100000];
  read(z, big, sizeof big);
  close(z);
  int nul = open("/dev/null", O_WRONLY);
  write(nul, big, 5000);
  close(nul);
  s = rd("/proc/self/io");
  OK("rchar counts the bytes read", field(s, "rchar: ") - r0 >= 100000);
  OK("syscr counts read calls", field(s, "syscr: ") - c0 >= 2);
  OK("wchar counts the bytes written", field(s, "wchar: ") - w0 >= 5000);
  OK("syscw counts write calls", field(s, "syscw: ") - cw0 >= 1);

  /* smaps: 16 pages touched of a 32-page mapping */
  long pg = sysconf(_SC_PAGESIZE);
  char *m = mmap(NULL, 32 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(m, 1, 16 * pg);
  s = rd("/proc/self/smaps");
  char hdr[32];
  snprintf(hdr, sizeof hdr, "%lx-", (unsigned long)m);
  char *e = s ? strstr(s, hdr) : NULL;
  OK("smaps has the mapping", e != NULL);
  printf("its Size: %ld kB\n", field(e, "Size:"));
  printf("its Rss: %ld kB\n", field(e, "\nRss:"));
  printf("its Anonymous: %ld kB\n", field(e, "Anonymous:"));
  OK("smaps has VmFlags", e && strstr(e, "VmFlags:"));
  s = rd("/proc/self/smaps_rollup");
  OK("smaps_rollup", s && strstr(s, "[rollup]\n") && field(s, "\nRss:") >= 64);
  munmap(m, 32 * pg);

  /* system-wide files read by vmstat and swapon */
  s = rd("/proc/vmstat");
  OK("/proc/vmstat", s && strstr(s, "nr_free_pages ") && strstr(s, "pgfault "));
  s = rd("/proc/swaps");
  OK("/proc/swaps", s && !strncmp(s, "Filename", 8));
  s = rd("/proc/partitions");
  OK("/proc/partitions", s && !strncmp(s, "major minor  #blocks  name\n\n", 28));
  return t_done();
}
