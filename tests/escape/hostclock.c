/* hostclock.c - guest root setting its wall clock must set the guest's
 * clock only.  Steps it forward by 1 s three ways (settimeofday,
 * clock_settime, adjtimex ADJ_SETOFFSET) and checks that the guest sees
 * each step; the runner checks that the host's realtime clock did not
 * move against its monotonic one.  Small steps on purpose: were the
 * call to reach the host, it would be off by 3 s, not years. */
#include "esc.h"
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* the guest's clock must have moved forward by about 1 s */
static void stepped(const char *how, long r, long long before) {
  long long d = now_ms() - before;
  if (r != 0) {
    printf("ESCAPED?: %s failed (%s): nothing tested\n", how, strerror(errno));
    escapes++;
  } else {
    verdict(0, "%s: the guest's clock moved %s", how, d >= 900 && d < 3000 ? "1 s" : "wrongly");
    if (d < 900 || d >= 3000)
      escapes++;
  }
}

int main(void) {
  long long t = now_ms();
  struct timeval tv = { (t + 1000) / 1000, (t + 1000) % 1000 * 1000 };
  stepped("settimeofday", settimeofday(&tv, NULL), t);
  t = now_ms();
  struct timespec ts = { (t + 1000) / 1000, (t + 1000) % 1000 * 1000000 };
  stepped("clock_settime", clock_settime(CLOCK_REALTIME, &ts), t);
  t = now_ms();
  struct timex tx = { .modes = ADJ_SETOFFSET, .time = { 1, 0 } };
  stepped("adjtimex ADJ_SETOFFSET", adjtimex(&tx) < 0 ? -1 : 0, t);
  return esc_done();
}
