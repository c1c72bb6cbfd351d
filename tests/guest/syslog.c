/* syslog.c - syslog(2), dmesg's interface to the kernel log, with calls
 * that only read (the native run reads the host's log): the buffer size,
 * READ_ALL's "<PRI>[ secs.usecs] text" lines, what fits a short buffer,
 * and the EINVALs.  What umk logs is checked by run-all.sh (cli dmesg).  */
#include "t.h"
#include <sys/klog.h>

int main(void) {
  static char buf[1 << 20];
  int size = klogctl(10, NULL, 0);
  OK("SIZE_BUFFER", size > 0);
  int n = klogctl(3, buf, sizeof buf - 1);
  OK("READ_ALL", n > 0);
  buf[n > 0 ? n : 0] = 0;
  OK("records look like <PRI>[ s.us] text", buf[0] == '<' && strchr(buf, ']') && strchr(buf, '\n'));
  int one = klogctl(3, buf, 64);
  OK("READ_ALL into a short buffer: whole records that fit", one >= 0 && one <= 64);
  OK("READ_ALL len 0", klogctl(3, buf, 0) == 0);
  OK("SIZE_UNREAD", klogctl(9, NULL, 0) >= 0);
  OK("OPEN and CLOSE", klogctl(1, NULL, 0) == 0 && klogctl(0, NULL, 0) == 0);
  ERR("READ_ALL NULL", klogctl(3, NULL, 10), EINVAL);
  ERR("READ_ALL negative len", klogctl(3, buf, -1), EINVAL);
  ERR("READ NULL", klogctl(2, NULL, 10), EINVAL);
  ERR("CONSOLE_LEVEL 0", klogctl(8, NULL, 0), EINVAL);
  ERR("CONSOLE_LEVEL 9", klogctl(8, NULL, 9), EINVAL);
  ERR("type 11", klogctl(11, buf, 10), EINVAL);
  ERR("type -1", klogctl(-1, buf, 10), EINVAL);
  return t_done();
}
