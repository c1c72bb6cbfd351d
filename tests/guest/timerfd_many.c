/* timerfd_many.c - many fast interval timerfds nobody reads for a while
 * (stress-ng's timerfd stressor: 1024 of them at 1 MHz): the process
 * keeps running, and a read then returns every interval that passed.
 * umk once re-armed its kernel timer at each expiry and livelocked. */
#include "t.h"
#include <stdint.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>

#define N 512

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
  static int fd[N];
  struct rlimit rl = {4096, 4096};
  setrlimit(RLIMIT_NOFILE, &rl);
  struct itimerspec its = { .it_interval = { 0, 1000 }, .it_value = { 0, 1000 } };
  int made = 0;
  for (int i = 0; i < N; i++) {
    fd[i] = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd[i] >= 0 && timerfd_settime(fd[i], 0, &its, NULL) == 0)
      made++;
  }
  OK("512 timerfds at 1 us", made == N);
  double t0 = now();
  long spins = 0;
  while (now() - t0 < 0.3)   /* the process runs meanwhile */
    spins++;
  OK("the process ran", spins > 1000);
  int all = 0;
  for (int i = 0; i < N; i++) {
    uint64_t v = 0;
    all += read(fd[i], &v, sizeof v) == sizeof v && v >= 1000;   /* 300,000 passed */
  }
  OK("each read counts the intervals that passed", all == N);
  uint64_t v;
  struct itimerspec cur;
  OK("and the timers go on", timerfd_gettime(fd[0], &cur) == 0 && cur.it_interval.tv_nsec == 1000 &&
     (usleep(10000), read(fd[0], &v, sizeof v) == sizeof v && v >= 1));
  /* a slow one keeps its period after a read re-arms it: each blocking
   * read gets at least one expiry, and together they count every 20 ms
   * interval between settime and the last read (however late each read
   * came, so no timing assumption) */
  int slow = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  struct itimerspec s = { .it_interval = { 0, 20000000 }, .it_value = { 0, 20000000 } };
  double before = now();
  timerfd_settime(slow, 0, &s, NULL);
  double after = now(), last = 0;
  int got = 0;
  uint64_t total = 0;
  for (int i = 0; i < 5; i++) {
    last = now();
    v = 0;
    got += read(slow, &v, sizeof v) == sizeof v && v >= 1;
    total += v;
  }
  double end = now();
  OK("a 20 ms timer read five times: at least one expiry each", got == 5);
  OK("the five reads count the intervals that passed",
     total >= (uint64_t)((last - after) / 0.02) && total <= (uint64_t)((end - before) / 0.02) + 1);
  return t_done();
}
