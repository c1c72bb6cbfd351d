/* cgroup_mem.c - the cgroup v2 controllers (memory, pids, cpu) in a
 * hierarchy of the test's own: it enables controllers in the root's
 * cgroup.subtree_control, which natively would change the host's own
 * settings (and this host has memory and pids on cgroup v1), so there is
 * no native run: cgroup_mem.expected holds what Linux answers.  The
 * figures printed are the ones Linux makes certain (defaults, values read
 * back, errno values, a kill by SIGKILL); memory.current and the like are
 * compared, not printed. */
#include "t.h"
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define R "/sys/fs/cgroup"
#define M R "/umkmem"
#define N M "/n"
#define P R "/umkpids"

static ssize_t rd(const char *dir, const char *file, char *buf, size_t n) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  int fd = open(p, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t k = read(fd, buf, n - 1);
  close(fd);
  if (k >= 0) buf[k] = 0;
  return k;
}

static long wr(const char *dir, const char *file, const char *val) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  int fd = open(p, O_WRONLY);
  if (fd < 0) return -1;
  ssize_t k = write(fd, val, strlen(val));
  int e = errno;
  close(fd);
  errno = e;
  return k < 0 ? -1 : 0;
}

static void show(const char *dir, const char *file) {
  char buf[4096];
  if (rd(dir, file, buf, sizeof buf) < 0) printf("%s: %s\n", file, en(errno));
  else printf("%s: %s", file, buf);
}

static long long num(const char *dir, const char *file) {
  char buf[64];
  return rd(dir, file, buf, sizeof buf) > 0 ? atoll(buf) : -1;
}

/* the value of key in a "key value" file */
static long long keyed(const char *dir, const char *file, const char *key) {
  char buf[8192], *p;
  size_t n = strlen(key);
  if (rd(dir, file, buf, sizeof buf) < 0) return -1;
  for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
    if (!strncmp(p, key, n) && p[n] == ' ') return atoll(p + n + 1);
  return -1;
}

static void join(const char *dir) {
  if (wr(dir, "cgroup.procs", "0")) { printf("join %s: %s\n", dir, en(errno)); _exit(20); }
}

static void *touch(size_t len) {
  char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p != MAP_FAILED) memset(p, 'x', len);
  return p;
}

int main(void) {
  char buf[4096];
  rmdir(N), rmdir(M), rmdir(P);
  rd(R, "cgroup.controllers", buf, sizeof buf);
  printf("root has cpu %d memory %d pids %d\n", !!strstr(buf, "cpu"), !!strstr(buf, "memory"),
         !!strstr(buf, "pids"));
  OK("enable +cpu +memory +pids", wr(R, "cgroup.subtree_control", "+cpu +memory +pids") == 0);
  show(R, "cgroup.subtree_control");
  OK("mkdir M", mkdir(M, 0755) == 0);
  show(M, "cgroup.controllers");
  const char *defaults[] = { "memory.min", "memory.low", "memory.high", "memory.max", "memory.swap.max",
                             "memory.swap.high", "memory.oom.group", "memory.swap.current", "pids.max",
                             "pids.current", "cpu.weight", "cpu.weight.nice", "cpu.max", "cpu.max.burst",
                             "cpu.idle", NULL };
  for (int i = 0; defaults[i]; i++) show(M, defaults[i]);
  show(M, "memory.events");
  show(M, "pids.events");
  show(M, "memory.swap.events");

  /* values read back */
  OK("memory.max 1G", wr(M, "memory.max", "1G") == 0);
  show(M, "memory.max");
  OK("memory.max 12345", wr(M, "memory.max", "12345") == 0);
  show(M, "memory.max");
  ERR("memory.max -1", wr(M, "memory.max", "-1"), EINVAL);
  ERR("memory.max abc", wr(M, "memory.max", "abc"), EINVAL);
  OK("memory.max max", wr(M, "memory.max", "max") == 0);
  show(M, "memory.max");
  OK("memory.high 64M", wr(M, "memory.high", "64M") == 0);
  show(M, "memory.high");
  OK("memory.high max", wr(M, "memory.high", "max") == 0);
  ERR("memory.oom.group 2", wr(M, "memory.oom.group", "2"), EINVAL);
  ERR("cpu.weight 0", wr(M, "cpu.weight", "0"), ERANGE);
  ERR("cpu.weight 10001", wr(M, "cpu.weight", "10001"), ERANGE);
  ERR("cpu.weight -5", wr(M, "cpu.weight", "-5"), EINVAL);
  OK("cpu.weight 200", wr(M, "cpu.weight", "200") == 0);
  show(M, "cpu.weight");
  show(M, "cpu.weight.nice");
  OK("cpu.weight.nice 19", wr(M, "cpu.weight.nice", "19") == 0);
  show(M, "cpu.weight");
  show(M, "cpu.weight.nice");
  ERR("cpu.weight.nice 20", wr(M, "cpu.weight.nice", "20"), ERANGE);
  OK("cpu.weight.nice -3", wr(M, "cpu.weight.nice", "-3") == 0);
  show(M, "cpu.weight");
  show(M, "cpu.weight.nice");
  OK("cpu.max 50000 100000", wr(M, "cpu.max", "50000 100000") == 0);
  show(M, "cpu.max");
  OK("cpu.max max", wr(M, "cpu.max", "max") == 0);
  show(M, "cpu.max");
  ERR("cpu.max 1 100000", wr(M, "cpu.max", "1 100000"), EINVAL);
  ERR("cpu.max 50000 10", wr(M, "cpu.max", "50000 10"), EINVAL);
  ERR("pids.max -1", wr(M, "pids.max", "-1"), EINVAL);

  /* memory.current follows what a process of M touches */
  int go[2], done[2];
  if (pipe(go) || pipe(done)) return 1;
  pid_t w = fork();
  if (w == 0) {
    char c;
    join(M);
    if (write(done[1], "a", 1) != 1 || read(go[0], &c, 1) != 1) _exit(21);
    touch(16 << 20);
    if (write(done[1], "b", 1) != 1 || read(go[0], &c, 1) != 1) _exit(22);
    _exit(0);
  }
  char c;
  if (read(done[0], &c, 1) != 1) return 1;
  long long before = num(M, "memory.current");
  printf("memory.current > 0: %d\n", before > 0);
  printf("pids.current: %lld\n", num(M, "pids.current"));
  if (write(go[1], "g", 1) != 1 || read(done[0], &c, 1) != 1) return 1;
  long long after = num(M, "memory.current");
  printf("memory.current grew by 16M: %d\n", after - before >= (15 << 20));
  printf("memory.peak >= current: %d\n", num(M, "memory.peak") >= after);
  printf("memory.stat anon >= 16M: %d\n", keyed(M, "memory.stat", "anon") >= (16 << 20));
  /* no internal processes: M has one, so no domain controller below it */
  ERR("M +memory with a process in M", wr(M, "cgroup.subtree_control", "+memory"), EBUSY);
  OK("M +pids with a process in M (a threaded controller)", wr(M, "cgroup.subtree_control", "+pids") == 0);
  OK("mkdir M/n", mkdir(N, 0755) == 0);
  show(N, "cgroup.controllers");
  ERR("root -pids while M uses it", wr(R, "cgroup.subtree_control", "-pids"), EBUSY);
  if (write(go[1], "g", 1) != 1) return 1;
  waitpid(w, NULL, 0);
  OK("M -pids", wr(M, "cgroup.subtree_control", "-pids") == 0);
  OK("M +memory once empty", wr(M, "cgroup.subtree_control", "+memory") == 0);
  show(N, "cgroup.controllers");
  snprintf(buf, sizeof buf, "%d", getpid());
  ERR("move into M (memory enabled below)", wr(M, "cgroup.procs", buf), EBUSY);
  int mfd = open(M, O_RDONLY | O_DIRECTORY);
  struct clone_args ca = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)mfd };
  ERR("clone3 into M (memory enabled below)", syscall(SYS_clone3, &ca, sizeof ca), EBUSY);
  close(mfd);
  OK("move into M/n", wr(N, "cgroup.procs", buf) == 0);
  OK("move back to the root", wr(R, "cgroup.procs", buf) == 0);
  OK("M -memory", wr(M, "cgroup.subtree_control", "-memory") == 0);
  OK("rmdir M/n", rmdir(N) == 0);

  /* memory.max: a process past it is killed (no swap: memory.swap.max 0) */
  OK("memory.max 32M", wr(M, "memory.max", "32M") == 0);
  OK("memory.swap.max 0", wr(M, "memory.swap.max", "0") == 0);
  w = fork();
  if (w == 0) {
    join(M);
    for (int i = 0; i < 256; i++)
      if (touch(1 << 20) == MAP_FAILED) _exit(30);
    _exit(31);
  }
  int ws = 0;
  waitpid(w, &ws, 0);
  printf("hog: %s %d\n", WIFSIGNALED(ws) ? "signal" : "exit", WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
  printf("memory.events oom_kill: %lld\n", keyed(M, "memory.events", "oom_kill"));
  printf("memory.events oom >= 1: %d\n", keyed(M, "memory.events", "oom") >= 1);
  printf("memory.events max >= 1: %d\n", keyed(M, "memory.events", "max") >= 1);

  /* MAP_DROPPABLE pages go first */
  OK("memory.max 48M", wr(M, "memory.max", "48M") == 0);
  w = fork();
  if (w == 0) {
    join(M);
    size_t len = 24 << 20;
    char *d = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | 0x08 /* MAP_DROPPABLE */, -1, 0);
    if (d == MAP_FAILED) { printf("droppable: %s\n", en(errno)); _exit(40); }
    memset(d, 'A', len);
    unsigned char vec[(24 << 20) / 4096];
    for (int i = 0; i < 40; i++) {
      touch(1 << 20);   /* each brings the cgroup nearer its limit */
      mincore(d, len, vec);
      for (size_t k = 0; k < sizeof vec; k++)
        if (!(vec[k] & 1)) { printf("droppable page dropped\n"); _exit(0); }
    }
    printf("droppable pages all resident\n");
    _exit(41);
  }
  ws = 0;
  waitpid(w, &ws, 0);
  printf("droppable child: %s %d\n", WIFSIGNALED(ws) ? "signal" : "exit", WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));

  /* pids.max: fork past it is EAGAIN */
  OK("mkdir P", mkdir(P, 0755) == 0);
  OK("pids.max 3", wr(P, "pids.max", "3") == 0);
  w = fork();
  if (w == 0) {
    join(P);
    pid_t k1 = fork();
    if (k1 == 0) { pause(); _exit(0); }
    pid_t k2 = fork();
    if (k2 == 0) { pause(); _exit(0); }
    errno = 0;
    pid_t k3 = fork();
    if (k3 == 0) _exit(0);
    printf("third fork: %s\n", k3 < 0 ? en(errno) : "made");
    printf("pids.current %lld peak %lld events max %lld\n", num(P, "pids.current"), num(P, "pids.peak"),
           keyed(P, "pids.events", "max"));
    kill(k1, SIGKILL), kill(k2, SIGKILL);
    waitpid(k1, NULL, 0), waitpid(k2, NULL, 0);
    _exit(0);
  }
  waitpid(w, NULL, 0);
  show(P, "pids.current");
  OK("rmdir P", rmdir(P) == 0);
  OK("rmdir M", rmdir(M) == 0);
  OK("root -cpu -memory -pids", wr(R, "cgroup.subtree_control", "-cpu -memory -pids") == 0);
  show(R, "cgroup.subtree_control");
  return t_done();
}
