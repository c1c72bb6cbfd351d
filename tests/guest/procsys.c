/* procsys.c - writable /proc/PID/oom_score_adj and oom_adj (range,
 * parsing, the legacy scale, inheritance, the CAP_SYS_RESOURCE floor for
 * an unprivileged process, another process's file), oom_score, and the
 * /proc/sys entries programs read and write.  Run natively on the host,
 * so every global /proc/sys file is only rewritten with the value it
 * already has (its parser is tested by values it must refuse); only a
 * child's oom_score_adj is changed.  The privileged side of
 * oom_score_adj (root lowering it, moving the floor) is checked in
 * tests/run-all.sh, since a host root may lack CAP_SYS_RESOURCE.   */
#include "t.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

static int wr(const char *path, const char *text) {
  int fd = open(path, O_WRONLY);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  int e = errno;
  close(fd);
  errno = e;
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

static long rd(const char *path) {
  char buf[64] = "";
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -999999;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  return n > 0 ? strtol(buf, NULL, 10) : -999998;
}

static char *rds(const char *path, char *buf, size_t len) {
  int fd = open(path, O_RDONLY);
  buf[0] = 0;
  if (fd < 0) return buf;
  ssize_t n = read(fd, buf, len - 1);
  close(fd);
  buf[n > 0 ? n : 0] = 0;
  return buf;
}

/* rewrites a global sysctl with its own value, then tries values it must refuse */
static void same_value(const char *path, const char **bad) {
  char buf[64], name[160];
  rds(path, buf, sizeof buf);
  snprintf(name, sizeof name, "%s: rewrite its own value", path);
  OK(name, buf[0] && wr(path, buf) == 0);
  for (; *bad; bad++) {
    snprintf(name, sizeof name, "%s: refuses '%s'", path, *bad);
    ERR(name, wr(path, *bad), EINVAL);
  }
  char after[64];
  snprintf(name, sizeof name, "%s: unchanged", path);
  OK(name, !strcmp(rds(path, after, sizeof after), buf));
}

int main(void) {
  int st;
  pid_t c = fork();
  if (c == 0) {
    /* everything that changes the oom score happens in this child,
     * without CAP_SYS_RESOURCE (a host root may lack it too: both runs
     * then take the same paths; with it, see tests/run-all.sh) */
    struct __user_cap_header_struct { unsigned version; int pid; } h = { 0x20080522, 0 };
    struct { unsigned eff, prm, inh; } d[2];
    syscall(SYS_capget, &h, d);
    d[0].eff &= ~(1u << 24);
    d[0].prm &= ~(1u << 24);
    OK("drop CAP_SYS_RESOURCE", syscall(SYS_capset, &h, d) == 0);
    const char *f = "/proc/self/oom_score_adj", *g = "/proc/self/oom_adj";
    OK("oom_score_adj starts at 0", rd(f) == 0);
    OK("oom_adj starts at 0", rd(g) == 0);
    OK("write 500", wr(f, "500\n") == 0 && rd(f) == 500);
    OK("oom_adj reads 500 on the legacy scale", rd(g) == 8);
    OK("write ' 7 ' with blanks", wr(f, " 7 \n") == 0 && rd(f) == 7);
    OK("write 0x10", wr(f, "0x10") == 0 && rd(f) == 16);
    ERR("write 1001", wr(f, "1001"), EINVAL);
    ERR("write -1001", wr(f, "-1001"), EINVAL);
    ERR("write abc", wr(f, "abc"), EINVAL);
    ERR("write empty line", wr(f, "\n"), EINVAL);
    OK("still 16", rd(f) == 16);
    OK("write 1000", wr(f, "1000") == 0);
    OK("oom_adj reads 15 at the maximum", rd(g) == 15);
    OK("oom_score near the top at 1000", rd("/proc/self/oom_score") > 1000);
    ERR("oom_adj may not lower the current value", wr(g, "3"), EACCES);
    OK("back to 0", wr(f, "0") == 0);
    OK("oom_adj write 3", wr(g, "3") == 0 && rd(f) == 176);
    OK("oom_adj write 15", wr(g, "15") == 0 && rd(f) == 1000);
    ERR("oom_adj write 16", wr(g, "16"), EINVAL);
    ERR("oom_adj write -18", wr(g, "-18"), EINVAL);
    OK("lowered to 0 (the floor)", wr(f, "0") == 0 && rd(f) == 0);
    ERR("below the floor needs CAP_SYS_RESOURCE", wr(f, "-1"), EACCES);
    ERR("oom_adj -17 too", wr(g, "-17"), EACCES);
    OK("raise to 300", wr(f, "300") == 0);
    pid_t gc = fork();
    if (gc == 0) _exit(rd("/proc/self/oom_score_adj") == 300 ? 0 : 1);
    waitpid(gc, &st, 0);
    OK("inherited by fork", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* another process's file */
    char path[64];
    gc = fork();
    if (gc == 0) { pause(); _exit(0); }
    snprintf(path, sizeof path, "/proc/%d/oom_score_adj", gc);
    OK("write another process's", wr(path, "400") == 0 && rd(path) == 400);
    kill(gc, SIGKILL);
    waitpid(gc, NULL, 0);
    /* another user */
    setgid(1000);
    setuid(1000);
    prctl(PR_SET_DUMPABLE, 1);
    OK("unprivileged user raises it", wr(f, "350") == 0 && rd(f) == 350);
    OK("unprivileged user lowers it to the floor", wr(f, "0") == 0 && rd(f) == 0);
    ERR("unprivileged user below the floor", wr(f, "-1"), EACCES);
    _exit(t_done() ? 1 : 0);
  }
  waitpid(c, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st)) t_failed++;
  OK("the parent's oom_score_adj is untouched", rd("/proc/self/oom_score_adj") == 0);
  long s = rd("/proc/self/oom_score");
  OK("oom_score in range", s >= 0 && s <= 2000);

  /* /proc/sys: read what programs read */
  OK("kernel.pid_max", rd("/proc/sys/kernel/pid_max") >= 301);
  OK("kernel.threads-max", rd("/proc/sys/kernel/threads-max") >= 20);
  OK("kernel.ns_last_pid", rd("/proc/sys/kernel/ns_last_pid") >= 0);
  OK("kernel.overflowuid", rd("/proc/sys/kernel/overflowuid") == 65534);
  OK("kernel.overflowgid", rd("/proc/sys/kernel/overflowgid") == 65534);
  OK("kernel.cap_last_cap", rd("/proc/sys/kernel/cap_last_cap") >= 40);
  OK("vm.overcommit_memory", rd("/proc/sys/vm/overcommit_memory") >= 0 && rd("/proc/sys/vm/overcommit_memory") <= 2);
  OK("vm.max_map_count", rd("/proc/sys/vm/max_map_count") > 0);
  OK("fs.file-max", rd("/proc/sys/fs/file-max") > 0);
  OK("fs.nr_open", rd("/proc/sys/fs/nr_open") >= 1024);
  OK("net.core.somaxconn", rd("/proc/sys/net/core/somaxconn") > 0);
  OK("user.max_user_namespaces", rd("/proc/sys/user/max_user_namespaces") > 0);
  char buf[64];
  rds("/proc/sys/kernel/random/boot_id", buf, sizeof buf);
  OK("kernel.random.boot_id is a uuid", strlen(buf) == 37 && buf[8] == '-' && buf[14] == '4');
  char buf2[64];
  OK("boot_id is stable", !strcmp(buf, rds("/proc/sys/kernel/random/boot_id", buf2, sizeof buf2)));
  rds("/proc/sys/kernel/random/uuid", buf, sizeof buf);
  OK("uuid changes", strcmp(buf, rds("/proc/sys/kernel/random/uuid", buf2, sizeof buf2)));
  int ys = access("/proc/sys/kernel/yama/ptrace_scope", F_OK) == 0 ?
           (int)rd("/proc/sys/kernel/yama/ptrace_scope") : 1;
  OK("kernel.yama.ptrace_scope (when present) in 0..3", ys >= 0 && ys <= 3);

  /* writes, with the values the host has (parsing and ranges) */
  const char *bad_bool[] = { "3", "-1", "abc", NULL };
  same_value("/proc/sys/vm/overcommit_memory", bad_bool);
  const char *bad_int[] = { "abc", "1x", NULL };
  same_value("/proc/sys/vm/max_map_count", bad_int);
  const char *bad_nr_open[] = { "10", "abc", NULL };
  same_value("/proc/sys/fs/nr_open", bad_nr_open);
  const char *bad_pid_max[] = { "10", "99999999", NULL };
  same_value("/proc/sys/kernel/pid_max", bad_pid_max);
  const char *bad_any[] = { "abc", NULL };
  same_value("/proc/sys/net/core/somaxconn", bad_any);
  same_value("/proc/sys/kernel/threads-max", bad_any);
  same_value("/proc/sys/fs/file-max", bad_any);
  const char *bad_pressure[] = { "-1", "abc", NULL };
  same_value("/proc/sys/vm/vfs_cache_pressure", bad_pressure);
  /* the console log levels (four ints) and the real-time sysctls */
  const char *bad_printk[] = { "abc", "4294967296", NULL };
  same_value("/proc/sys/kernel/printk", bad_printk);
  const char *bad_period[] = { "0", "-1", "abc", NULL };
  same_value("/proc/sys/kernel/sched_rt_period_us", bad_period);
  char over[32];
  snprintf(over, sizeof over, "%ld", rd("/proc/sys/kernel/sched_rt_period_us") + 1);
  const char *bad_runtime[] = { "-2", over, "abc", NULL };
  same_value("/proc/sys/kernel/sched_rt_runtime_us", bad_runtime);
  same_value("/proc/sys/kernel/sched_rr_timeslice_ms", bad_any);
  same_value("/proc/sys/kernel/randomize_va_space", bad_any);
  /* sched_rr_get_interval: the RR slice for SCHED_RR, 0 for FIFO and
   * for fair tasks (a slice shorter than a jiffy) */
  c = fork();
  if (c == 0) {
    struct timespec ts = { 1, 1 };
    int bad = sched_rr_get_interval(0, &ts) || ts.tv_sec || ts.tv_nsec;
    struct sched_param sp = { .sched_priority = 1 };
    if (sched_setscheduler(0, SCHED_FIFO, &sp) == 0)
      bad |= sched_rr_get_interval(0, &ts) || ts.tv_sec || ts.tv_nsec;
    long ms = rd("/proc/sys/kernel/sched_rr_timeslice_ms");
    if (sched_setscheduler(0, SCHED_RR, &sp) == 0 && ms % 20 == 0)
      bad |= sched_rr_get_interval(0, &ts) || ts.tv_sec * 1000 + ts.tv_nsec / 1000000 != ms;
    _exit(bad);
  }
  waitpid(c, &st, 0);
  OK("sched_rr_get_interval: 0 for fair and FIFO, kernel.sched_rr_timeslice_ms for RR",
     WIFEXITED(st) && WEXITSTATUS(st) == 0);
  /* vm.drop_caches: write-only even for root; 4 only silences its log,
   * 8 drops nothing either (bits 1 and 2 drop caches: never written) */
  ERR("vm.drop_caches cannot be read, even by root", open("/proc/sys/vm/drop_caches", O_RDONLY), EACCES);
  OK("vm.drop_caches takes 4", wr("/proc/sys/vm/drop_caches", "4") == 0);
  ERR("vm.drop_caches refuses 0", wr("/proc/sys/vm/drop_caches", "0"), EINVAL);
  OK("vm.drop_caches takes 8", wr("/proc/sys/vm/drop_caches", "8") == 0);
  ERR("vm.drop_caches refuses 2^31", wr("/proc/sys/vm/drop_caches", "2147483648"), EINVAL);
  /* RLIMIT_NOFILE cannot pass fs.nr_open */
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  struct rlimit big = { rl.rlim_cur, (rlim_t)rd("/proc/sys/fs/nr_open") + 1 };
  ERR("RLIMIT_NOFILE above fs.nr_open", setrlimit(RLIMIT_NOFILE, &big), EPERM);
  /* unprivileged writes are refused at open */
  c = fork();
  if (c == 0) {
    setuid(1000);
    _exit(open("/proc/sys/vm/overcommit_memory", O_WRONLY) < 0 && errno == EACCES ? 0 : 1);
  }
  waitpid(c, &st, 0);
  OK("unprivileged write to /proc/sys refused (EACCES)", WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* /proc/config.gz: gzip data */
  unsigned char gz[4] = { 0 };
  int fd = open("/proc/config.gz", O_RDONLY);
  OK("/proc/config.gz opens", fd >= 0);
  OK("/proc/config.gz is gzip", read(fd, gz, 4) == 4 && gz[0] == 0x1f && gz[1] == 0x8b && gz[2] == 8);
  close(fd);
  /* uname's version and release are /proc/sys/kernel's */
  struct utsname un;
  char kv[256] = "", kr[256] = "";
  int vf = open("/proc/sys/kernel/version", O_RDONLY), rf = open("/proc/sys/kernel/osrelease", O_RDONLY);
  read(vf, kv, sizeof kv - 1);
  read(rf, kr, sizeof kr - 1);
  close(vf);
  close(rf);
  kv[strcspn(kv, "\n")] = 0;
  kr[strcspn(kr, "\n")] = 0;
  OK("uname's version is /proc/sys/kernel/version", uname(&un) == 0 && !strcmp(un.version, kv));
  OK("uname's release is /proc/sys/kernel/osrelease", !strcmp(un.release, kr));
  return t_done();
}
