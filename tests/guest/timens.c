/* timens.c - time namespaces (CLONE_NEWTIME): unshare, clone3, setns,
 * execve entering the namespace for children, /proc/PID/ns/time and
 * time_for_children, /proc/PID/timens_offsets (format, hostile writes,
 * EACCES once entered, EPERM without CAP_SYS_TIME), and the offsets as
 * a task in the namespace sees them: clock_gettime through the vDSO
 * (libc) and the syscall, absolute clock_nanosleep, timer_settime,
 * timerfd_settime and futex deadlines, sysinfo and /proc/uptime.
 * Runs as root natively (unshare(CLONE_NEWTIME) needs CAP_SYS_ADMIN). */
/* link: -pthread */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#define NS 1000000000LL
#define MONO_OFF 1000                 /* s */
#define BOOT_OFF 2000                 /* s */

static int64_t ns_of(clockid_t c) /* through libc: the vDSO */
{
  struct timespec ts;
  clock_gettime(c, &ts);
  return ts.tv_sec * NS + ts.tv_nsec;
}

static int64_t sys_ns_of(clockid_t c) /* the syscall itself */
{
  struct timespec ts;
  syscall(SYS_clock_gettime, c, &ts);
  return ts.tv_sec * NS + ts.tv_nsec;
}

/* Whether x is off seconds ahead of base, within a second and a half. */
static int near(int64_t x, int64_t base, int64_t off)
{
  int64_t d = x - base - off * NS;
  return d > -NS / 2 && d < NS * 3 / 2;
}

static long wr(const char *path, const char *s, size_t n)
{
  int fd = open(path, O_WRONLY);
  if (fd < 0)
    return -1;
  long r = write(fd, s, n);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

static long wrs(const char *s) { return wr("/proc/self/timens_offsets", s, strlen(s)); }

static void show_offsets(const char *tag)
{
  char buf[256];
  int fd = open("/proc/self/timens_offsets", O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
  if (fd >= 0)
    close(fd);
  buf[n > 0 ? n : 0] = 0;
  printf("%s offsets:\n%s", tag, buf);
}

static void link_of(const char *name, char *buf, size_t len)
{
  ssize_t n = readlink(name, buf, len - 1);
  buf[n > 0 ? n : 0] = 0;
}

static int same_ns(const char *a, const char *b)
{
  char x[64], y[64];
  link_of(a, x, sizeof x);
  link_of(b, y, sizeof y);
  return !strcmp(x, y) && !strncmp(x, "time:[", 6);
}

static long uptime_s(void)
{
  struct sysinfo si;
  return sysinfo(&si) ? -1 : si.uptime;
}

static long proc_uptime_s(void)
{
  long s = -1, c = 0;
  FILE *f = fopen("/proc/uptime", "r");
  if (f) {
    if (fscanf(f, "%ld.%ld", &s, &c) != 2)
      s = -1;
    fclose(f);
  }
  return s + (c ? 1 : 0);
}

/* The deadlines: each absolute on the namespace's clock 50 ms ahead; a
 * conversion missed would wait MONO_OFF seconds (or not at all). */
static void deadlines(void)
{
  struct timespec ts;
  int64_t t0 = ns_of(CLOCK_MONOTONIC), t1;

  int64_t at = t0 + 50000000;
  ts.tv_sec = at / NS;
  ts.tv_nsec = at % NS;
  OK("clock_nanosleep abstime", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0);
  t1 = ns_of(CLOCK_MONOTONIC);
  OK("  slept until the time", t1 >= at && t1 - t0 < 5 * NS);

  int64_t bt = ns_of(CLOCK_BOOTTIME) + 50000000;
  ts.tv_sec = bt / NS;
  ts.tv_nsec = bt % NS;
  OK("clock_nanosleep boottime abstime", clock_nanosleep(CLOCK_BOOTTIME, TIMER_ABSTIME, &ts, NULL) == 0);
  OK("  slept until the time", ns_of(CLOCK_BOOTTIME) >= bt && ns_of(CLOCK_BOOTTIME) - bt < 5 * NS);

  int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
  struct itimerspec its = { { 0, 0 }, { 0, 0 } };
  at = ns_of(CLOCK_MONOTONIC) + 50000000;
  its.it_value.tv_sec = at / NS;
  its.it_value.tv_nsec = at % NS;
  OK("timerfd_settime abstime", timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0);
  struct itimerspec cur;
  timerfd_gettime(tfd, &cur);
  OK("  timerfd_gettime: less than a second left", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0);
  uint64_t exp = 0;
  OK("  read one expiry", read(tfd, &exp, sizeof exp) == 8 && exp == 1);
  OK("  at the time", ns_of(CLOCK_MONOTONIC) >= at);
  close(tfd);

  tfd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK);
  at = ns_of(CLOCK_BOOTTIME) - 1000000; /* just past: expires at once */
  its.it_value.tv_sec = at / NS;
  its.it_value.tv_nsec = at % NS;
  timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
  exp = 0;
  OK("timerfd boottime abstime just past: expired", read(tfd, &exp, sizeof exp) == 8 && exp == 1);
  close(tfd);

  timer_t tid;
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_NONE;
  OK("timer_create", timer_create(CLOCK_MONOTONIC, &sev, &tid) == 0);
  at = ns_of(CLOCK_MONOTONIC) + 500000000;
  its.it_value.tv_sec = at / NS;
  its.it_value.tv_nsec = at % NS;
  OK("timer_settime abstime", timer_settime(tid, TIMER_ABSTIME, &its, NULL) == 0);
  timer_gettime(tid, &cur);
  OK("  timer_gettime: less than a second left", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0);
  timer_delete(tid);

  uint32_t word = 0;
  at = ns_of(CLOCK_MONOTONIC) + 50000000;
  ts.tv_sec = at / NS;
  ts.tv_nsec = at % NS;
  ERR("futex_wait_bitset abstime", syscall(SYS_futex, &word, FUTEX_WAIT_BITSET, 0, &ts, NULL, ~0u),
      ETIMEDOUT);
  OK("  timed out at the time", ns_of(CLOCK_MONOTONIC) >= at && ns_of(CLOCK_MONOTONIC) - at < 5 * NS);
}

static void *idle_thread(void *arg)
{
  pause();
  return arg;
}

int main(int argc, char **argv)
{
  char buf[5000];
  int64_t m0, b0, r0;
  long up0;

  if (argc > 1 && !strcmp(argv[1], "exec-child")) {
    /* after execve in a process whose namespace for children had offsets */
    int64_t base = strtoll(argv[2], NULL, 10);
    OK("exec: now in the namespace for children", same_ns("/proc/self/ns/time", "/proc/self/ns/time_for_children"));
    OK("exec: CLOCK_MONOTONIC (vDSO) moved", near(ns_of(CLOCK_MONOTONIC), base, 300));
    OK("exec: CLOCK_MONOTONIC (syscall) moved", near(sys_ns_of(CLOCK_MONOTONIC), base, 300));
    return t_done();
  }

  if (geteuid() != 0) {
    printf("SKIP needs root\n");
    return 0;
  }
  OK("time and time_for_children: the same", same_ns("/proc/self/ns/time", "/proc/self/ns/time_for_children"));
  struct stat st;
  link_of("/proc/self/ns/time", buf, sizeof buf);
  OK("stat ns/time: inode of the link", !stat("/proc/self/ns/time", &st) &&
     (unsigned long)st.st_ino == strtoul(buf + 6, NULL, 10));
  {
    /* the namespace files, sorted */
    char names[16][32];
    int n = 0;
    DIR *d = opendir("/proc/self/ns");
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 16)
      if (e->d_name[0] != '.')
        snprintf(names[n++], 32, "%.31s", e->d_name);
    if (d)
      closedir(d);
    qsort(names, n, 32, (int (*)(const void *, const void *))strcmp);
    printf("ns:");
    for (int i = 0; i < n; i++)
      printf(" %s", names[i]);
    printf("\n");
  }
  show_offsets("initial");
  ERR("write the initial namespace's offsets", wrs("monotonic 1 0"), EACCES);
  int nsfd = open("/proc/self/ns/time", O_RDONLY);
  OK("open ns/time", nsfd >= 0);
  RES("NS_GET_NSTYPE", ioctl(nsfd, NS_GET_NSTYPE) == CLONE_NEWTIME);
  int ufd = ioctl(nsfd, NS_GET_USERNS);
  OK("NS_GET_USERNS", ufd >= 0);
  close(ufd);
  ERR("setns(time fd, CLONE_NEWNS)", setns(nsfd, CLONE_NEWNS), EINVAL);

  /* ---- unshare: a namespace for the children ---- */
  OK("unshare(CLONE_NEWTIME)", unshare(CLONE_NEWTIME) == 0);
  OK("  the caller stays", !same_ns("/proc/self/ns/time", "/proc/self/ns/time_for_children"));
  show_offsets("new");
  ERR("write: nsec of a second", wrs("monotonic 1 1000000000"), EINVAL);
  ERR("write: negative nsec", wrs("monotonic 1 -1"), EINVAL);
  ERR("write: unknown clock", wrs("realtime 1 0"), EINVAL);
  ERR("write: clock 0", wrs("0 1 0"), EINVAL);
  ERR("write: two fields", wrs("monotonic 1"), EINVAL);
  ERR("write: a long clock name", wrs("monotonicmonotonic 1 0"), EINVAL);
  ERR("write: seconds past KTIME_SEC_MAX", wrs("monotonic 9223372037 0"), ERANGE);
  ERR("write: the clock below zero", wrs("boottime -100000000000 0"), ERANGE);
  ERR("write: the clock past half its range", wrs("boottime 4611686019 0"), ERANGE);
  memset(buf, ' ', 4096);
  memcpy(buf, "monotonic 1 0", 13);
  ERR("write: a page", wr("/proc/self/timens_offsets", buf, 4096), EINVAL);
  show_offsets("after bad writes");
  OK("write: by clock id", wrs("1 7 5\n7 8 6\n") == 12);
  show_offsets("by id");
  OK("write: one line, monotonic", wrs("monotonic 1000 0") == 16);
  OK("write: one line, boottime", wrs("boottime 2000 0\n") == 16);
  show_offsets("set");
  /* the caller is still in its own namespace: no offset */
  m0 = ns_of(CLOCK_MONOTONIC);
  b0 = ns_of(CLOCK_BOOTTIME);
  r0 = ns_of(CLOCK_REALTIME);
  up0 = uptime_s();
  OK("the caller's CLOCK_MONOTONIC did not move", near(sys_ns_of(CLOCK_MONOTONIC), m0, 0));

  /* EPERM: root without CAP_SYS_TIME */
  pid_t p = fork();
  if (p == 0) {
    struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };
    struct { uint32_t eff, perm, inh; } data[2];
    syscall(SYS_capget, &hdr, data);
    data[0].eff &= ~(1u << 25); /* CAP_SYS_TIME */
    syscall(SYS_capset, &hdr, data);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/timens_offsets", getppid());
    ERR("write without CAP_SYS_TIME", wr(path, "monotonic 5 0", 13), EPERM);
    _exit(0);
  }
  waitpid(p, NULL, 0);

  /* ---- a child enters it ---- */
  p = fork();
  if (p == 0) {
    OK("child: in the parent's namespace for children", same_ns("/proc/self/ns/time", "/proc/self/ns/time_for_children"));
    OK("child: CLOCK_MONOTONIC (vDSO) +1000 s", near(ns_of(CLOCK_MONOTONIC), m0, MONO_OFF));
    OK("child: CLOCK_MONOTONIC (syscall) +1000 s", near(sys_ns_of(CLOCK_MONOTONIC), m0, MONO_OFF));
    OK("child: CLOCK_MONOTONIC_RAW +1000 s", near(sys_ns_of(CLOCK_MONOTONIC_RAW), ns_of(CLOCK_MONOTONIC), 0));
    OK("child: CLOCK_MONOTONIC_COARSE +1000 s", near(ns_of(CLOCK_MONOTONIC_COARSE), m0, MONO_OFF));
    OK("child: CLOCK_BOOTTIME (vDSO) +2000 s", near(ns_of(CLOCK_BOOTTIME), b0, BOOT_OFF));
    OK("child: CLOCK_BOOTTIME (syscall) +2000 s", near(sys_ns_of(CLOCK_BOOTTIME), b0, BOOT_OFF));
    OK("child: CLOCK_REALTIME unmoved", near(ns_of(CLOCK_REALTIME), r0, 0));
    long up = uptime_s();
    OK("child: sysinfo uptime +2000 s", up - up0 >= BOOT_OFF && up - up0 <= BOOT_OFF + 2);
    long pu = proc_uptime_s();
    OK("child: /proc/uptime agrees", up >= pu - 1 && up <= pu + 1);
    ERR("child: offsets frozen", wrs("monotonic 5 0"), EACCES);
    deadlines();
    /* back to the initial namespace */
    OK("child: setns(initial)", setns(nsfd, CLONE_NEWTIME) == 0);
    OK("child: both links the initial's", same_ns("/proc/self/ns/time", "/proc/self/ns/time_for_children"));
    OK("child: CLOCK_MONOTONIC back (vDSO)", near(ns_of(CLOCK_MONOTONIC), m0, 0));
    OK("child: CLOCK_MONOTONIC back (syscall)", near(sys_ns_of(CLOCK_MONOTONIC), m0, 0));
    _exit(t_done());
  }
  int status;
  waitpid(p, &status, 0);
  OK("child exit 0", WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ERR("parent: offsets frozen once a child entered", wrs("monotonic 5 0"), EACCES);

  /* ---- setns into it, and EUSERS with threads ---- */
  int cfd = open("/proc/self/ns/time_for_children", O_RDONLY);
  p = fork();
  if (p == 0) {
    pthread_t th;
    pthread_create(&th, NULL, idle_thread, NULL);
    ERR("setns with two threads", setns(cfd, CLONE_NEWTIME), EUSERS);
    _exit(0);
  }
  waitpid(p, NULL, 0);
  p = fork();
  if (p == 0) {
    /* a child born in the initial namespace (setns there first) that
     * then joins the new one */
    setns(nsfd, 0);
    OK("setns child: no offset", near(ns_of(CLOCK_MONOTONIC), m0, 0));
    OK("setns(time fd, 0)", setns(cfd, 0) == 0);
    OK("setns child: CLOCK_MONOTONIC (vDSO) +1000 s", near(ns_of(CLOCK_MONOTONIC), m0, MONO_OFF));
    OK("setns child: CLOCK_BOOTTIME (syscall) +2000 s", near(sys_ns_of(CLOCK_BOOTTIME), b0, BOOT_OFF));
    _exit(t_done());
  }
  waitpid(p, &status, 0);
  OK("setns child exit 0", WIFEXITED(status) && WEXITSTATUS(status) == 0);

  /* ---- a nested namespace inherits the offsets; execve enters it ---- */
  p = fork();
  if (p == 0) {
    OK("nested: unshare", unshare(CLONE_NEWTIME) == 0);
    show_offsets("nested (inherited)");
    OK("nested: write", wrs("monotonic 300 0") == 15);
    char arg[32];
    snprintf(arg, sizeof arg, "%lld", (long long)m0);
    execl("/proc/self/exe", argv[0], "exec-child", arg, (char *)NULL);
    _exit(99);
  }
  waitpid(p, &status, 0);
  OK("exec child exit 0", WIFEXITED(status) && WEXITSTATUS(status) == 0);

  /* ---- clone3(CLONE_NEWTIME): a child in a new namespace of its own ---- */
  struct clone_args ca;
  memset(&ca, 0, sizeof ca);
  ca.flags = CLONE_NEWTIME;
  ca.exit_signal = SIGCHLD;
  p = syscall(SYS_clone3, &ca, sizeof ca);
  if (p == 0) {
    OK("clone3: own namespace", same_ns("/proc/self/ns/time", "/proc/self/ns/time_for_children"));
    /* the new namespace copied the offsets of the parent's namespace
     * for children */
    OK("clone3: offsets copied", near(ns_of(CLOCK_MONOTONIC), m0, MONO_OFF));
    ERR("clone3: offsets frozen", wrs("monotonic 5 0"), EACCES);
    _exit(t_done());
  }
  /* reported once the child is done: its lines and this one raced */
  int cloned = p > 0;
  waitpid(p, &status, 0);
  OK("clone3(CLONE_NEWTIME)", cloned);
  OK("clone3 child exit 0", WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ca.flags = CLONE_NEWTIME | 0x01; /* a CSIGNAL bit */
  ERR("clone3 with another CSIGNAL bit", syscall(SYS_clone3, &ca, sizeof ca), EINVAL);
  close(cfd);
  close(nsfd);
  return t_done();
}
