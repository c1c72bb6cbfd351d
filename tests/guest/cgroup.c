/* cgroup.c - cgroup v2: the cgroup2 mount found as LTP finds it
 * (/proc/self/mounts), the test's own cgroup (/proc/self/cgroup), a
 * child cgroup made, used and removed there (never the host's own
 * settings: natively the child is made in the host's hierarchy under the
 * test's cgroup and removed at the end), its core files, moving
 * processes with cgroup.procs, inheritance by fork, cgroup.events,
 * cgroup.kill, the limits on the tree (max.depth/descendants), rmdir and
 * rename rules, clone3 CLONE_INTO_CGROUP and its errors, and a cgroup
 * namespace's view of /proc/PID/cgroup and mountinfo.  No controller
 * is used (the host has its controllers on v1): cgroup_mem.c does that. */
#include "t.h"
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static char mnt[4096], start[4096], base[8192], T[8300];

static int find_mount(void) {
  FILE *f = fopen("/proc/self/mounts", "r");
  char line[8192], dev[256], dir[4096], type[64];
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "%255s %4095s %63s", dev, dir, type) == 3 && !strcmp(type, "cgroup2")) {
      strcpy(mnt, dir);
      fclose(f);
      return 0;
    }
  fclose(f);
  return -1;
}

/* the "0::" line of /proc/PID/cgroup (self if pid is 0) */
static int cg_of(int pid, char *out, size_t n) {
  char path[64], line[8192];
  if (pid) snprintf(path, sizeof path, "/proc/%d/cgroup", pid);
  else snprintf(path, sizeof path, "/proc/self/cgroup");
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "0::", 3)) {
      line[strcspn(line, "\n")] = 0;
      snprintf(out, n, "%s", line + 3);
      fclose(f);
      return 0;
    }
  fclose(f);
  return -1;
}

/* a path of the hierarchy relative to T ("T", "T/sub") or "other" */
static const char *rel_to_T(const char *cg) {
  static char buf[4096];
  char t[8192];
  snprintf(t, sizeof t, "%s%s", strcmp(start, "/") ? start : "", "/umkcgtest");
  size_t n = strlen(t);
  if (!strncmp(cg, t, n) && (cg[n] == 0 || cg[n] == '/')) {
    snprintf(buf, sizeof buf, "T%s", cg + n);
    return buf;
  }
  return "other";
}

static ssize_t rd(const char *dir, const char *file, char *buf, size_t n) {
  char p[9000];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  int fd = open(p, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t k = read(fd, buf, n - 1);
  close(fd);
  if (k >= 0) buf[k] = 0;
  return k;
}

static long wr(const char *dir, const char *file, const char *val) {
  char p[9000];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  int fd = open(p, O_WRONLY);
  if (fd < 0) return -1;
  ssize_t k = write(fd, val, strlen(val));
  int e = errno;
  close(fd);
  errno = e;
  return k < 0 ? -1 : 0;
}

static void sub(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", T, name); }

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

static int contains_pid(const char *s, int pid) {
  char want[32];
  snprintf(want, sizeof want, "%d", pid);
  for (const char *p = s; *p;) {
    size_t l = strcspn(p, "\n");
    if (l == strlen(want) && !strncmp(p, want, l)) return 1;
    p += l + (p[l] ? 1 : 0);
  }
  return 0;
}

static void rm_tree(const char *dir) {
  char p[9000];
  const char *subs[] = { "sub/deep", "sub2/deep", "sub", "sub2", "x", "a", "b", "gone", "busy", "ev", "fz", NULL };
  for (int i = 0; subs[i]; i++) {
    snprintf(p, sizeof p, "%s/%s", dir, subs[i]);
    rmdir(p);
  }
  rmdir(dir);
}

static pid_t clone_into(int cgfd, size_t size, uint64_t flags) {
  struct clone_args ca;
  memset(&ca, 0, sizeof ca);
  ca.flags = flags;
  ca.exit_signal = SIGCHLD;
  ca.cgroup = (uint64_t)cgfd;
  return (pid_t)syscall(SYS_clone3, &ca, size);
}

static void wait_unpopulated(const char *dir) {
  char buf[256];
  for (int i = 0; i < 200; i++) {
    if (rd(dir, "cgroup.events", buf, sizeof buf) > 0 && strstr(buf, "populated 0")) return;
    usleep(10000);
  }
}

int main(void) {
  char buf[16384], p[9000];
  if (geteuid() != 0) { printf("SKIP not root\n"); return 0; }
  if (find_mount() || cg_of(0, start, sizeof start)) { printf("SKIP no cgroup2 mount\n"); return 0; }
  snprintf(base, sizeof base, "%s%s", mnt, strcmp(start, "/") ? start : "");
  snprintf(T, sizeof T, "%s/umkcgtest", base);
  rm_tree(T);   /* a run killed half-way */

  struct statfs sf;
  OK("statfs cgroup2 magic", statfs(mnt, &sf) == 0 && sf.f_type == 0x63677270);
  OK("mkdir T", mkdir(T, 0755) == 0);
  ERR("mkdir T again", mkdir(T, 0755), EEXIST);
  struct stat st;
  OK("T is a directory", stat(T, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755);

  const char *files[] = { "cgroup.controllers", "cgroup.events", "cgroup.freeze", "cgroup.kill", "cgroup.max.depth",
                          "cgroup.max.descendants", "cgroup.procs", "cgroup.stat",
                          "cgroup.subtree_control", "cgroup.threads", "cgroup.type", NULL };
  for (int i = 0; files[i]; i++) {
    sub(p, sizeof p, files[i]);
    if (stat(p, &st)) printf("%s: %s\n", files[i], en(errno));
    else printf("%s: mode %o\n", files[i], st.st_mode & 07777);
  }
  rd(T, "cgroup.controllers", buf, sizeof buf); printf("controllers [%s]\n", buf);
  rd(T, "cgroup.subtree_control", buf, sizeof buf); printf("subtree_control [%s]\n", buf);
  rd(T, "cgroup.procs", buf, sizeof buf); printf("procs [%s]\n", buf);
  rd(T, "cgroup.events", buf, sizeof buf); printf("events [%s]\n", buf);
  rd(T, "cgroup.type", buf, sizeof buf); printf("type [%s]\n", buf);
  rd(T, "cgroup.max.depth", buf, sizeof buf); printf("max.depth [%s]\n", buf);
  rd(T, "cgroup.stat", buf, sizeof buf); buf[strcspn(buf, "\n")] = 0; printf("stat [%s]\n", buf);

  /* the files refuse what they do not do */
  ERR("write cgroup.events", wr(T, "cgroup.events", "1"), EINVAL);
  ERR("read cgroup.kill", rd(T, "cgroup.kill", buf, sizeof buf), EINVAL);
  OK("write nothing to cgroup.procs", wr(T, "cgroup.procs", "") == 0);
  ERR("procs 08", wr(T, "cgroup.procs", "08"), EINVAL);
  ERR("unlink cgroup.procs", unlink((sub(p, sizeof p, "cgroup.procs"), p)), EPERM);
  ERR("create a file", open((sub(p, sizeof p, "newfile"), p), O_CREAT | O_WRONLY, 0644), EACCES);
  ERR("mknod", mknod((sub(p, sizeof p, "fifo"), p), S_IFIFO | 0644, 0), EPERM);
  ERR("subtree_control +bogus", wr(T, "cgroup.subtree_control", "+bogus"), EINVAL);
  ERR("subtree_control bogus", wr(T, "cgroup.subtree_control", "memory"), EINVAL);
  ERR("subtree_control +memory (not in controllers)", wr(T, "cgroup.subtree_control", "+memory"), ENOENT);
  ERR("procs abc", wr(T, "cgroup.procs", "abc"), EINVAL);
  ERR("procs -1", wr(T, "cgroup.procs", "-1"), EINVAL);
  ERR("procs 999999999", wr(T, "cgroup.procs", "999999999"), ESRCH);
  ERR("kill 2", wr(T, "cgroup.kill", "2"), ERANGE);
  ERR("kill x", wr(T, "cgroup.kill", "x"), EINVAL);
  ERR("type domain", wr(T, "cgroup.type", "domain"), EINVAL);

  /* a worker moves itself in; its child inherits */
  int sync1[2], sync2[2];
  if (pipe(sync1) || pipe(sync2)) return 1;
  pid_t w = fork();
  if (w == 0) {
    char c, me[4096], kid[4096];
    if (wr(T, "cgroup.procs", "0")) _exit(10);
    cg_of(0, me, sizeof me);
    printf("worker in %s\n", rel_to_T(me));
    int gp[2];
    if (pipe(gp)) _exit(13);
    pid_t g = fork();
    if (g == 0) {
      cg_of(0, kid, sizeof kid);
      printf("grandchild in %s\n", rel_to_T(kid));
      if (write(gp[1], "g", 1) != 1) _exit(1);
      pause();
      _exit(0);
    }
    if (read(gp[0], &c, 1) != 1) _exit(14);
    if (write(sync1[1], "x", 1) != 1) _exit(11);
    if (read(sync2[0], &c, 1) != 1) _exit(12);
    pause();
    _exit(0);
  }
  char c;
  if (read(sync1[0], &c, 1) != 1) return 1;
  rd(T, "cgroup.procs", buf, sizeof buf);
  printf("procs has worker %d, lines %d\n", contains_pid(buf, w), count_lines(buf));
  rd(T, "cgroup.threads", buf, sizeof buf);
  printf("threads lines %d\n", count_lines(buf));
  rd(T, "cgroup.events", buf, sizeof buf); printf("events [%s]\n", buf);
  char wcg[4096];
  cg_of(w, wcg, sizeof wcg);
  printf("/proc/worker/cgroup: %s\n", rel_to_T(wcg));
  ERR("rmdir populated T", rmdir(T), EBUSY);
  OK("mkdir T/sub", mkdir((sub(p, sizeof p, "sub"), p), 0755) == 0);
  snprintf(buf, sizeof buf, "%d", w);
  OK("move worker to T/sub", wr(p, "cgroup.procs", buf) == 0);
  cg_of(w, wcg, sizeof wcg);
  printf("/proc/worker/cgroup: %s\n", rel_to_T(wcg));
  rd(T, "cgroup.events", buf, sizeof buf); printf("events T [%s]\n", buf);
  rd(T, "cgroup.stat", buf, sizeof buf); buf[strcspn(buf, "\n")] = 0; printf("stat [%s]\n", buf);
  ERR("rmdir T with a child", rmdir(T), EBUSY);
  /* cgroup.threads: the worker's thread within its own cgroup */
  snprintf(buf, sizeof buf, "%d", w);
  OK("threads: own cgroup", wr(p, "cgroup.threads", buf) == 0);
  /* cgroup v2 renames nothing */
  char p2[9000];
  sub(p2, sizeof p2, "sub2");
  ERR("rename T/sub T/sub2", rename(p, p2), EPERM);
  ERR("rename a file", rename((sub(p, sizeof p, "cgroup.procs"), p), (sub(p2, sizeof p2, "x"), p2)), EPERM);
  /* cgroup.kill: the worker and the grandchild that is still in T */
  OK("kill 1", wr(T, "cgroup.kill", "1") == 0);
  int ws = 0;
  OK("worker waited", waitpid(w, &ws, 0) == w);
  printf("worker killed by %d\n", WIFSIGNALED(ws) ? WTERMSIG(ws) : -1);
  wait_unpopulated(T);
  rd(T, "cgroup.events", buf, sizeof buf); printf("events after kill [%s]\n", buf);
  sub(p, sizeof p, "sub");
  OK("rmdir T/sub", rmdir(p) == 0);
  ERR("rmdir T/sub again", rmdir(p), ENOENT);

  /* limits on the tree */
  OK("max.depth 1", wr(T, "cgroup.max.depth", "1") == 0);
  OK("mkdir T/a", mkdir((sub(p, sizeof p, "a"), p), 0755) == 0);
  ERR("mkdir T/a/deep past max.depth", mkdir((sub(p, sizeof p, "a/deep"), p), 0755), EAGAIN);
  OK("max.descendants 1", wr(T, "cgroup.max.descendants", "1") == 0);
  ERR("mkdir T/b past max.descendants", mkdir((sub(p, sizeof p, "b"), p), 0755), EAGAIN);
  ERR("max.depth -1", wr(T, "cgroup.max.depth", "-1"), ERANGE);
  ERR("max.depth x", wr(T, "cgroup.max.depth", "x"), EINVAL);
  OK("max.depth 0x5", wr(T, "cgroup.max.depth", "0x5") == 0);
  rd(T, "cgroup.max.depth", buf, sizeof buf); printf("max.depth [%s]\n", buf);
  OK("max.descendants max", wr(T, "cgroup.max.descendants", "max") == 0);
  rd(T, "cgroup.max.descendants", buf, sizeof buf); printf("max.descendants [%s]\n", buf);
  rmdir((sub(p, sizeof p, "a"), p));

  /* clone3 CLONE_INTO_CGROUP */
  OK("mkdir T/x", mkdir((sub(p, sizeof p, "x"), p), 0755) == 0);
  int cfd = open(p, O_PATH | O_DIRECTORY);
  OK("open T/x O_PATH", cfd >= 0);
  pid_t k = clone_into(cfd, CLONE_ARGS_SIZE_VER2, CLONE_INTO_CGROUP);
  if (k == 0) {
    char me[4096];
    cg_of(0, me, sizeof me);
    _exit(strcmp(rel_to_T(me), "T/x") ? 1 : 0);
  }
  OK("clone3 into T/x", k > 0);
  ws = -1;
  waitpid(k, &ws, 0);
  printf("child saw itself in T/x: %d\n", WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
  ERR("clone3 into fd 9999", clone_into(9999, CLONE_ARGS_SIZE_VER2, CLONE_INTO_CGROUP), EBADF);
  int tmpfd = open("/", O_RDONLY | O_DIRECTORY);
  ERR("clone3 into a non-cgroup dir", clone_into(tmpfd, CLONE_ARGS_SIZE_VER2, CLONE_INTO_CGROUP), EBADF);
  close(tmpfd);
  int filefd = open((sub(p, sizeof p, "x/cgroup.procs"), p), O_RDONLY);
  ERR("clone3 into a cgroup file", clone_into(filefd, CLONE_ARGS_SIZE_VER2, CLONE_INTO_CGROUP), EBADF);
  close(filefd);
  ERR("clone3 cgroup fd -1", clone_into(-1, CLONE_ARGS_SIZE_VER2, CLONE_INTO_CGROUP), EINVAL);
  ERR("clone3 CLONE_INTO_CGROUP in a VER1 struct", clone_into(cfd, CLONE_ARGS_SIZE_VER1, CLONE_INTO_CGROUP), EINVAL);
  ERR("clone3 unknown flag 1<<40", clone_into(cfd, CLONE_ARGS_SIZE_VER2, 1ULL << 40), EINVAL);
  OK("mkdir T/gone", mkdir((sub(p, sizeof p, "gone"), p), 0755) == 0);
  int gfd = open(p, O_RDONLY | O_DIRECTORY);
  OK("rmdir T/gone", rmdir(p) == 0);
  ERR("clone3 into a removed cgroup", clone_into(gfd, CLONE_ARGS_SIZE_VER2, CLONE_INTO_CGROUP), ENOENT);
  close(gfd);
  close(cfd);

  /* a cgroup namespace made in T/x */
  if (pipe(sync1)) return 1;
  pid_t parent = getpid();
  pid_t nsw = fork();
  if (nsw == 0) {
    char me[4096], other[4096], line[8192];
    sub(p, sizeof p, "x");
    if (wr(p, "cgroup.procs", "0")) _exit(10);
    if (unshare(CLONE_NEWCGROUP)) { printf("unshare: %s\n", en(errno)); _exit(11); }
    cg_of(0, me, sizeof me);
    cg_of(parent, other, sizeof other);
    printf("in ns: self %s\n", me);
    /* the parent's cgroup lies above the namespace's root: "/.." per level */
    int ups = 0;
    for (const char *s = other; (s = strstr(s, "/..")); s += 3) ups++;
    int sdepth = 0;
    for (const char *s = start; *s; s++) sdepth += *s == '/' && s[1];
    printf("in ns: parent %d levels up\n", ups - sdepth);
    FILE *f = fopen("/proc/self/mountinfo", "r");
    while (f && fgets(line, sizeof line, f)) {
      char root[4096], mp[4096];
      if (strstr(line, " - cgroup2 ") && sscanf(line, "%*d %*d %*s %4095s %4095s", root, mp) == 2 &&
          !strcmp(mp, mnt)) {
        int u = 0;
        for (const char *s = root; (s = strstr(s, "/..")); s += 3) u++;
        printf("in ns: mountinfo root %d levels up\n", u - sdepth);
      }
    }
    if (f) fclose(f);
    /* a cgroup2 mount made in the namespace shows its root, T/x */
    if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
      printf("mount ns: %s\n", en(errno));
      _exit(12);
    }
    mkdir("cgmnt", 0755);
    errno = 0;
    printf("mount cgroup2 bogus option: %s\n", mount("cgroup2", "cgmnt", "cgroup2", 0, "bogus") ? en(errno) : "ok");
    if (mount("cgroup2", "cgmnt", "cgroup2", 0, NULL)) { printf("mount cgroup2: %s\n", en(errno)); _exit(13); }
    printf("mounted: events %d, umkcgtest %d\n", stat("cgmnt/cgroup.events", &st) == 0,
           stat("cgmnt/umkcgtest", &st) == 0);
    rd("cgmnt", "cgroup.procs", line, sizeof line);
    printf("mounted: procs has self %d\n", contains_pid(line, getpid()));
    f = fopen("/proc/self/mountinfo", "r");
    while (f && fgets(line, sizeof line, f)) {
      char root[4096], mp[4096];
      if (strstr(line, " - cgroup2 ") && sscanf(line, "%*d %*d %*s %4095s %4095s", root, mp) == 2 &&
          strstr(mp, "/cgmnt"))
        printf("mounted: mountinfo root %s\n", root);
    }
    if (f) fclose(f);
    umount("cgmnt");
    rmdir("cgmnt");
    _exit(0);
  }
  ws = -1;
  waitpid(nsw, &ws, 0);
  printf("ns worker exit %d\n", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
  wait_unpopulated((sub(p, sizeof p, "x"), p));
  OK("rmdir T/x", rmdir(p) == 0);

  /* cgroup.freeze: the subtree's processes stop running, SIGKILL still ends them */
  OK("mkdir T/fz", mkdir((sub(p, sizeof p, "fz"), p), 0755) == 0);
  volatile unsigned long *ctr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pid_t fz = fork();
  if (fz == 0) {
    if (wr(p, "cgroup.procs", "0")) _exit(10);
    for (;;) (*ctr)++;
  }
  while (!*ctr) usleep(1000);
  ERR("freeze 2", wr(p, "cgroup.freeze", "2"), ERANGE);
  ERR("freeze x", wr(p, "cgroup.freeze", "x"), EINVAL);
  OK("freeze 1", wr(p, "cgroup.freeze", "1") == 0);
  int frozen = 0;
  for (int i = 0; i < 300 && !frozen; i++) {
    rd(p, "cgroup.events", buf, sizeof buf);
    frozen = strstr(buf, "frozen 1") != NULL;
    if (!frozen) usleep(10000);
  }
  printf("frozen 1 reached: %d\n", frozen);
  rd(p, "cgroup.freeze", buf, sizeof buf); printf("cgroup.freeze [%s]\n", buf);
  unsigned long c1 = *ctr;
  usleep(200000);
  printf("counter still while frozen: %d\n", *ctr == c1);
  OK("freeze 0", wr(p, "cgroup.freeze", "0") == 0);
  usleep(200000);
  printf("counter moves once thawed: %d\n", *ctr != c1);
  rd(p, "cgroup.events", buf, sizeof buf); printf("events thawed [%s]\n", buf);
  OK("freeze 1 again", wr(p, "cgroup.freeze", "1") == 0);
  usleep(100000);
  OK("kill the frozen", wr(p, "cgroup.kill", "1") == 0);
  ws = 0;
  waitpid(fz, &ws, 0);
  printf("frozen worker killed by %d\n", WIFSIGNALED(ws) ? WTERMSIG(ws) : -1);
  wait_unpopulated(p);
  OK("rmdir T/fz", rmdir(p) == 0);

  /* cgroup.events tells its inotify watchers when populated changes */
  OK("mkdir T/ev", mkdir((sub(p, sizeof p, "ev"), p), 0755) == 0);
  int in = inotify_init1(IN_NONBLOCK);
  snprintf(buf, sizeof buf, "%s/cgroup.events", p);
  OK("inotify_add_watch cgroup.events", inotify_add_watch(in, buf, IN_MODIFY) >= 0);
  if (pipe(sync1)) return 1;
  pid_t ev = fork();
  if (ev == 0) {
    char c2;
    if (wr(p, "cgroup.procs", "0")) _exit(10);
    if (read(sync1[0], &c2, 1) != 1) _exit(11);
    _exit(0);
  }
  struct pollfd pfd = { .fd = in, .events = POLLIN };
  printf("inotify: IN_MODIFY when populated: %d\n", poll(&pfd, 1, 3000) == 1);
  usleep(100000);
  while (read(in, buf, sizeof buf) > 0)
    ;
  if (write(sync1[1], "x", 1) != 1) return 1;
  waitpid(ev, NULL, 0);
  printf("inotify: IN_MODIFY when empty again: %d\n", poll(&pfd, 1, 3000) == 1);
  wait_unpopulated(p);
  close(in);
  OK("rmdir T/ev", rmdir(p) == 0);
  OK("rmdir T", rmdir(T) == 0);
  ERR("rmdir the mount's root", rmdir(mnt), EBUSY);

  /* clone3's other new flag: CLONE_CLEAR_SIGHAND (handlers to SIG_DFL,
   * ignored signals stay ignored) */
  signal(SIGUSR1, (void (*)(int))wait_unpopulated);
  signal(SIGUSR2, SIG_IGN);
  pid_t ch = clone_into(-1, CLONE_ARGS_SIZE_VER0, CLONE_CLEAR_SIGHAND);
  if (ch == 0) {
    struct sigaction a1, a2;
    sigaction(SIGUSR1, NULL, &a1);
    sigaction(SIGUSR2, NULL, &a2);
    _exit((a1.sa_handler == SIG_DFL ? 0 : 1) | (a2.sa_handler == SIG_IGN ? 0 : 2));
  }
  ws = -1;
  waitpid(ch, &ws, 0);
  printf("CLONE_CLEAR_SIGHAND child: %d\n", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
  ERR("CLONE_CLEAR_SIGHAND|CLONE_SIGHAND", clone_into(-1, CLONE_ARGS_SIZE_VER0,
      CLONE_CLEAR_SIGHAND | CLONE_SIGHAND | CLONE_VM), EINVAL);
  rm_tree(T);
  return t_done();
}
