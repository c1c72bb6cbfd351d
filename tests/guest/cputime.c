/* cputime.c - CPU time as a guest sees it: ITIMER_VIRTUAL and ITIMER_PROF
 * that fire from CPU time (and not from sleeping), with intervals, read
 * back, not inherited; CPU-time clocks of the process, of a thread, of
 * another process (clock_getcpuclockid) and of another thread
 * (pthread_getcpuclockid), with the ids Linux refuses; getrusage's
 * maxrss, minflt, nvcsw for the process, a thread and reaped children
 * (and wait4's); sched_setaffinity applied (sched_getcpu follows),
 * read back, inherited by fork and threads, and refused for no CPU;
 * POSIX timers on CPU-time clocks (process, thread, another thread's)
 * that fire from CPU time, with intervals and read back; RLIMIT_CPU's
 * SIGXCPU at the soft limit and SIGKILL at the hard one.
 * Host-dependent numbers are never printed, only how they compare.  */
#include "t.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static volatile int nvt, nprof;
static void on_vt(int s) { (void)s; nvt++; }
static void on_prof(int s) { (void)s; nprof++; }

static int64_t ns_of(clockid_t c) {
  struct timespec ts;
  if (clock_gettime(c, &ts)) return -1;
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* spins until *flag reaches n or wall seconds pass; returns 1 if reached */
static int spin_until(volatile int *flag, int n, int secs) {
  int64_t end = ns_of(CLOCK_MONOTONIC) + (int64_t)secs * 1000000000LL;
  volatile unsigned long x = 0;
  while (*flag < n && ns_of(CLOCK_MONOTONIC) < end)
    for (int i = 0; i < 100000; i++) x += i;
  return *flag >= n;
}

static volatile int stop_thread;
static void *busy(void *arg) {
  (void)arg;
  volatile unsigned long x = 0;
  while (!stop_thread) x++;
  return NULL;
}

static void touch(size_t mb) {
  char *p = mmap(NULL, mb << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (size_t i = 0; i < mb << 20; i += 4096) p[i] = 1;
}

static void itimers(void) {
  signal(SIGVTALRM, on_vt);
  signal(SIGPROF, on_prof);
  struct itimerval v = { { 0, 0 }, { 0, 50000 } }, o;
  int64_t c0 = ns_of(CLOCK_PROCESS_CPUTIME_ID);
  OK("setitimer ITIMER_VIRTUAL 50 ms", setitimer(ITIMER_VIRTUAL, &v, NULL) == 0);
  /* Linux may report a tick more than was set */
  OK("getitimer: armed, about 50 ms left", getitimer(ITIMER_VIRTUAL, &o) == 0 &&
     o.it_value.tv_sec == 0 && o.it_value.tv_usec > 0 && o.it_value.tv_usec <= 60000);
  OK("SIGVTALRM arrives from CPU time", spin_until(&nvt, 1, 10));
  OK("... after about 50 ms of it", ns_of(CLOCK_PROCESS_CPUTIME_ID) - c0 >= 30000000);
  OK("one-shot: disarmed", getitimer(ITIMER_VIRTUAL, &o) == 0 && !o.it_value.tv_sec && !o.it_value.tv_usec);
  /* sleeping spends no CPU time */
  v.it_value.tv_usec = 100000;
  nvt = 0;
  setitimer(ITIMER_VIRTUAL, &v, NULL);
  usleep(300000);
  OK("no SIGVTALRM while asleep", nvt == 0);
  v.it_value.tv_usec = 0;
  setitimer(ITIMER_VIRTUAL, &v, &o);
  OK("disarm returns what was left", o.it_value.tv_usec > 0 || o.it_value.tv_sec > 0);
  /* an interval */
  struct itimerval iv = { { 0, 20000 }, { 0, 20000 } };
  nprof = 0;
  OK("setitimer ITIMER_PROF 20 ms / 20 ms", setitimer(ITIMER_PROF, &iv, NULL) == 0);
  OK("SIGPROF three times", spin_until(&nprof, 3, 20));
  OK("the interval reads back", getitimer(ITIMER_PROF, &o) == 0 && o.it_interval.tv_usec == 20000);
  pid_t c = fork();
  if (c == 0) {
    struct itimerval co;
    getitimer(ITIMER_PROF, &co);
    _exit(co.it_value.tv_sec || co.it_value.tv_usec || co.it_interval.tv_usec ? 1 : 0);
  }
  int st;
  waitpid(c, &st, 0);
  OK("a child does not inherit it", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  memset(&iv, 0, sizeof iv);
  setitimer(ITIMER_PROF, &iv, NULL);
  /* a thread's CPU time counts for the process */
  nvt = 0;
  v.it_value.tv_usec = 60000;
  stop_thread = 0;
  pthread_t th;
  pthread_create(&th, NULL, busy, NULL);
  setitimer(ITIMER_VIRTUAL, &v, NULL);
  int64_t end = ns_of(CLOCK_MONOTONIC) + 10000000000LL;
  while (!nvt && ns_of(CLOCK_MONOTONIC) < end) usleep(1000);
  OK("a busy thread's CPU time fires the process's timer", nvt == 1);
  stop_thread = 1;
  pthread_join(th, NULL);
  ERR("setitimer bad which", setitimer(9, &v, NULL), EINVAL);
  struct itimerval bad = { { 0, 0 }, { 0, 1000000 } };
  ERR("setitimer bad usec", setitimer(ITIMER_VIRTUAL, &bad, NULL), EINVAL);
  ERR("getitimer bad pointer", syscall(SYS_getitimer, ITIMER_PROF, (void *)8), EFAULT);
}

static void clocks(void) {
  clockid_t pc, tc;
  OK("clock_getcpuclockid(self)", clock_getcpuclockid(getpid(), &pc) == 0);
  int64_t a = ns_of(pc), b = ns_of(CLOCK_PROCESS_CPUTIME_ID);
  OK("it reads the process's CPU time", a > 0 && b >= a);
  OK("clock_getcpuclockid(0)", clock_getcpuclockid(0, &pc) == 0 && ns_of(pc) > 0);
  OK("clock_getcpuclockid of no process: ESRCH", clock_getcpuclockid(4000000, &pc) == ESRCH);
  int p[2];
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    close(p[0]);
    volatile unsigned long x = 0;
    int64_t end = ns_of(CLOCK_PROCESS_CPUTIME_ID) + 100000000LL;
    while (ns_of(CLOCK_PROCESS_CPUTIME_ID) < end) x++;
    write(p[1], "x", 1);
    pause();
    _exit(0);
  }
  close(p[1]);
  char ch;
  read(p[0], &ch, 1);
  OK("clock_getcpuclockid(child)", clock_getcpuclockid(c, &pc) == 0);
  OK("the child's CPU time: at least the 100 ms it spun", ns_of(pc) >= 100000000LL);
  struct timespec res;
  OK("clock_getres of it", clock_getres(pc, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0);
  /* a thread clock of another process: refused */
  clockid_t other = (clockid_t)((~(unsigned)c << 3) | 6);
  struct timespec ts;
  ERR("another process's thread clock", clock_gettime(other, &ts), EINVAL);
  kill(c, SIGKILL);
  waitpid(c, NULL, 0);
  ERR("the clock of a reaped process", clock_gettime(pc, &ts), EINVAL);
  /* a thread of ours */
  stop_thread = 0;
  pthread_t th;
  pthread_create(&th, NULL, busy, NULL);
  OK("pthread_getcpuclockid", pthread_getcpuclockid(th, &tc) == 0);
  int64_t t0 = ns_of(tc), t1 = t0, end = ns_of(CLOCK_MONOTONIC) + 10000000000LL;
  while (t1 - t0 < 30000000LL && ns_of(CLOCK_MONOTONIC) < end) {
    usleep(10000);
    t1 = ns_of(tc);
  }
  OK("the busy thread's clock grows", t0 >= 0 && t1 - t0 >= 30000000LL);
  OK("our own thread clock grows less while we sleep", ns_of(CLOCK_THREAD_CPUTIME_ID) < ns_of(CLOCK_PROCESS_CPUTIME_ID));
  stop_thread = 1;
  pthread_join(th, NULL);
  ERR("clock id with a bad type", clock_gettime((clockid_t)((~0u << 3) | 3), &ts), EINVAL);
  OK("clock_nanosleep on a thread clock: EINVAL", clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &res, NULL) == EINVAL);
}

static void rusage(void) {
  struct rusage r0, r1;
  OK("getrusage(RUSAGE_SELF)", getrusage(RUSAGE_SELF, &r0) == 0 && r0.ru_maxrss > 0);
  touch(24);
  getrusage(RUSAGE_SELF, &r1);
  OK("maxrss grows by the 24 MB touched", r1.ru_maxrss - r0.ru_maxrss >= 20 * 1024);
  OK("minor faults grow", r1.ru_minflt - r0.ru_minflt >= 4000);
  for (int i = 0; i < 10; i++) usleep(2000);
  getrusage(RUSAGE_SELF, &r0);
  OK("voluntary context switches grow when sleeping", r0.ru_nvcsw - r1.ru_nvcsw >= 5);
  OK("getrusage(RUSAGE_THREAD)", getrusage(RUSAGE_THREAD, &r1) == 0 && r1.ru_maxrss > 0);
  struct rusage rc0;
  getrusage(RUSAGE_CHILDREN, &rc0);
  pid_t c = fork();
  if (c == 0) {
    touch(40);
    _exit(0);
  }
  struct rusage wr;
  int st;
  OK("wait4 with rusage", wait4(c, &st, 0, &wr) == c);
  OK("wait4's maxrss: the child's 40 MB", wr.ru_maxrss >= 38 * 1024 && wr.ru_minflt >= 9000);
  getrusage(RUSAGE_CHILDREN, &r1);
  OK("RUSAGE_CHILDREN: maxrss of the largest child", r1.ru_maxrss >= 38 * 1024);
  OK("RUSAGE_CHILDREN: its faults added", r1.ru_minflt - rc0.ru_minflt >= 9000);
  ERR("getrusage bad who", getrusage(5, &r1), EINVAL);
  ERR("getrusage bad pointer", syscall(SYS_getrusage, RUSAGE_SELF, (void *)8), EFAULT);
}

static void *report_cpu(void *arg) {
  cpu_set_t s;
  sched_getaffinity(0, sizeof s, &s);
  *(int *)arg = CPU_COUNT(&s) == 1 && CPU_ISSET(1, &s) && sched_getcpu() == 1;
  return NULL;
}

static void affinity(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  cpu_set_t s, all;
  OK("sched_getaffinity", sched_getaffinity(0, sizeof all, &all) == 0 && CPU_COUNT(&all) == n);
  ERR("sched_getaffinity len 4", syscall(SYS_sched_getaffinity, 0, 4, &s), EINVAL);
  long r = syscall(SYS_sched_getaffinity, 0, 128, &s);
  OK("sched_getaffinity returns the mask's size (longs)", r >= 8 && r % 8 == 0);
  ERR("sched_getaffinity no such pid", sched_getaffinity(4000000, sizeof s, &s), ESRCH);
  CPU_ZERO(&s);
  CPU_SET(63, &s);
  ERR("sched_setaffinity to no online CPU", sched_setaffinity(0, sizeof s, &s), EINVAL);
  ERR("sched_setaffinity bad pointer", syscall(SYS_sched_setaffinity, 0, 8, (void *)8), EFAULT);
  if (n < 2) {
    printf("one CPU: nothing to move between\n");
    return;
  }
  printf("two CPUs or more\n");
  for (int cpu = 1; cpu >= 0; cpu--) {
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    char name[64];
    snprintf(name, sizeof name, "sched_setaffinity to CPU %d", cpu);
    OK(name, sched_setaffinity(0, sizeof s, &s) == 0);
    cpu_set_t g;
    OK("read back", sched_getaffinity(0, sizeof g, &g) == 0 && CPU_COUNT(&g) == 1 && CPU_ISSET(cpu, &g));
    int on = 1;
    volatile unsigned long x = 0;
    for (int i = 0; i < 200; i++) {
      for (int k = 0; k < 20000; k++) x++;
      if (sched_getcpu() != cpu) on = 0;
      if (i % 50 == 0) usleep(1000);
    }
    OK("sched_getcpu says we run there", on);
    char st[4096] = "", want[64];
    FILE *f = fopen("/proc/self/status", "r");
    size_t got = fread(st, 1, sizeof st - 1, f);
    st[got] = 0;
    fclose(f);
    snprintf(want, sizeof want, "Cpus_allowed_list:\t%d\n", cpu);
    OK("/proc/self/status shows it", strstr(st, want) != NULL);
  }
  /* inherited by fork */
  pid_t c = fork();
  if (c == 0) {
    cpu_set_t g;
    sched_getaffinity(0, sizeof g, &g);
    _exit(CPU_COUNT(&g) == 1 && CPU_ISSET(0, &g) && sched_getcpu() == 0 ? 0 : 1);
  }
  int stt;
  waitpid(c, &stt, 0);
  OK("a child inherits it", WIFEXITED(stt) && WEXITSTATUS(stt) == 0);
  /* another process's */
  int p[2];
  pipe(p);
  c = fork();
  if (c == 0) {
    char b;
    read(p[0], &b, 1);
    cpu_set_t g;
    sched_getaffinity(0, sizeof g, &g);
    _exit(CPU_COUNT(&g) == 1 && CPU_ISSET(1, &g) && sched_getcpu() == 1 ? 0 : 1);
  }
  CPU_ZERO(&s);
  CPU_SET(1, &s);
  OK("set a child's", sched_setaffinity(c, sizeof s, &s) == 0);
  write(p[1], "x", 1);
  waitpid(c, &stt, 0);
  OK("the child runs there", WIFEXITED(stt) && WEXITSTATUS(stt) == 0);
  /* a new thread inherits ours */
  sched_setaffinity(0, sizeof s, &s);
  int ok = 0;
  pthread_t th;
  pthread_create(&th, NULL, report_cpu, &ok);
  pthread_join(th, NULL);
  OK("a thread inherits it", ok);
  OK("back to every CPU", sched_setaffinity(0, sizeof all, &all) == 0);
}

static volatile int ntimer;
static void on_timer(int s, siginfo_t *si, void *uc) {
  (void)s; (void)uc;
  if (si->si_code == SI_TIMER) ntimer++;
}

static void cpu_timers(void) {
  struct sigaction sa = { 0 };
  sa.sa_sigaction = on_timer;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGRTMIN, &sa, NULL);
  struct sigevent ev = { 0 };
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGRTMIN;
  timer_t tm;
  struct itimerspec v = { { 0, 0 }, { 0, 50000000 } }, g;
  OK("timer_create(CLOCK_PROCESS_CPUTIME_ID)", timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &tm) == 0);
  OK("timer_settime 50 ms of CPU", timer_settime(tm, 0, &v, NULL) == 0);
  OK("timer_gettime: armed, at most 50 ms left",
     timer_gettime(tm, &g) == 0 && g.it_value.tv_sec == 0 && g.it_value.tv_nsec > 0 && g.it_value.tv_nsec <= 50000000);
  ntimer = 0;
  usleep(150000);
  OK("a process CPU timer does not fire while we sleep", ntimer == 0);
  OK("it fires once we spend the CPU time", spin_until(&ntimer, 1, 20));
  OK("a one-shot timer is disarmed after it", timer_gettime(tm, &g) == 0 && !g.it_value.tv_sec && !g.it_value.tv_nsec);
  struct itimerspec iv = { { 0, 20000000 }, { 0, 20000000 } };
  OK("an interval of 20 ms", timer_settime(tm, 0, &iv, NULL) == 0);
  ntimer = 0;
  OK("it fires again and again", spin_until(&ntimer, 3, 20));
  OK("timer_gettime shows the interval", timer_gettime(tm, &g) == 0 && g.it_interval.tv_nsec == 20000000);
  struct itimerspec zero = { 0 };
  OK("disarm", timer_settime(tm, 0, &zero, &g) == 0 && g.it_interval.tv_nsec == 20000000);
  OK("timer_delete", timer_delete(tm) == 0);
  /* absolute expiry on our own thread clock */
  OK("timer_create(CLOCK_THREAD_CPUTIME_ID)", timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &tm) == 0);
  struct timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  struct itimerspec av = { { 0, 0 }, { now.tv_sec, now.tv_nsec } };
  av.it_value.tv_nsec += 30000000;
  if (av.it_value.tv_nsec >= 1000000000) { av.it_value.tv_sec++; av.it_value.tv_nsec -= 1000000000; }
  ntimer = 0;
  OK("timer_settime TIMER_ABSTIME on the thread clock", timer_settime(tm, TIMER_ABSTIME, &av, NULL) == 0);
  OK("the thread clock timer fires", spin_until(&ntimer, 1, 20));
  timer_delete(tm);
  /* another thread's clock: fires from that thread's time, not ours */
  stop_thread = 0;
  pthread_t th;
  pthread_create(&th, NULL, busy, NULL);
  clockid_t tc;
  pthread_getcpuclockid(th, &tc);
  OK("timer_create on another thread's clock", timer_create(tc, &ev, &tm) == 0);
  ntimer = 0;
  OK("armed for 40 ms of its CPU", timer_settime(tm, 0, &(struct itimerspec){ { 0, 0 }, { 0, 40000000 } }, NULL) == 0);
  int64_t end = ns_of(CLOCK_MONOTONIC) + 20000000000LL;
  while (!ntimer && ns_of(CLOCK_MONOTONIC) < end) usleep(10000);
  OK("it fires while we sleep", ntimer == 1);
  stop_thread = 1;
  pthread_join(th, NULL);
  timer_delete(tm);
  ERR("timer_create on a dynamic (fd) clock id", syscall(SYS_timer_create, (clockid_t)((~0u << 3) | 3), &ev, &tm), EOPNOTSUPP);
  ERR("timer_create on no process's clock", syscall(SYS_timer_create, (clockid_t)((~4000000u << 3) | 2), &ev, &tm), EINVAL);
  ERR("raw clock_nanosleep on CLOCK_THREAD_CPUTIME_ID", syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &(struct timespec){ 0, 1000 }, NULL), EOPNOTSUPP);
  ERR("raw clock_nanosleep on a thread's clock id", syscall(SYS_clock_nanosleep, tc, 0, &(struct timespec){ 0, 1000 }, NULL), EINVAL);
  ERR("timer_settime with no value", syscall(SYS_timer_settime, 0, 0, NULL, NULL), EINVAL);
}

static volatile sig_atomic_t xcpu_seen;
static void on_xcpu(int s) { (void)s; xcpu_seen++; }

/* A child spinning under RLIMIT_CPU {soft, hard}; how it ended. */
static void cpu_limit(rlim_t soft, rlim_t hard, int handle) {
  volatile int *seen = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pid_t c = fork();
  if (c == 0) {
    if (handle)
      signal(SIGXCPU, on_xcpu);
    /* a bound in wall time in case the limit never fires: generous, as
     * a child on a loaded machine may get a few percent of a CPU (it
     * died of this alarm after 20 s while hundreds of host threads ran) */
    alarm(50);
    struct rlimit rl = { soft, hard };
    if (setrlimit(RLIMIT_CPU, &rl))
      _exit(1);
    for (;;)
      *seen = xcpu_seen;
  }
  int st;
  waitpid(c, &st, 0);
  printf("RLIMIT_CPU {%ld, %ld}%s: %s %d, SIGXCPU handled %d\n", (long)soft, (long)(hard == RLIM_INFINITY ? -1 : (long)hard),
         handle ? " with a handler" : "", WIFSIGNALED(st) ? "signal" : "exit",
         WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), *seen > 0);
  munmap((void *)seen, 4096);
}

int main(void) {
  cpu_limit(1, 2, 1);
  cpu_limit(1, RLIM_INFINITY, 0);
  itimers();
  clocks();
  cpu_timers();
  rusage();
  affinity();
  return t_done();
}
