/* syslog.c - syslog(2), dmesg's interface to the kernel log, with calls
 * that only read (the native run reads the host's log; the console
 * level is lowered and put back): the buffer size,
 * READ_ALL's "<PRI>[ secs.usecs] text" lines, what fits a short buffer,
 * and the EINVALs.  What umk logs is checked by run-all.sh (cli dmesg).  */
#include "t.h"
#include <fcntl.h>
#include <sys/klog.h>

/* /proc/sys/kernel/printk: console_loglevel, default message level,
 * minimum console level, default console level */
static int read_printk(int lv[4]) {
  char b[64] = "";
  int fd = open("/proc/sys/kernel/printk", O_RDONLY);
  if (fd < 0 || read(fd, b, sizeof b - 1) <= 0)
    return -1;
  close(fd);
  return sscanf(b, "%d %d %d %d", &lv[0], &lv[1], &lv[2], &lv[3]) == 4 ? 0 : -1;
}

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
  /* CONSOLE_OFF lowers the console level to the minimum, CONSOLE_ON
   * puts back the level it had, as /proc/sys/kernel/printk shows */
  int lv[4], off[4], on[4];
  OK("printk levels read", read_printk(lv) == 0);
  OK("CONSOLE_OFF", klogctl(6, NULL, 0) == 0);
  OK("console level at the minimum", read_printk(off) == 0 && off[0] == lv[2] && off[1] == lv[1]);
  OK("CONSOLE_ON", klogctl(7, NULL, 0) == 0);
  OK("console level back", read_printk(on) == 0 && on[0] == lv[0]);
  ERR("type 11", klogctl(11, buf, 10), EINVAL);
  ERR("type -1", klogctl(-1, buf, 10), EINVAL);
  return t_done();
}
