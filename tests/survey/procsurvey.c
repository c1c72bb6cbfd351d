/* procsurvey.c - walks /proc, /sys and /dev and prints one line per entry:
 *
 *   PATH TYPE MODE open=RESULT read=RESULT [write=RESULT]
 *
 * TYPE is d/f/l/c/b/p/s, MODE the permission bits in octal, open the
 * result of open(O_RDONLY|O_NONBLOCK) ("ok" or the errno's name), read
 * the result of one read of up to 64 KiB ("ok", "empty" or the errno's
 * name; directories are read with getdents through opendir).  /proc/sys
 * files get write=: with --write the value just read is written back
 * (run this only as root in a guest: it rewrites every sysctl), without
 * it the file is only opened O_WRONLY and closed (a permission check
 * that changes nothing, safe on the host).  With --probe the paths to
 * look at are read from stdin (one a line) and nothing is walked.
 *
 * A survey, not a test: tests/survey/procsurvey.sh runs it natively and
 * under umk and diffs the outputs.  Host-specific names are normalised so
 * the runs compare: the thread's TID becomes TID, network interfaces
 * other than lo/all/default are skipped, and numeric /proc entries
 * (other processes) are not walked.  Files that block, consume host
 * state or are hardware specific are not opened (see noopen()). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int do_write;
static char buf[65536];
static char tidstr[32], pidstr[32];

static void onalarm(int s) { (void)s; }

static const char *ename(int e) {
  const char *n = strerrorname_np(e);
  return n ? n : "E?";
}

/* files never opened: they block, take host state or touch hardware */
static int noopen(const char *p) {
  static const char *const no[] = {
      "/proc/kmsg", "/proc/kcore", "/sys/kernel/tracing", "/sys/kernel/debug",
      "/sys/kernel/security", "/proc/self/clear_refs", "/proc/sysrq-trigger",
      "/sys/kernel/mm/transparent_hugepage/khugepaged/defrag",
      "/proc/sys/vm/drop_caches", "/proc/sys/vm/compact_memory",
      "/proc/sys/kernel/sysrq", "/proc/sys/vm/stat_refresh",
      "/proc/sys/fs/binfmt_misc", "/proc/sys/kernel/ns_last_pid",
      "/proc/self/mem", NULL};
  for (int i = 0; no[i]; i++) {
    size_t n = strlen(no[i]);
    if (!strncmp(p, no[i], n) && (!p[n] || p[n] == '/')) return 1;
  }
  if (!strncmp(p, "/dev/", 5)) {
    /* only the device nodes every system has */
    static const char *const ok[] = {"/dev/null", "/dev/zero", "/dev/full",
        "/dev/random", "/dev/urandom", "/dev/ptmx", "/dev/tty", "/dev/shm",
        "/dev/pts", "/dev/fd", "/dev/mqueue", "/dev/stdin", "/dev/stdout",
        "/dev/stderr", NULL};
    for (int i = 0; ok[i]; i++)
      if (!strcmp(p, ok[i])) return 0;
    return 1;
  }
  const char *b = strrchr(p, '/');
  if (!strncmp(p, "/proc/", 6) && b && (!strcmp(b, "/mem") || !strcmp(b, "/clear_refs")))
    return 1;
  return 0;
}

static char tchar(mode_t m) {
  switch (m & S_IFMT) {
  case S_IFDIR: return 'd';
  case S_IFREG: return 'f';
  case S_IFLNK: return 'l';
  case S_IFCHR: return 'c';
  case S_IFBLK: return 'b';
  case S_IFIFO: return 'p';
  case S_IFSOCK: return 's';
  }
  return '?';
}

/* the printed name: the TID of this thread and our PID replaced */
static void pname(const char *p, char *out, size_t n) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", p);
  char *t = strstr(tmp, "/task/");
  if (t && !strncmp(t + 6, tidstr, strlen(tidstr)) &&
      (t[6 + strlen(tidstr)] == '/' || !t[6 + strlen(tidstr)])) {
    char rest[4096];
    snprintf(rest, sizeof rest, "%s", t + 6 + strlen(tidstr));
    snprintf(t, sizeof tmp - (size_t)(t - tmp), "/task/TID%s", rest);
  }
  snprintf(out, n, "%s", tmp);
}

static void entry(const char *p, int depth, int maxdepth);

static void walk(const char *dir, int depth, int maxdepth) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *de;
  char **names = NULL;
  size_t nn = 0;
  while ((de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    names = realloc(names, (nn + 1) * sizeof *names);
    names[nn++] = strdup(de->d_name);
  }
  closedir(d);
  for (size_t i = 0; i < nn; i++) {
    const char *n = names[i];
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, n);
    int skip = 0;
    /* other processes */
    if (!strcmp(dir, "/proc") && n[strspn(n, "0123456789")] == 0) skip = 1;
    /* host network interfaces */
    if ((strstr(dir, "/net/ipv4/conf") || strstr(dir, "/net/ipv6/conf") ||
         strstr(dir, "/net/ipv4/neigh") || strstr(dir, "/net/ipv6/neigh") ||
         !strcmp(dir, "/sys/class/net")) &&
        strcmp(n, "lo") && strcmp(n, "all") && strcmp(n, "default"))
      skip = 1;
    /* descriptors the walk itself has open */
    if ((!strcmp(strrchr(dir, '/'), "/fd") || !strcmp(strrchr(dir, '/'), "/fdinfo")) &&
        atoi(n) > 2)
      skip = 1;
    /* other threads */
    if (strstr(dir, "/task") && !strcmp(strrchr(dir, '/'), "/task") && strcmp(n, tidstr))
      skip = 1;
    if (!skip) entry(p, depth + 1, maxdepth);
    free(names[i]);
  }
  free(names);
}

static void entry(const char *p, int depth, int maxdepth) {
  struct stat st;
  char name[4096];
  pname(p, name, sizeof name);
  if (lstat(p, &st) < 0) {
    printf("%s - - lstat=%s\n", name, ename(errno));
    return;
  }
  char t = tchar(st.st_mode);
  printf("%s %c %04o", name, t, (unsigned)(st.st_mode & 07777));
  if (t == 'l') {
    struct stat s2;
    printf(" target=%s\n", stat(p, &s2) == 0 ? "ok" : ename(errno));
    return;
  }
  if (noopen(p)) {
    printf(" open=skip\n");
    if (t == 'd' && depth < maxdepth && strncmp(p, "/dev/", 5)) walk(p, depth, maxdepth);
    return;
  }
  if (t == 'd') {
    DIR *d = opendir(p);
    printf(" open=%s\n", d ? "ok" : ename(errno));
    if (d) closedir(d);
    if (depth < maxdepth) walk(p, depth, maxdepth);
    return;
  }
  alarm(2);
  int fd = open(p, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    printf(" open=%s", ename(errno));
  } else {
    ssize_t r = read(fd, buf, sizeof buf);
    printf(" open=ok read=%s", r > 0 ? "ok" : r == 0 ? "empty" : ename(errno));
    close(fd);
    if (!strncmp(p, "/proc/sys/", 10) && t == 'f') {
      if (do_write && r > 0) {
        int w = open(p, O_WRONLY);
        if (w < 0) {
          printf(" write=open:%s", ename(errno));
        } else {
          ssize_t k = write(w, buf, (size_t)r);
          printf(" write=%s", k == r ? "ok" : k >= 0 ? "short" : ename(errno));
          close(w);
        }
      } else if (!do_write) {
        int w = open(p, O_WRONLY);
        printf(" write=%s", w >= 0 ? "open-ok" : ename(errno));
        if (w >= 0) close(w);
      }
    }
  }
  alarm(0);
  if (fd < 0 && !strncmp(p, "/proc/sys/", 10) && t == 'f') {
    int w = open(p, O_WRONLY);
    printf(" write=%s", w >= 0 ? "open-ok" : ename(errno));
    if (w >= 0) close(w);
  }
  printf("\n");
}

int main(int argc, char **argv) {
  int probe = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--write")) do_write = 1;
    if (!strcmp(argv[i], "--probe")) probe = 1;
  }
  struct sigaction sa = {.sa_handler = onalarm};
  sigaction(SIGALRM, &sa, NULL);
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  snprintf(tidstr, sizeof tidstr, "%ld", (long)syscall(SYS_gettid));
  snprintf(pidstr, sizeof pidstr, "%d", getpid());
  if (probe) {
    /* paths from stdin (TID standing for our thread), each looked up
     * directly: finds entries a directory listing leaves out */
    char line[4096], p[8192];
    while (fgets(line, sizeof line, stdin)) {
      line[strcspn(line, "\n")] = 0;
      char *t = strstr(line, "/task/TID");
      if (t) {
        *t = 0;
        snprintf(p, sizeof p, "%s/task/%s%s", line, tidstr, t + 9);
      } else {
        snprintf(p, sizeof p, "%s", line);
      }
      if (*p == '/') entry(p, 0, 0);
    }
    return 0;
  }
  static const struct { const char *p; int depth; } roots[] = {
      {"/proc/self", 2},   {"/proc", 1},
      {"/proc/sys", 6},    {"/proc/self/task", 3},
      {"/sys/class", 2},   {"/sys/devices/system/cpu", 2},
      {"/sys/fs/cgroup", 1}, {"/sys/kernel", 2},
      {"/sys/fs", 1},      {"/dev", 2},
  };
  for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
    printf("# %s\n", roots[i].p);
    walk(roots[i].p, 0, roots[i].depth);
  }
  return 0;
}
