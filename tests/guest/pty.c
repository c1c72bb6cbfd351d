/* pty.c - pseudo-terminals: posix_openpt/grantpt/unlockpt/ptsname, EIO
 * before unlock, canonical reads and echo (with "\r\n" output), line
 * editing, ^C to the foreground group of a child's controlling terminal,
 * raw mode, TIOCSWINSZ and SIGWINCH, isatty/ttyname, /dev/pts listing,
 * poll on both ends, the hang-ups of either end, and packet mode
 * (TIOCPKT: the status byte of flushes and flow-control changes); the
 * old termio ioctls TCGETA/TCSETA and their EFAULTs.                 */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <termio.h>

/* what the master has to read within 2 s, made printable */
static const char *drain(int m) {
  static char out[1024];
  char buf[512];
  size_t o = 0;
  struct pollfd pf = {m, POLLIN, 0};
  while (poll(&pf, 1, 200) == 1 && (pf.revents & POLLIN)) {
    ssize_t n = read(m, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n && o < sizeof out - 5; i++) {
      unsigned char c = buf[i];
      if (c == '\r') o += sprintf(out + o, "\\r");
      else if (c == '\n') o += sprintf(out + o, "\\n");
      else if (c < 32 || c == 127) o += sprintf(out + o, "\\x%02x", c);
      else out[o++] = c;
    }
  }
  out[o] = 0;
  return out;
}

static const char *pev(short e) {
  static char b[64];
  b[0] = 0;
  if (e & POLLIN) strcat(b, "IN|");
  if (e & POLLOUT) strcat(b, "OUT|");
  if (e & POLLHUP) strcat(b, "HUP|");
  if (e & POLLERR) strcat(b, "ERR|");
  if (!b[0]) return "0";
  b[strlen(b) - 1] = 0;
  return b;
}

static volatile sig_atomic_t got_winch;
static void on_winch(int s) { (void)s; got_winch = 1; }

static int open_pair(int *m, int *s, char *name) {
  *m = posix_openpt(O_RDWR | O_NOCTTY);
  if (*m < 0 || grantpt(*m) || unlockpt(*m)) return -1;
  strcpy(name, ptsname(*m));
  *s = open(name, O_RDWR | O_NOCTTY);
  return *s < 0 ? -1 : 0;
}

static void termio_ioctls(void) {
  int m, s;
  char name[64];
  if (open_pair(&m, &s, name)) {
    printf("no pty\n");
    return;
  }
  struct termios ts;
  struct termio to;
  tcgetattr(s, &ts);
  OK("TCGETA", ioctl(s, TCGETA, &to) == 0);
  OK("its flags are TCGETS's low 16 bits", to.c_lflag == (ts.c_lflag & 0xffff) && to.c_iflag == (ts.c_iflag & 0xffff) &&
     to.c_cc[VINTR] == ts.c_cc[VINTR]);
  to.c_lflag &= ~ECHO;
  OK("TCSETA", ioctl(s, TCSETA, &to) == 0);
  tcgetattr(s, &ts);
  OK("TCGETS sees the change", !(ts.c_lflag & ECHO));
  ERR("TCGETA to a bad address", ioctl(s, TCGETA, (void *)-1), EFAULT);
  ERR("TCGETA to NULL", ioctl(s, TCGETA, NULL), EFAULT);
  int f = open("/tmp", O_RDONLY | O_DIRECTORY);
  ERR("TCGETA on a directory", ioctl(f, TCGETA, &to), ENOTTY);
  close(f);
  close(s);
  close(m);
}

int main(void) {
  char name[64], buf[256];
  int m, s, n;

  /* opening: locked until unlockpt */
  m = posix_openpt(O_RDWR | O_NOCTTY);
  OK("posix_openpt", m >= 0);
  OK("grantpt", grantpt(m) == 0);
  char *pn = ptsname(m);
  OK("ptsname is /dev/pts/N", pn && !strncmp(pn, "/dev/pts/", 9));
  strcpy(name, pn);
  unsigned ptn = 99;
  OK("TIOCGPTN agrees", ioctl(m, TIOCGPTN, &ptn) == 0 && ptn == (unsigned)atoi(name + 9));
  int lock = 1;
  OK("lock", ioctl(m, TIOCSPTLCK, &lock) == 0);
  ERR("open slave while locked", open(name, O_RDWR | O_NOCTTY), EIO);
  OK("unlockpt", unlockpt(m) == 0);
  s = open(name, O_RDWR | O_NOCTTY);
  OK("open slave", s >= 0);

  /* the slave node */
  struct stat st, st2;
  OK("fstat slave", fstat(s, &st) == 0);
  OK("slave is a char device 0620 or 0600", S_ISCHR(st.st_mode) &&
                                               ((st.st_mode & 0777) == 0620 || (st.st_mode & 0777) == 0600));
  OK("slave rdev 136:N", major(st.st_rdev) == 136 && minor(st.st_rdev) == ptn);
  OK("stat agrees", stat(name, &st2) == 0 && st2.st_rdev == st.st_rdev && st2.st_ino == st.st_ino &&
                        st2.st_dev == st.st_dev);
  OK("isatty slave", isatty(s) == 1);
  OK("isatty master", isatty(m) == 1);
  char *tn = ttyname(s);
  OK("ttyname slave", tn && !strcmp(tn, name));
  ERR("TIOCGPTN on slave", ioctl(s, TIOCGPTN, &ptn), ENOTTY);
  ERR("isatty /dev/null", isatty(open("/dev/null", O_RDONLY)) ? 0 : -1, ENOTTY);
  int found = 0;
  DIR *d = opendir("/dev/pts");
  struct dirent *de;
  while (d && (de = readdir(d)))
    if (!strcmp(de->d_name, name + 9)) found = 1;
  if (d) closedir(d);
  OK("listed in /dev/pts", found);

  /* default termios */
  struct termios tio;
  OK("tcgetattr", tcgetattr(s, &tio) == 0);
  OK("canonical with echo by default", (tio.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG));
  OK("ONLCR by default", (tio.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR));
  OK("ICRNL by default", tio.c_iflag & ICRNL);
  printf("VINTR %d VEOF %d VERASE %d VKILL %d VMIN %d\n", tio.c_cc[VINTR], tio.c_cc[VEOF], tio.c_cc[VERASE],
         tio.c_cc[VKILL], tio.c_cc[VMIN]);

  /* canonical input */
  struct pollfd pf = {s, POLLIN, 0};
  OK("write partial line", write(m, "hel", 3) == 3);
  OK("slave not readable mid-line", poll(&pf, 1, 100) == 0);
  OK("finish line with CR", write(m, "lo\r", 3) == 3);
  OK("slave readable", poll(&pf, 1, 1000) == 1 && (pf.revents & POLLIN));
  OK("FIONREAD slave", ioctl(s, FIONREAD, &n) == 0 && n == 6);
  n = read(s, buf, sizeof buf);
  OK("canonical read: one line, CR -> NL", n == 6 && !memcmp(buf, "hello\n", 6));
  printf("echo: %s\n", drain(m));
  write(m, "one\ntwo\n", 8);
  n = read(s, buf, sizeof buf);
  OK("read returns one line", n == 4 && !memcmp(buf, "one\n", 4));
  n = read(s, buf, 2);
  OK("short read of a line", n == 2 && !memcmp(buf, "tw", 2));
  n = read(s, buf, sizeof buf);
  OK("rest of the line", n == 2 && !memcmp(buf, "o\n", 2));
  drain(m);

  /* line editing */
  write(m, "abx\x7f" "c\n", 6);
  n = read(s, buf, sizeof buf);
  OK("VERASE", n == 4 && !memcmp(buf, "abc\n", 4));
  printf("erase echo: %s\n", drain(m));
  write(m, "junk\x15ok\n", 8);
  n = read(s, buf, sizeof buf);
  OK("VKILL", n == 3 && !memcmp(buf, "ok\n", 3));
  printf("kill echo: %s\n", drain(m));
  write(m, "eof\x04", 4);
  n = read(s, buf, sizeof buf);
  OK("VEOF ends a line without a newline", n == 3 && !memcmp(buf, "eof", 3));
  write(m, "\x04", 1);
  OK("VEOF on an empty line reads 0", read(s, buf, sizeof buf) == 0);
  printf("eof echo: %s\n", drain(m));

  /* output processing */
  OK("slave write", write(s, "out\nline\n", 9) == 9);
  printf("master reads: %s\n", drain(m));
  OK("slave write 3", write(s, "xyz", 3) == 3);
  usleep(100000); /* Linux moves slave output to the master asynchronously */
  OK("FIONREAD master", ioctl(m, FIONREAD, &n) == 0 && n == 3);
  drain(m);

  /* no echo, ECHONL */
  tio.c_lflag &= ~ECHO;
  tio.c_lflag |= ECHONL;
  tcsetattr(s, TCSANOW, &tio);
  write(m, "secret\n", 7);
  read(s, buf, sizeof buf);
  printf("ECHONL echo: %s\n", drain(m));
  tio.c_lflag |= ECHO;
  tio.c_lflag &= ~ECHONL;
  tcsetattr(s, TCSANOW, &tio);

  /* raw mode */
  struct termios raw = tio;
  cfmakeraw(&raw);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  OK("tcsetattr raw", tcsetattr(s, TCSAFLUSH, &raw) == 0);
  struct termios back;
  OK("raw mode reads back", tcgetattr(m, &back) == 0 && !(back.c_lflag & (ICANON | ECHO | ISIG)) &&
                                !(back.c_oflag & OPOST));
  write(m, "a\rb\x03", 4);
  usleep(50000);
  n = read(s, buf, sizeof buf);
  OK("raw read: bytes as typed", n == 4 && !memcmp(buf, "a\rb\x03", 4));
  printf("raw echo: '%s'\n", drain(m));
  write(s, "x\ny", 3);
  printf("raw output: %s\n", drain(m));
  raw.c_cc[VMIN] = 0;
  raw.c_cc[VTIME] = 1;
  tcsetattr(s, TCSANOW, &raw);
  OK("VMIN 0 VTIME 1 times out with 0", read(s, buf, sizeof buf) == 0);
  raw.c_cc[VTIME] = 0;
  tcsetattr(s, TCSANOW, &raw);
  OK("VMIN 0 VTIME 0 polls", read(s, buf, sizeof buf) == 0);
  OK("back to cooked", tcsetattr(s, TCSANOW, &tio) == 0);

  /* window size */
  struct winsize ws = {24, 80, 0, 0}, ws2;
  OK("TIOCSWINSZ", ioctl(m, TIOCSWINSZ, &ws) == 0);
  OK("TIOCGWINSZ on slave", ioctl(s, TIOCGWINSZ, &ws2) == 0 && ws2.ws_row == 24 && ws2.ws_col == 80);
  ERR("TIOCGPGRP on a tty that is not ours", ioctl(s, TIOCGPGRP, &n), ENOTTY);

  /* poll both ends */
  struct pollfd pp[2] = {{m, POLLIN | POLLOUT, 0}, {s, POLLIN | POLLOUT, 0}};
  poll(pp, 2, 0);
  printf("poll idle: master %s slave %s\n", pev(pp[0].revents), pev(pp[1].revents));
  write(s, "q", 1);
  write(m, "w\n", 2);
  poll(pp, 2, 1000);
  printf("poll with data: master %s slave %s\n", pev(pp[0].revents), pev(pp[1].revents));
  read(s, buf, sizeof buf);
  drain(m);

  /* a child in its own session with the pty as controlling terminal */
  int sync[2], back2[2];
  pipe(sync);
  pipe(back2);
  pid_t pid = fork();
  if (pid == 0) {
    close(sync[0]);
    close(back2[1]);
    setsid();
    if (ioctl(s, TIOCSCTTY, 0)) _exit(10);
    signal(SIGWINCH, on_winch);
    int fg = -1, sid = -1;
    ioctl(s, TIOCGPGRP, &fg);
    ioctl(s, TIOCGSID, &sid);
    char r = (fg == getpid() && sid == getpid()) ? 'y' : 'n';
    int tfd = open("/dev/tty", O_RDWR);
    struct stat a, b;
    if (tfd < 0 || fstat(tfd, &a) || fstat(s, &b) || major(a.st_rdev) != 5 || minor(a.st_rdev) != 0) r = 't';
    if (tfd >= 0) close(tfd);
    write(sync[1], &r, 1);
    char go;
    read(back2[0], &go, 1);   /* the parent resized */
    r = got_winch ? 'w' : 'n';
    write(sync[1], &r, 1);
    sigset_t none;
    sigemptyset(&none);
    for (;;) sigsuspend(&none);   /* until SIGINT */
  }
  close(sync[1]);
  close(back2[0]);
  char r = 0;
  read(sync[0], &r, 1);
  OK("child: TIOCSCTTY, fg group, TIOCGSID, /dev/tty", r == 'y');
  ws.ws_row = 50;
  ioctl(m, TIOCSWINSZ, &ws);
  write(back2[1], "g", 1);
  read(sync[0], &r, 1);
  OK("SIGWINCH to the foreground group", r == 'w');
  write(m, "\x03", 1);
  int status;
  OK("^C kills the foreground group", waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
                                         WTERMSIG(status) == SIGINT);
  printf("^C echo: %s\n", drain(m));
  close(sync[0]);
  close(back2[1]);

  /* hang-up: the slave closes */
  close(s);
  n = read(m, buf, sizeof buf);
  OK("master reads EIO once the slave is closed", n == -1 && errno == EIO);
  pp[0].events = POLLIN;
  poll(pp, 1, 0);
  printf("poll master after slave close: %s\n", pev(pp[0].revents));
  close(m);
  ERR("slave gone after master close", open(name, O_RDWR | O_NOCTTY), ENOENT);

  /* hang-up: the master closes; buffered output drains first */
  OK("second pair", open_pair(&m, &s, name) == 0);
  write(s, "bye\n", 4);
  n = read(m, buf, sizeof buf);
  OK("master reads", n == 5 && !memcmp(buf, "bye\r\n", 5));
  write(m, "pending\n", 8);
  close(m);
  pp[1].events = POLLIN;
  pp[1].revents = 0;
  poll(&pp[1], 1, 0);
  printf("poll slave after master close: %s\n", pev(pp[1].revents));
  RES("read slave after master close", read(s, buf, sizeof buf));
  RES("write slave after master close", write(s, "x", 1));
  ERR("ioctl slave after master close", tcgetattr(s, &tio), EIO);
  close(s);

  /* TIOCGPTPEER */
  m = posix_openpt(O_RDWR | O_NOCTTY);
  unlockpt(m);
  s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  OK("TIOCGPTPEER", s >= 0 && isatty(s));
  tn = ttyname(s);
  OK("ttyname of peer", tn && !strcmp(tn, ptsname(m)));
  close(s);
  close(m);

  /* flushes from either end: what has reached the other end's read
   * buffer stays (Linux flushes only the flip buffer on the way) */
  OK("flush pair", open_pair(&m, &s, name) == 0);
  write(m, "typed\n", 6);
  printf("echo: %s\n", drain(m));
  write(s, "shown", 5);
  usleep(100000);
  tcflush(m, TCOFLUSH);
  tcflush(s, TCOFLUSH);
  usleep(50000);
  RES("slave reads after master TCOFLUSH", read(s, buf, sizeof buf));
  printf("master reads after slave TCOFLUSH: %s\n", drain(m));
  write(m, "typed\n", 6);
  write(s, "shown", 5);
  usleep(100000);
  tcflush(m, TCIFLUSH);
  tcflush(s, TCIFLUSH);
  fcntl(s, F_SETFL, O_NONBLOCK);
  fcntl(m, F_SETFL, O_NONBLOCK);
  RES("slave reads after its TCIFLUSH", read(s, buf, sizeof buf));
  RES("master reads after its TCIFLUSH", read(m, buf, sizeof buf));
  close(s);
  close(m);

  /* packet mode, as screen and rlogind use it */
  OK("third pair", open_pair(&m, &s, name) == 0);
  int pk = -1;
  OK("TIOCGPKT off", ioctl(m, TIOCGPKT, &pk) == 0 && pk == 0);
  pk = 1;
  RES("TIOCPKT on the slave", ioctl(s, TIOCPKT, &pk));
  OK("TIOCPKT on", ioctl(m, TIOCPKT, &pk) == 0);
  pk = 0;
  OK("TIOCGPKT on", ioctl(m, TIOCGPKT, &pk) == 0 && pk == 1);
  write(s, "pk\n", 3);
  usleep(100000);
  n = read(m, buf, sizeof buf);
  OK("packet read: TIOCPKT_DATA then the data", n == 5 && !memcmp(buf, "\0pk\r\n", 5));
  write(s, "z", 1);
  usleep(100000);
  OK("a one-byte read gets TIOCPKT_DATA alone", read(m, buf, 1) == 1 && buf[0] == TIOCPKT_DATA);
  OK("then the byte", read(m, buf, sizeof buf) == 2 && !memcmp(buf, "\0z", 2));
  struct pollfd pk1 = {m, POLLIN | POLLPRI, 0};
  poll(&pk1, 1, 0);
  printf("packet poll idle: %s%s\n", pev(pk1.revents), (pk1.revents & POLLPRI) ? "|PRI" : "");
  write(s, "lost", 4);
  usleep(100000);
  tcflush(s, TCIOFLUSH);
  usleep(100000);
  poll(&pk1, 1, 0);
  printf("packet poll after flush: %s%s\n", pev(pk1.revents), (pk1.revents & POLLPRI) ? "|PRI" : "");
  n = read(m, buf, sizeof buf);
  printf("packet status after TCIOFLUSH: %d bytes 0x%02x\n", n, n > 0 ? (unsigned char)buf[0] : 0);
  fcntl(m, F_SETFL, O_NONBLOCK);
  RES("nothing more after the status", read(m, buf, sizeof buf));
  tcflush(s, TCIFLUSH);
  usleep(50000);
  n = read(m, buf, sizeof buf);
  printf("packet status after TCIFLUSH: %d bytes 0x%02x\n", n, n > 0 ? (unsigned char)buf[0] : 0);
  tcgetattr(s, &tio);
  tio.c_iflag &= ~IXON;
  tcsetattr(s, TCSANOW, &tio);
  usleep(50000);
  n = read(m, buf, sizeof buf);
  printf("packet status IXON off: %d bytes 0x%02x\n", n, n > 0 ? (unsigned char)buf[0] : 0);
  tio.c_iflag |= IXON;
  tcsetattr(s, TCSANOW, &tio);
  usleep(50000);
  n = read(m, buf, sizeof buf);
  printf("packet status IXON on: %d bytes 0x%02x\n", n, n > 0 ? (unsigned char)buf[0] : 0);
  tcsetattr(s, TCSANOW, &tio);
  RES("no status for an unchanged termios", read(m, buf, sizeof buf));
  write(s, "gone", 4);
  usleep(50000);
  write(m, "\x03", 1);   /* ^C: the output not yet read and the input are flushed */
  usleep(100000);
  n = read(m, buf, sizeof buf);
  printf("packet status after ^C: %d bytes 0x%02x\n", n, n > 0 ? (unsigned char)buf[0] : 0);
  printf("then: %s\n", drain(m));
  pk = 0;
  OK("TIOCPKT off again", ioctl(m, TIOCPKT, &pk) == 0);
  write(s, "plain", 5);
  usleep(100000);
  n = read(m, buf, sizeof buf);
  OK("plain reads again", n == 5 && !memcmp(buf, "plain", 5));
  tcflush(s, TCIFLUSH);
  pk = 1;
  ioctl(m, TIOCPKT, &pk);
  RES("turning it on forgets what came before", read(m, buf, sizeof buf));
  close(s);
  close(m);

  termio_ioctls();
  return t_done();
}
