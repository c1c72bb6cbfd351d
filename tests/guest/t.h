/* t.h - helpers shared by the guest test programs in tests/guest.
 * Each program prints deterministic lines ("ok NAME", "ok NAME: EFOO",
 * values) so a native run and a run under umk can be diffed, and exits
 * non-zero if any check failed.  stdout is unbuffered so that output of
 * forked children is never duplicated or reordered by stdio buffers.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int t_failed;

__attribute__((constructor)) static void t_init(void) { setvbuf(stdout, NULL, _IONBF, 0); }

/* errno name ("ENOENT"), as native Linux would report it */
static inline const char *en(int e) {
  const char *s = strerrorname_np(e);
  return s ? s : "E?";
}

static inline void t_ok(const char *name, int cond, int line) {
  if (cond)
    printf("ok %s\n", name);
  else {
    printf("FAIL %s (line %d, errno %s)\n", name, line, en(errno));
    t_failed++;
  }
}

static inline void t_err(const char *name, long r, int got, int want, int line) {
  if (r == -1 && got == want)
    printf("ok %s: %s\n", name, en(want));
  else {
    printf("FAIL %s: ret %ld errno %s, want %s (line %d)\n", name, r, r == -1 ? en(got) : "-", en(want), line);
    t_failed++;
  }
}

/* OK(name, cond): check a condition.  ERR(name, expr, E): expr must fail with errno E. */
#define OK(name, cond) t_ok(name, !!(cond), __LINE__)
#define ERR(name, expr, e) do { errno = 0; long r_ = (long)(expr); t_err(name, r_, errno, e, __LINE__); } while (0)
/* RES(name, expr): print the result, value or errno name, whatever it is. */
#define RES(name, expr) do { errno = 0; long r_ = (long)(expr); \
    if (r_ == -1) printf("%s = -1 %s\n", name, en(errno)); else printf("%s = %ld\n", name, r_); } while (0)

static inline int t_done(void) {
  if (t_failed) printf("FAILED %d\n", t_failed);
  else printf("all ok\n");
  return t_failed != 0;
}
