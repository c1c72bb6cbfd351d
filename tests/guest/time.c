/* time.c - clocks and timers: clock_gettime/clock_getres, nanosleep and
 * clock_nanosleep sleeping at least as long as asked, gettimeofday vs
 * time, setitimer/getitimer with SIGALRM, alarm, times, getrusage, uname;
 * POSIX timer overruns of an absolute expiry already past (counted from
 * it, capped at INT_MAX for a 1 ns interval as Linux's; timer_getoverrun
 * gives the delivered signal's count while the timer goes on expiring).
 * Prints relationships only, never the times themselves.              */
#include "t.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>

static volatile sig_atomic_t alarms;
static void on_alrm(int sig) { (void)sig; alarms++; }

static double mono(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static timer_t ovr_timer;
static volatile int ovr_seen = -2, ovr_get = -2, ovr_calls;
/* the overrun the first signal carries (si_overrun: what Linux reports
 * at its delivery), and timer_getoverrun's a few ms later in the handler,
 * while the timer keeps expiring: still the delivered signal's */
static void on_ovr(int sig, siginfo_t *si, void *uc) {
  (void)sig, (void)uc;
  if (ovr_calls++)
    return;
  ovr_seen = si->si_overrun;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  do
    clock_gettime(CLOCK_MONOTONIC, &b);
  while ((b.tv_sec - a.tv_sec) * 1000000000L + b.tv_nsec - a.tv_nsec < 5000000);
  ovr_get = timer_getoverrun(ovr_timer);
  struct itimerspec off = { { 0, 0 }, { 0, 0 } };
  timer_settime(ovr_timer, 0, &off, NULL);
}

/* An absolute CLOCK_REALTIME expiry past_s s past with interval iv_ns: the
 * first signal's overrun (timer_settime03's CVE-2018-12896 check). */
static int overrun_of_past(long iv_ns, int past_s) {
  struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
  struct sigaction sa = { .sa_sigaction = on_ovr, .sa_flags = SA_SIGINFO };
  sigaction(SIGUSR1, &sa, NULL);
  ovr_seen = -2;
  ovr_calls = 0;
  if (timer_create(CLOCK_REALTIME, &sev, &ovr_timer))
    return -3;
  struct itimerspec sp = { { 0, iv_ns }, { 0, 0 } };
  clock_gettime(CLOCK_REALTIME, &sp.it_value);
  sp.it_value.tv_sec -= past_s;
  timer_settime(ovr_timer, TIMER_ABSTIME, &sp, NULL);
  for (int i = 0; i < 5000 && ovr_seen == -2; i++)
    usleep(1000);
  timer_delete(ovr_timer);
  return ovr_seen;
}

int main(void) {
  struct timespec a, b, res;
  int ok = 1;

  int o = overrun_of_past(1, 3);
  printf("overrun of a 1 ns timer 3 s past: %s\n", o == 2147483647 ? "INT_MAX" : o < 0 ? "negative" : "other");
  printf("  timer_getoverrun in the handler 5 ms on: %s\n",
         ovr_get == 2147483647 ? "INT_MAX" : ovr_get < 0 ? "negative" : "other");
  o = overrun_of_past(1000000, 2);
  printf("overrun of a 1 ms timer 2 s past: %s\n", o >= 1900 && o <= 2100 ? "about 2000" : "other");
  printf("  timer_getoverrun in the handler: %s\n", ovr_get == o ? "the signal's" : "other");

  /* monotonic never goes back; both the vDSO path and the raw syscall */
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < 2000; i++) {
    if (i & 1) clock_gettime(CLOCK_MONOTONIC, &b);
    else syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
    if (b.tv_sec < a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec < a.tv_nsec)) ok = 0;
    a = b;
  }
  OK("CLOCK_MONOTONIC non-decreasing", ok);
  OK("tv_nsec in range", b.tv_nsec >= 0 && b.tv_nsec < 1000000000);
  OK("clock_getres MONOTONIC <= 1ms", clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec <= 1000000);
  OK("CLOCK_REALTIME after 2020", clock_gettime(CLOCK_REALTIME, &a) == 0 && a.tv_sec > 1577836800);
  OK("CLOCK_BOOTTIME", clock_gettime(CLOCK_BOOTTIME, &a) == 0);
  OK("CLOCK_PROCESS_CPUTIME_ID", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a) == 0);
  OK("CLOCK_THREAD_CPUTIME_ID", clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a) == 0);
  ERR("clock_gettime bad clock", syscall(SYS_clock_gettime, 1234, &a), EINVAL);

  /* wall clocks agree */
  struct timeval tv;
  time_t t0 = time(NULL);
  OK("gettimeofday", gettimeofday(&tv, NULL) == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000);
  time_t t1 = syscall(SYS_time, NULL);
  OK("gettimeofday and time agree within 2 s", labs(tv.tv_sec - t0) <= 2 && labs(t1 - t0) <= 2);

  /* sleeping */
  double s = mono();
  OK("nanosleep 50ms", nanosleep(&(struct timespec){0, 50000000}, NULL) == 0);
  OK("slept at least 50ms", mono() - s >= 0.050);
  ERR("nanosleep bad nsec", nanosleep(&(struct timespec){0, 1000000000}, NULL), EINVAL);
  ERR("nanosleep negative", nanosleep(&(struct timespec){-1, 0}, NULL), EINVAL);
  clock_gettime(CLOCK_MONOTONIC, &a);
  a.tv_nsec += 30000000;
  if (a.tv_nsec >= 1000000000) a.tv_sec++, a.tv_nsec -= 1000000000;
  OK("clock_nanosleep TIMER_ABSTIME", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &a, NULL) == 0);
  clock_gettime(CLOCK_MONOTONIC, &b);
  OK("woke after the deadline", b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
  OK("nanosleep 0", nanosleep(&(struct timespec){0, 0}, NULL) == 0);

  /* interval timer */
  signal(SIGALRM, on_alrm);
  struct itimerval it = {{0, 20000}, {0, 20000}}, cur;
  s = mono();
  OK("setitimer ITIMER_REAL", setitimer(ITIMER_REAL, &it, NULL) == 0);
  OK("getitimer shows it armed", getitimer(ITIMER_REAL, &cur) == 0 && cur.it_interval.tv_usec == 20000 &&
                                     (cur.it_value.tv_sec || cur.it_value.tv_usec));
  while (alarms < 3) pause();
  OK("3 SIGALRMs took at least 60ms", mono() - s >= 0.059);
  it = (struct itimerval){{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &it, NULL);
  OK("disarmed", getitimer(ITIMER_REAL, &cur) == 0 && !cur.it_value.tv_sec && !cur.it_value.tv_usec);
  alarms = 0;
  OK("alarm returns 0 when none pending", alarm(5) == 0);
  OK("alarm returns remaining seconds", alarm(0) >= 4);
  alarms = 0;
  alarm(1);
  pause();
  OK("alarm(1) delivered", alarms == 1);
  ERR("setitimer bad which", setitimer(17, &it, NULL), EINVAL);

  /* accounting */
  struct tms tm;
  OK("times", times(&tm) != (clock_t)-1);
  struct rusage ru;
  OK("getrusage SELF", getrusage(RUSAGE_SELF, &ru) == 0);
  OK("getrusage CHILDREN", getrusage(RUSAGE_CHILDREN, &ru) == 0);
  ERR("getrusage bad who", getrusage(42, &ru), EINVAL);

  /* uname */
  struct utsname u;
  OK("uname", uname(&u) == 0);
  printf("sysname %s machine %s release starts with digit %s\n", u.sysname, u.machine,
         u.release[0] >= '0' && u.release[0] <= '9' ? "yes" : "no");
  return t_done();
}
