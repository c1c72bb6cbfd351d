/* schedattr.c - scheduling policies and I/O priorities, which umk keeps
 * and reports (chrt, ionice, ps -o cls): sched_setscheduler and its get
 * side, SCHED_RESET_ON_FORK across fork, sched_setattr/sched_getattr
 * with their size rules, nice through sched_attr, SCHED_DEADLINE and its
 * fork EAGAIN, the unprivileged EPERMs, /proc/PID/stat's policy and
 * rt_priority, and ioprio_get/ioprio_set by process, group and user.  */
#include "t.h"
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdint.h>

struct sattr {
  uint32_t size, policy;
  uint64_t flags;
  int32_t nice;
  uint32_t prio;
  uint64_t runtime, deadline, period;
  uint32_t util_min, util_max;
};

static long setattr(pid_t pid, void *a, unsigned fl) { return syscall(SYS_sched_setattr, pid, a, fl); }
static long getattr(pid_t pid, void *a, unsigned sz, unsigned fl) { return syscall(SYS_sched_getattr, pid, a, sz, fl); }
static long ioget(int which, int who) { return syscall(SYS_ioprio_get, which, who); }
static long ioset(int which, int who, int prio) { return syscall(SYS_ioprio_set, which, who, prio); }
#define IOPRIO(cls, lvl) (((cls) << 13) | (lvl))

/* fields 40 and 41 of /proc/self/stat: rt_priority and policy */
static void stat_policy(const char *what) {
  char buf[1024];
  FILE *f = fopen("/proc/self/stat", "r");
  if (!f || !fgets(buf, sizeof buf, f)) { printf("%s: no stat\n", what); return; }
  fclose(f);
  char *p = strrchr(buf, ')') + 2;
  unsigned long v[45];
  int n = 0;
  for (char *tok = strtok(p + 2, " "); tok && n < 45; tok = strtok(NULL, " ")) v[n++] = strtoul(tok, NULL, 10);
  /* v[0] is field 4 (ppid) */
  printf("%s: stat rt_priority %lu policy %lu\n", what, v[36], v[37]);
}

static int child_policy(void) {
  pid_t c = fork();
  if (c == 0) _exit(sched_getscheduler(0) & 0xff);
  int st;
  waitpid(c, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void) {
  struct sched_param sp = {0};
  printf("initial policy %d\n", sched_getscheduler(0));
  OK("SCHED_BATCH", sched_setscheduler(0, SCHED_BATCH, &sp) == 0 && sched_getscheduler(0) == SCHED_BATCH);
  printf("a child's policy: %d\n", child_policy());
  sp.sched_priority = 20;
  OK("SCHED_FIFO 20", sched_setscheduler(0, SCHED_FIFO, &sp) == 0 && sched_getscheduler(0) == SCHED_FIFO);
  sp.sched_priority = 0;
  OK("getparam", sched_getparam(0, &sp) == 0 && sp.sched_priority == 20);
  stat_policy("FIFO");
  sp.sched_priority = 30;
  OK("setparam keeps the policy", sched_setparam(0, &sp) == 0 && sched_getscheduler(0) == SCHED_FIFO);
  ERR("FIFO with priority 0", sched_setscheduler(0, SCHED_FIFO, &(struct sched_param){0}), EINVAL);
  ERR("OTHER with priority 5", sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){5}), EINVAL);
  ERR("priority 100", sched_setscheduler(0, SCHED_RR, &(struct sched_param){100}), EINVAL);
  ERR("policy 4", sched_setscheduler(0, 4, &(struct sched_param){0}), EINVAL);
  ERR("policy -1", sched_setscheduler(0, -1, &(struct sched_param){0}), EINVAL);
  ERR("no such pid", sched_setscheduler(0x3ffffff, SCHED_OTHER, &(struct sched_param){0}), ESRCH);
  ERR("NULL param", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
  sp.sched_priority = 5;
  OK("SCHED_RR|SCHED_RESET_ON_FORK", sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) == 0);
  printf("getscheduler: %#x\n", sched_getscheduler(0));
  printf("a child's policy after RESET_ON_FORK: %d\n", child_policy());
  OK("back to OTHER", sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){0}) == 0);
  stat_policy("OTHER");

  /* sched_attr */
  struct sattr a;
  memset(&a, 0, sizeof a);
  OK("sched_getattr", getattr(0, &a, sizeof a, 0) == 0);
  printf("getattr: size %u policy %u nice %d prio %u\n", a.size, a.policy, a.nice, a.prio);
  memset(&a, 0, sizeof a);
  a.util_max = 77;
  OK("getattr of VER0's 48 bytes", getattr(0, &a, 48, 0) == 0 && a.size == 48 && a.util_max == 77);
  ERR("getattr size 40", getattr(0, &a, 40, 0), EINVAL);
  ERR("getattr flags", getattr(0, &a, sizeof a, 1), EINVAL);
  memset(&a, 0, sizeof a);
  a.size = sizeof a;
  a.policy = SCHED_BATCH;
  a.nice = 7;
  OK("setattr BATCH nice 7", setattr(0, &a, 0) == 0);
  printf("nice now %d, policy %d\n", getpriority(PRIO_PROCESS, 0), sched_getscheduler(0));
  a.size = 0;
  a.policy = SCHED_OTHER;
  a.nice = 3;
  OK("setattr size 0 (VER0)", setattr(0, &a, 0) == 0 && getpriority(PRIO_PROCESS, 0) == 3);
  unsigned char big[128];
  memset(big, 0, sizeof big);
  memcpy(big, &a, sizeof a);
  ((struct sattr *)big)->size = sizeof big;
  OK("setattr larger with a zero tail", setattr(0, big, 0) == 0);
  big[100] = 1;
  ERR("setattr larger with a nonzero tail", setattr(0, big, 0), E2BIG);
  printf("size written back: %u\n", ((struct sattr *)big)->size);
  a.size = 20;
  ERR("setattr size 20", setattr(0, &a, 0), E2BIG);
  a.size = sizeof a;
  ERR("setattr flags", setattr(0, &a, 1), EINVAL);
  a.flags = 0x80;
  ERR("setattr unknown sched_flags", setattr(0, &a, 0), EINVAL);
  memset(&a, 0, sizeof a);
  a.size = sizeof a;
  a.policy = SCHED_DEADLINE;
  a.runtime = 10000000;
  a.deadline = 5000000;
  ERR("DEADLINE runtime > deadline", setattr(0, &a, 0), EINVAL);
  a.runtime = 1000000;
  a.deadline = 2000000;
  a.period = 4000000;
  OK("SCHED_DEADLINE", setattr(0, &a, 0) == 0 && sched_getscheduler(0) == SCHED_DEADLINE);
  memset(&a, 0, sizeof a);
  getattr(0, &a, sizeof a, 0);
  printf("deadline attrs %llu/%llu/%llu\n", (unsigned long long)a.runtime, (unsigned long long)a.deadline,
         (unsigned long long)a.period);
  ERR("fork under SCHED_DEADLINE", fork(), EAGAIN);
  OK("back to OTHER", sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){0}) == 0);
  setpriority(PRIO_PROCESS, 0, 0);

  /* I/O priorities */
  printf("ioprio initially %#lx\n", ioget(1, 0));
  OK("ioprio BE 6", ioset(1, 0, IOPRIO(2, 6)) == 0 && ioget(1, 0) == IOPRIO(2, 6));
  pid_t c = fork();
  if (c == 0) _exit(ioget(1, 0) == IOPRIO(2, 6) ? 0 : 1);
  int st;
  waitpid(c, &st, 0);
  OK("ioprio inherited", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  OK("ioprio IDLE", ioset(1, 0, IOPRIO(3, 0)) == 0 && ioget(1, 0) == IOPRIO(3, 0));
  OK("ioprio RT 2 as root", ioset(1, 0, IOPRIO(1, 2)) == 0 && ioget(1, 0) == IOPRIO(1, 2));
  ERR("ioprio NONE with a level", ioset(1, 0, IOPRIO(0, 3)), EINVAL);
  ERR("ioprio class 5", ioset(1, 0, IOPRIO(5, 0)), EINVAL);
  ERR("ioprio which 4", ioset(4, 0, IOPRIO(2, 0)), EINVAL);
  ERR("ioprio_get which 0", ioget(0, 0), EINVAL);
  ERR("ioprio no such pid", ioget(1, 0x3ffffff), ESRCH);
  OK("ioprio back to NONE", ioset(1, 0, 0) == 0 && ioget(1, 0) == 0);
  int p[2];
  pipe(p);
  c = fork();
  if (c == 0) { char b; close(p[1]); ioset(1, 0, IOPRIO(2, 1)); read(p[0], &b, 1); _exit(0); }
  close(p[0]);
  usleep(200000);
  printf("ioprio of our group (the child's BE 1 is best): %#lx\n", ioget(2, 0));
  printf("ioprio of the child: %#lx\n", ioget(1, c));
  write(p[1], "x", 1);
  waitpid(c, &st, 0);

  /* unprivileged */
  c = fork();
  if (c == 0) {
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_RTPRIO, &none);
    if (setuid(65534)) _exit(99);
    int r1 = sched_setscheduler(0, SCHED_FIFO, &(struct sched_param){1}) == -1 && errno == EPERM;
    int r2 = sched_setscheduler(0, SCHED_BATCH, &(struct sched_param){0}) == 0;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.policy = SCHED_DEADLINE;
    a.runtime = 1000000;
    a.deadline = 2000000;
    int r3 = setattr(0, &a, 0) == -1 && errno == EPERM;
    int r4 = ioset(1, 0, IOPRIO(1, 0)) == -1 && errno == EPERM;
    int r5 = ioset(1, 0, IOPRIO(2, 0)) == 0;
    int r6 = ioset(1, 1, IOPRIO(2, 0)) == -1 && errno == EPERM;   /* root's pid 1 */
    _exit(r1 | r2 << 1 | r3 << 2 | r4 << 3 | r5 << 4 | r6 << 5);
  }
  waitpid(c, &st, 0);
  printf("unprivileged: FIFO EPERM %d, BATCH ok %d, DEADLINE EPERM %d, ioprio RT EPERM %d, BE ok %d, other user's EPERM %d\n",
         WEXITSTATUS(st) & 1, !!(WEXITSTATUS(st) & 2), !!(WEXITSTATUS(st) & 4), !!(WEXITSTATUS(st) & 8),
         !!(WEXITSTATUS(st) & 16), !!(WEXITSTATUS(st) & 32));
  return t_done();
}
