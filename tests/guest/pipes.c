/* pipes.c - pipes and readiness: pipe, pipe2 flags, FIONREAD, O_NONBLOCK
 * and a full pipe, EOF after the writer closes, POLLHUP/POLLERR/POLLNVAL,
 * poll/ppoll/select/pselect6 readiness and timeouts; vmsplice(2) both
 * ways, on a full pipe, and its errors.                                */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>

static const char *pev(short e) {
  static char bufs[4][64];
  static int k;
  char *b = bufs[k++ % 4];
  b[0] = 0;
  if (e & POLLIN) strcat(b, "IN|");
  if (e & POLLOUT) strcat(b, "OUT|");
  if (e & POLLHUP) strcat(b, "HUP|");
  if (e & POLLERR) strcat(b, "ERR|");
  if (e & POLLNVAL) strcat(b, "NVAL|");
  if (!b[0]) return "0";
  b[strlen(b) - 1] = 0;
  return b;
}

static double mono(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void vmsplices(void) {
  int p[2], n;
  char a[] = "vmspliced ", b[] = "data", got[64] = "";
  struct iovec iv[2] = { { a, 10 }, { b, 4 } };
  OK("pipe for vmsplice", pipe(p) == 0);
  OK("vmsplice two segments into a pipe", vmsplice(p[1], iv, 2, 0) == 14);
  struct iovec ov[2] = { { got, 5 }, { got + 5, 20 } };
  OK("vmsplice out of a pipe into two segments", vmsplice(p[0], ov, 2, 0) == 14 && !memcmp(got, "vmspliced data", 14));
  OK("vmsplice no segments", vmsplice(p[1], iv, 0, 0) == 0);
  struct iovec z = { a, 0 };
  OK("vmsplice an empty segment", vmsplice(p[1], &z, 1, 0) == 0);
  ERR("vmsplice bad fd", vmsplice(-1, iv, 1, 0), EBADF);
  ERR("vmsplice unknown flags", vmsplice(p[1], iv, 1, 0x100), EINVAL);
  ERR("vmsplice 1025 segments", vmsplice(p[1], iv, 1025, 0), EINVAL);
  ERR("vmsplice bad iovec pointer", vmsplice(p[1], (struct iovec *)8, 1, 0), EFAULT);
  struct iovec bad = { (void *)8, 10 };
  ERR("vmsplice bad memory", vmsplice(p[1], &bad, 1, 0), EFAULT);
  int fd = open("/tmp", O_RDONLY | O_DIRECTORY);
  ERR("vmsplice on a directory", vmsplice(fd, iv, 1, 0), EBADF);
  close(fd);
  /* a full pipe: EAGAIN with SPLICE_F_NONBLOCK; without, what fits */
  int sz = fcntl(p[1], F_GETPIPE_SZ);
  char *big = aligned_alloc(4096, sz + 4096);
  memset(big, 0, sz + 4096);
  struct iovec f = { big, sz };
  OK("vmsplice fills the pipe", vmsplice(p[1], &f, 1, 0) == sz);
  ERR("vmsplice to a full pipe, SPLICE_F_NONBLOCK", vmsplice(p[1], iv, 1, SPLICE_F_NONBLOCK), EAGAIN);
  OK("read a page and more", read(p[0], big, 4196) == 4196);
  struct iovec f2 = { big, 8192 };
  n = vmsplice(p[1], &f2, 1, SPLICE_F_NONBLOCK);
  OK("vmsplice with room for a page takes some, not all", n > 0 && n < 8192);
  close(p[1]);
  while (read(p[0], big, sz) > 0) ;
  struct iovec r = { got, 10 };
  OK("vmsplice from an empty pipe with no writer: 0", vmsplice(p[0], &r, 1, 0) == 0);
  close(p[0]);
  free(big);
  /* splice with what has no splice_read/splice_write: EINVAL, never a wait */
  pipe(p);
  int d = open("/tmp", O_RDONLY | O_DIRECTORY), e = eventfd(0, 0);
  ERR("splice from a directory", splice(d, NULL, p[1], NULL, 10, 0), EINVAL);
  ERR("splice from an empty pipe to an eventfd", splice(p[0], NULL, e, NULL, 10, 0), EINVAL);
  ERR("splice from an eventfd to a pipe", splice(e, NULL, p[1], NULL, 10, 0), EINVAL);
  close(d);
  close(e);
  close(p[0]);
  close(p[1]);
}

int main(void) {
  int p[2], n;
  char buf[65536];

  OK("pipe", pipe(p) == 0);
  OK("write", write(p[1], "hello", 5) == 5);
  OK("FIONREAD", ioctl(p[0], FIONREAD, &n) == 0 && n == 5);
  OK("read", read(p[0], buf, sizeof buf) == 5 && !memcmp(buf, "hello", 5));
  OK("fds not CLOEXEC", fcntl(p[0], F_GETFD) == 0);
  ERR("write on read end", write(p[0], "x", 1), EBADF);
  ERR("read on write end", read(p[1], buf, 1), EBADF);
  ERR("lseek on a pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
  ERR("pread on a pipe", pread(p[0], buf, 1, 0), ESPIPE);
  printf("F_GETPIPE_SZ %d\n", fcntl(p[0], F_GETPIPE_SZ));

  /* poll readiness */
  struct pollfd pf[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {999, POLLIN, 0}};
  double s = mono();
  n = poll(pf, 1, 50);
  printf("poll empty pipe: %d after >= 50ms: %s\n", n, mono() - s >= 0.049 ? "yes" : "no");
  n = poll(pf, 3, 0);
  printf("poll: %d read %s write %s bad %s\n", n, pev(pf[0].revents), pev(pf[1].revents), pev(pf[2].revents));
  write(p[1], "abc", 3);
  n = poll(pf, 2, -1);
  printf("poll with data: %d read %s write %s\n", n, pev(pf[0].revents), pev(pf[1].revents));

  /* select / pselect6 / ppoll */
  fd_set r, w;
  FD_ZERO(&r); FD_ZERO(&w);
  FD_SET(p[0], &r); FD_SET(p[1], &w);
  n = select(p[1] + 1, &r, &w, NULL, &(struct timeval){1, 0});
  printf("select: %d read %d write %d\n", n, FD_ISSET(p[0], &r), FD_ISSET(p[1], &w));
  read(p[0], buf, 3);
  FD_ZERO(&r); FD_SET(p[0], &r);
  s = mono();
  struct timeval tv = {0, 40000};
  n = select(p[0] + 1, &r, NULL, NULL, &tv);
  printf("select timeout: %d set %d waited >= 40ms %s\n", n, FD_ISSET(p[0], &r), mono() - s >= 0.039 ? "yes" : "no");
  FD_ZERO(&r); FD_SET(p[0], &r);
  sigset_t mask;
  sigemptyset(&mask);
  n = pselect(p[0] + 1, &r, NULL, NULL, &(struct timespec){0, 20000000}, &mask);
  printf("pselect timeout: %d\n", n);
  FD_ZERO(&r); FD_SET(p[0], &r);
  write(p[1], "z", 1);
  struct { const sigset_t *ss; size_t len; } sig = {&mask, 8};
  n = syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &(struct timespec){1, 0}, &sig);
  printf("pselect6 ready: %d set %d\n", n, FD_ISSET(p[0], &r));
  n = ppoll(pf, 1, &(struct timespec){0, 10000000}, &mask);
  printf("ppoll ready: %d %s\n", n, pev(pf[0].revents));
  read(p[0], buf, 1);
  n = ppoll(pf, 1, &(struct timespec){0, 10000000}, NULL);
  printf("ppoll timeout: %d\n", n);
  int closed = dup(0);
  close(closed);
  FD_ZERO(&r); FD_SET(closed, &r);
  ERR("select on a closed fd", select(closed + 1, &r, NULL, NULL, &(struct timeval){0, 0}), EBADF);
  ERR("select negative nfds", select(-1, NULL, NULL, NULL, &(struct timeval){0, 0}), EINVAL);
  ERR("select bad timeout", select(0, NULL, NULL, NULL, &(struct timeval){0, -1}), EINVAL);

  /* fill a non-blocking pipe */
  OK("set O_NONBLOCK", fcntl(p[1], F_SETFL, O_NONBLOCK) == 0 && fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
  ERR("read empty non-blocking", read(p[0], buf, 1), EAGAIN);
  long total = 0, w1;
  memset(buf, 'f', sizeof buf);
  while ((w1 = write(p[1], buf, 4096)) > 0) total += w1;
  printf("filled pipe with %ld bytes, then %s\n", total, en(errno));
  pf[1].revents = 0;
  printf("poll full pipe write end: %d\n", poll(&pf[1], 1, 0));
  while (read(p[0], buf, sizeof buf) > 0) {}
  fcntl(p[0], F_SETFL, 0);
  fcntl(p[1], F_SETFL, 0);

  /* writer closes: data, then EOF; POLLHUP */
  write(p[1], "end", 3);
  close(p[1]);
  n = poll(pf, 1, 0);
  printf("poll after writer closed: %s\n", pev(pf[0].revents));
  OK("remaining data", read(p[0], buf, 10) == 3);
  OK("then EOF", read(p[0], buf, 10) == 0);
  poll(pf, 1, 0);
  printf("poll at EOF: %s\n", pev(pf[0].revents));
  close(p[0]);

  /* reader closes: POLLERR on the write end */
  pipe(p);
  close(p[0]);
  struct pollfd wp = {p[1], POLLOUT, 0};
  poll(&wp, 1, 0);
  printf("poll write end, reader gone: %s\n", pev(wp.revents));
  close(p[1]);

  /* pipe2 flags */
  OK("pipe2 O_CLOEXEC|O_NONBLOCK", pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
  printf("pipe2 CLOEXEC %d NONBLOCK %d\n", fcntl(p[0], F_GETFD) & FD_CLOEXEC, !!(fcntl(p[1], F_GETFL) & O_NONBLOCK));
  ERR("pipe2 bad flags", pipe2(p, O_RDWR), EINVAL);

  /* a blocked reader is woken by a writer in another process */
  int q[2];
  pipe(q);
  pid_t c = fork();
  if (c == 0) { usleep(50000); write(q[1], "late", 4); _exit(0); }
  close(q[1]);
  n = read(q[0], buf, sizeof buf);
  printf("blocking read across processes: %d bytes\n", n);
  n = read(q[0], buf, sizeof buf);
  printf("then EOF: %d\n", n);
  waitpid(c, NULL, 0);
  vmsplices();
  return t_done();
}
