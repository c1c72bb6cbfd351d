/* pty_locked.c - a pty pair's locked termios (TIOCGLCKTRMIOS and
 * TIOCSLCKTRMIOS, tty_ioctl(4)): zero at first, shared by both ends,
 * set only with CAP_SYS_ADMIN, and the bits and control characters it
 * locks keep their value through tcsetattr.  stress-ng's pty stressor
 * reads it on every slave and failed with ENOTTY under umk. */
#include "t.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

int main(void)
{
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  OK("posix_openpt", m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0);
  int s = open(ptsname(m), O_RDWR | O_NOCTTY);
  OK("open the slave", s >= 0);

  struct termios lk, zero, t;
  memset(&zero, 0, sizeof zero);
  memset(&lk, 0xa5, sizeof lk);
  OK("TIOCGLCKTRMIOS on the slave: all zero", ioctl(s, TIOCGLCKTRMIOS, &lk) == 0 &&
     lk.c_iflag == 0 && lk.c_lflag == 0 && lk.c_cc[VINTR] == 0);
  OK("TIOCGLCKTRMIOS on the master", ioctl(m, TIOCGLCKTRMIOS, &lk) == 0 && lk.c_cflag == 0);
  errno = 0;
  OK("TIOCGLCKTRMIOS to a bad pointer: EFAULT", ioctl(s, TIOCGLCKTRMIOS, (void *)8) == -1 && errno == EFAULT);

  /* lock ECHO and VINTR */
  tcgetattr(s, &t);
  int echo0 = !!(t.c_lflag & ECHO);
  cc_t intr0 = t.c_cc[VINTR];
  memset(&lk, 0, sizeof lk);
  lk.c_lflag = ECHO;
  lk.c_cc[VINTR] = 0xff;
  OK("TIOCSLCKTRMIOS as root", ioctl(s, TIOCSLCKTRMIOS, &lk) == 0);
  memset(&lk, 0, sizeof lk);
  OK("the master reads the lock", ioctl(m, TIOCGLCKTRMIOS, &lk) == 0 && lk.c_lflag == ECHO &&
     lk.c_cc[VINTR] == 0xff && lk.c_iflag == 0);
  t.c_lflag ^= ECHO;
  t.c_lflag &= ~ICANON;
  t.c_cc[VINTR] = 'x';
  t.c_cc[VQUIT] = 'y';
  OK("tcsetattr", tcsetattr(s, TCSANOW, &t) == 0);
  tcgetattr(m, &t);
  printf("ECHO kept %d, VINTR kept %d, ICANON cleared %d, VQUIT set %d\n", !!(t.c_lflag & ECHO) == echo0,
         t.c_cc[VINTR] == intr0, !(t.c_lflag & ICANON), t.c_cc[VQUIT] == 'y');

  /* without CAP_SYS_ADMIN */
  pid_t p = fork();
  if (p == 0) {
    if (setuid(65534))
      _exit(3);
    errno = 0;
    int r = ioctl(s, TIOCSLCKTRMIOS, &zero);
    printf("TIOCSLCKTRMIOS as nobody: %d %s\n", r, en(errno));
    _exit(0);
  }
  int st;
  waitpid(p, &st, 0);
  OK("child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  errno = 0;
  OK("TIOCSLCKTRMIOS from a bad pointer: EFAULT", ioctl(m, TIOCSLCKTRMIOS, (void *)8) == -1 && errno == EFAULT);
  OK("unlock through the master", ioctl(m, TIOCSLCKTRMIOS, &zero) == 0);
  t.c_lflag ^= ECHO;
  OK("tcsetattr", tcsetattr(s, TCSANOW, &t) == 0);
  tcgetattr(s, &t);
  OK("ECHO changes again", !!(t.c_lflag & ECHO) != echo0);
  return t_failed != 0;
}
