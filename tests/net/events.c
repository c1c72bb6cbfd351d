/* events.c - TCP sockets as event-driven programs use them: an epoll
 * server (edge-triggered, non-blocking) echoing for 20 forked clients,
 * select(2) and poll(2) on connections, a non-blocking writer held back
 * by a slow reader (EAGAIN, then EPOLLOUT), an accepted socket passed to
 * another process with SCM_RIGHTS, sendfile(2) into and splice(2) out of
 * a socket, SO_RCVLOWAT, and a reader blocked in another thread woken by
 * shutdown(SHUT_RD).  Over 127.0.0.1; every count is printed, no port. */
#include "net.h"
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/un.h>

static int listener(union sa *a) {
  socklen_t l = mkaddr(a, "127.0.0.1", 0);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  bind(s, &a->sa, l);
  listen(s, 64);
  l = sizeof *a;
  getsockname(s, &a->sa, &l);
  return s;
}

static int client(const union sa *a) {
  int c = socket(AF_INET, SOCK_STREAM, 0);
  return connect(c, &a->sa, sizeof a->in) ? -1 : c;
}

static void epoll_server(void) {
  union sa a;
  int l = listener(&a), ep = epoll_create1(0), nclients = 20, done = 0;
  long echoed = 0;
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = l}, out[16];
  fcntl(l, F_SETFL, O_NONBLOCK);
  epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
  for (int i = 0; i < nclients; i++) {
    if (fork() == 0) {
      int c = client(&a);
      char buf[64];
      int got = 0;
      for (int j = 0; j < 10; j++) {
        int n = snprintf(buf, sizeof buf, "client %d message %d;", i, j);
        write(c, buf, n);
        got += read(c, buf, sizeof buf) > 0;
      }
      _exit(got == 10 ? 0 : 1);
    }
  }
  while (done < nclients) {
    int n = epoll_wait(ep, out, 16, 5000);
    if (n <= 0) break;
    for (int i = 0; i < n; i++) {
      int fd = out[i].data.fd;
      if (fd == l) {
        int c;
        while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
        }
        continue;
      }
      char buf[256];
      ssize_t r;
      while ((r = read(fd, buf, sizeof buf)) > 0) {
        write(fd, buf, r);
        echoed += r;
      }
      if (r == 0 || (out[i].events & EPOLLRDHUP)) {
        if (r == 0) {
          close(fd);
          done++;
        }
      }
    }
  }
  int ok = 0, st;
  while (wait(&st) > 0) ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
  printf("epoll server: %d clients done, %d children ok, %ld bytes echoed\n", done, ok, echoed);
  close(ep);
  close(l);
}

static void select_poll(void) {
  union sa a;
  int l = listener(&a), c = client(&a), s = accept(l, NULL, NULL);
  fd_set r, w;
  struct timeval tv = {0, 0};
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_SET(s, &r);
  FD_SET(c, &w);
  int n = select(FD_SETSIZE, &r, &w, NULL, &tv);
  printf("select idle: %d r=%d w=%d\n", n, FD_ISSET(s, &r), FD_ISSET(c, &w));
  write(c, "x", 1);
  FD_ZERO(&r);
  FD_SET(s, &r);
  tv.tv_sec = 1;
  n = select(FD_SETSIZE, &r, NULL, NULL, &tv);
  printf("select data: %d r=%d\n", n, FD_ISSET(s, &r));
  int lowat = 4;
  setsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
  printf("poll under SO_RCVLOWAT: %s\n", pev(pollwait(s, 0)));
  write(c, "yyy", 3);
  usleep(10000);
  printf("poll at SO_RCVLOWAT: %s\n", pev(pollwait(s, 0)));
  char buf[8];
  printf("read %zd\n", read(s, buf, sizeof buf));
  close(c);
  close(s);
  close(l);
}

static void backpressure(void) {
  union sa a;
  int l = listener(&a), c = client(&a), s = accept(l, NULL, NULL), ep = epoll_create1(0);
  static char buf[65536];
  long wrote = 0, r;
  fcntl(c, F_SETFL, O_NONBLOCK);
  while ((r = write(c, buf, sizeof buf)) > 0) wrote += r;
  printf("non-blocking writer stops: %s\n", en(errno));
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLET}, out;
  epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
  printf("epoll while full: %d\n", epoll_wait(ep, &out, 1, 0));
  long readn = 0;
  while (readn < wrote && (r = read(s, buf, sizeof buf)) > 0) readn += r;
  int n = epoll_wait(ep, &out, 1, 1000);
  printf("reader took it all: %d, epoll: %d %s\n", readn == wrote, n, pev(out.events));
  close(ep);
  close(c);
  close(s);
  close(l);
}

static void pass_socket(void) {
  union sa a;
  int l = listener(&a), c = client(&a), s = accept(l, NULL, NULL), sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pid_t p = fork();
  if (p == 0) {
    char cb[CMSG_SPACE(sizeof(int))], d, buf[64];
    struct iovec iov = {&d, 1};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb};
    if (recvmsg(sv[1], &mh, 0) != 1) _exit(1);
    int fd;
    memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof fd);
    ssize_t n = read(fd, buf, sizeof buf);
    write(fd, "child got it", 12);
    _exit(n == 6 ? 0 : 2);
  }
  char cb[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {"s", 1};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &s, sizeof s);
  sendmsg(sv[0], &mh, 0);
  close(s);
  write(c, "hello!", 6);
  char buf[64];
  ssize_t n = read(c, buf, sizeof buf);
  int st;
  waitpid(p, &st, 0);
  printf("passed socket: child %d, answer %.*s\n", WEXITSTATUS(st), (int)(n > 0 ? n : 0), buf);
  close(c);
  close(l);
  close(sv[0]);
  close(sv[1]);
}

static void sendfile_splice(void) {
  union sa a;
  int l = listener(&a), c = client(&a), s = accept(l, NULL, NULL), p[2];
  char path[] = "/tmp/umk-net-events.XXXXXX", buf[100000];
  int fd = mkstemp(path);
  for (int i = 0; i < 100000; i++) buf[i] = (char)(i * 13);
  write(fd, buf, sizeof buf);
  off_t off = 0;
  long sent = 0, r;
  pid_t k = fork();
  if (k == 0) {
    long got = 0, sum = 0;
    char b[4096];
    while (got < 100000 && (r = read(s, b, sizeof b)) > 0) {
      for (long i = 0; i < r; i++) sum += (unsigned char)b[i];
      got += r;
    }
    printf("sendfile received %ld sum %ld\n", got, sum);
    _exit(0);
  }
  while (sent < 100000 && (r = sendfile(c, fd, &off, 100000 - sent)) > 0) sent += r;
  waitpid(k, NULL, 0);
  printf("sendfile sent %ld\n", sent);
  pipe(p);
  write(c, "spliced!", 8);
  usleep(10000);
  r = splice(s, NULL, p[1], NULL, 100, 0);
  char out[16] = {0};
  read(p[0], out, sizeof out);
  printf("splice %ld: %s\n", r, out);
  unlink(path);
  close(fd);
  close(c);
  close(s);
  close(l);
}

static int rfd;
static void *reader(void *arg) {
  char b[4];
  (void)arg;
  ssize_t r = read(rfd, b, sizeof b);
  return (void *)(long)r;
}

static void shutdown_wakes(void) {
  union sa a;
  int l = listener(&a), c = client(&a);
  rfd = accept(l, NULL, NULL);
  pthread_t th;
  void *ret;
  pthread_create(&th, NULL, reader, NULL);
  usleep(50000);
  shutdown(rfd, SHUT_RD);
  pthread_join(th, &ret);
  printf("blocked reader after SHUT_RD: %ld\n", (long)ret);
  close(rfd);
  close(c);
  close(l);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  epoll_server();
  select_poll();
  backpressure();
  pass_socket();
  sendfile_splice();
  shutdown_wakes();
  return t_done();
}
