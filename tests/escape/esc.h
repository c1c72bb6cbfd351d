/* esc.h - verdict helpers for the escape tests.  Each test tries things
 * that must not work inside umk and prints one line per attempt:
 * "held: WHAT (RESULT)" when umk stopped it, "ESCAPED: WHAT (RESULT)" when
 * it worked.  The program exits 1 if anything escaped.  Run natively, most
 * attempts do "escape"; that is how the test shows it is testing something. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int escapes;

__attribute__((constructor)) static void esc_init(void) { setvbuf(stdout, NULL, _IONBF, 0); }

static inline void verdict(int escaped, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%s: ", escaped ? "ESCAPED" : "held");
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  escapes += escaped;
}

static inline int esc_done(void) {
  printf("%d escape(s)\n", escapes);
  return escapes ? 1 : 0;
}
