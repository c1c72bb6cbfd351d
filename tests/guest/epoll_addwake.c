/* epoll_addwake.c - an item that is ready when EPOLL_CTL_ADD puts it in
 * the set wakes a thread already asleep in epoll_wait on that set (Linux's
 * ep_insert puts it on the ready list and wakes the waiters), for a pipe
 * with data, an eventfd, a loopback TCP socket whose non-blocking connect
 * completed (Erlang's gen_tcp:connect waits so), and through a nested
 * epoll watched by poll(2).  The waiter has a 6 s timeout: a missing
 * wake-up makes it see the item only when its timeout ends (umk's epoll
 * did so), which prints "late" (after 4 s or more) instead of the event. */
#include "t.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>

static int ep;
static int waited;                /* the waiter's result */
static uint32_t got_events;
static uint64_t got_data;
static int outer;                 /* poll the epoll fd instead (nested case) */

static void msleep(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static double mono(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void *waiter(void *arg) {
  struct epoll_event ev;
  double t0 = mono();
  (void)arg;
  if (outer) {
    struct pollfd p = {.fd = ep, .events = POLLIN};
    waited = poll(&p, 1, 6000);
    got_events = p.revents;
  } else {
    waited = epoll_wait(ep, &ev, 1, 6000);
    if (waited == 1) {
      got_events = ev.events;
      got_data = ev.data.u64;
    }
  }
  if (mono() - t0 >= 4.0)
    waited = -3;
  return NULL;
}

/* starts the waiter, lets it fall asleep, adds fd with events, reports */
static void add_while_waiting(const char *name, int fd, uint32_t events) {
  pthread_t th;
  struct epoll_event ev = {.events = events, .data.u64 = 0x1234};
  waited = -2;
  got_events = 0;
  got_data = 0;
  pthread_create(&th, NULL, waiter, NULL);
  msleep(200);
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
    printf("%s: epoll_ctl: %s\n", name, en(errno));
  pthread_join(th, NULL);
  if (waited == 0)
    printf("%s: timeout\n", name);
  else if (waited == -3)
    printf("%s: late (no wake-up when added)\n", name);
  else if (outer)
    printf("%s: poll = %d revents %#x\n", name, waited, got_events);
  else
    printf("%s: epoll_wait = %d events %#x data %#llx\n", name, waited, got_events,
           (unsigned long long)got_data);
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
}

int main(void) {
  int p[2], efd, l, c, s;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t al = sizeof(a);

  ep = epoll_create1(EPOLL_CLOEXEC);
  OK("epoll_create1", ep >= 0);

  OK("pipe", pipe(p) == 0);
  OK("write", write(p[1], "x", 1) == 1);
  add_while_waiting("pipe readable", p[0], EPOLLIN);
  add_while_waiting("pipe writable", p[1], EPOLLOUT);
  add_while_waiting("pipe readable, ET", p[0], EPOLLIN | EPOLLET);
  add_while_waiting("pipe readable, ONESHOT", p[0], EPOLLIN | EPOLLONESHOT);

  efd = eventfd(3, EFD_NONBLOCK);
  add_while_waiting("eventfd", efd, EPOLLIN);

  /* a non-blocking loopback connect, then wait for it to be writable */
  l = socket(AF_INET, SOCK_STREAM, 0);
  OK("bind", bind(l, (struct sockaddr *)&a, sizeof(a)) == 0);
  OK("listen", listen(l, 5) == 0);
  OK("getsockname", getsockname(l, (struct sockaddr *)&a, &al) == 0);
  c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  errno = 0;
  int r = connect(c, (struct sockaddr *)&a, sizeof(a));
  printf("connect = %d %s\n", r, r ? en(errno) : "");
  s = accept(l, NULL, NULL);
  OK("accept", s >= 0);
  add_while_waiting("connected socket", c, EPOLLOUT);
  add_while_waiting("accepted socket", s, EPOLLOUT);
  OK("send", send(s, "hi", 2, 0) == 2);
  msleep(50);
  add_while_waiting("socket with data", c, EPOLLIN | EPOLLRDHUP);

  /* nested: poll(2) on the epoll fd itself */
  outer = 1;
  add_while_waiting("poll of the epoll fd", p[0], EPOLLIN);
  outer = 0;

  /* not ready when added: still a timeout, but the wait is short */
  {
    int q[2];
    struct epoll_event ev = {.events = EPOLLIN};
    OK("pipe2", pipe(q) == 0);
    OK("add empty pipe", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev) == 0);
    r = epoll_wait(ep, &ev, 1, 100);
    printf("empty pipe: epoll_wait = %d\n", r);
  }
  return t_done();
}
