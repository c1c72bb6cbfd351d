/* epoll_waiters.c - several waiters on one epoll instance.
 * Linux's waiters sleep exclusively on the instance's queue, but after a
 * waiter harvests, a level-triggered item still ready goes back on the
 * ready list and the next waiter is woken (ep_send_events, ep_done_scan),
 * so every waiter on an LT item returns while it stays ready: threads,
 * forked processes sharing the epoll fd, waiters on an outer epoll
 * whose item is an inner epoll, and an item added (or modified) ready
 * while they sleep.  umk woke only one of them (the first to
 * take the host notification); the others slept on.  Also checked, only
 * as far as Linux guarantees it: an EPOLLET item, and an EPOLLONESHOT one,
 * is reported once in all for one write; with EPOLLEXCLUSIVE items on the
 * same pipe in several instances, at least one waiter wakes.  Waits have
 * a 10 s timeout: a missing wake-up shows as a timeout in the output. */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#define N 4
#define STOP 0x570b

static int ep;
static int res[N];
static uint32_t evs[N];
static volatile int stopping;
static int pipe_events, early;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void msleep(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* one epoll_wait, maxevents 1 */
static void *once(void *arg) {
  int i = (int)(intptr_t)arg;
  struct epoll_event ev;
  res[i] = epoll_wait(ep, &ev, 1, 10000);
  evs[i] = res[i] == 1 ? ev.events : 0;
  return NULL;
}

/* waits until the STOP item comes, counting the other events */
static void *until_stop(void *arg) {
  int epfd = arg ? (int)(intptr_t)arg : ep;
  for (;;) {
    struct epoll_event ev[4];
    int r = epoll_wait(epfd, ev, 4, 10000);
    int stop = r <= 0;
    pthread_mutex_lock(&mu);
    for (int k = 0; k < r; k++) {
      if (ev[k].data.u64 == STOP)
        stop = 1;
      else {
        pipe_events++;
        if (!stopping)
          early++;
      }
    }
    pthread_mutex_unlock(&mu);
    if (r <= 0)
      printf("until_stop: epoll_wait = %d\n", r);
    if (stop)
      return NULL;
  }
}

static void add(int epfd, int fd, uint32_t events, uint64_t data) {
  struct epoll_event ev = {.events = events, .data.u64 = data};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
    printf("epoll_ctl ADD: %s\n", en(errno));
}

/* N threads in epoll_wait on ep (LT item on p[0]), one write */
static void lt_threads(const char *name, int wfd) {
  pthread_t th[N];
  int woke = 0;
  for (int i = 0; i < N; i++)
    pthread_create(&th[i], NULL, once, (void *)(intptr_t)i);
  msleep(300);
  if (write(wfd, "x", 1) != 1)
    printf("write: %s\n", en(errno));
  for (int i = 0; i < N; i++) {
    pthread_join(th[i], NULL);
    if (res[i] == 1 && (evs[i] & EPOLLIN))
      woke++;
    else
      printf("%s: waiter %d: epoll_wait = %d events %#x\n", name, i, res[i], evs[i]);
  }
  printf("%s: %d of %d waiters returned EPOLLIN\n", name, woke, N);
}

static void lt(void) {
  int p[2];
  char c;
  if (pipe(p) < 0)
    return;
  ep = epoll_create1(0);
  add(ep, p[0], EPOLLIN, 1);
  lt_threads("lt threads", p[1]);
  /* once more, after the data is gone and comes back */
  if (read(p[0], &c, 1) != 1)
    printf("read: %s\n", en(errno));
  lt_threads("lt threads again", p[1]);
  close(ep);
  close(p[0]);
  close(p[1]);
}

/* N threads asleep on an empty set; an LT item that is ready already
 * is added (ep_insert wakes the waiters), or modified from EPOLLOUT to
 * EPOLLIN: all return */
static void lt_ctl(void) {
  pthread_t th[N];
  int p[2], woke = 0;
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 1};
  if (pipe(p) < 0)
    return;
  if (write(p[1], "x", 1) != 1)
    printf("write: %s\n", en(errno));
  for (int round = 0; round < 2; round++) {
    ep = epoll_create1(0);
    if (round)
      add(ep, p[0], EPOLLOUT, 1);
    woke = 0;
    for (int i = 0; i < N; i++)
      pthread_create(&th[i], NULL, once, (void *)(intptr_t)i);
    msleep(300);
    if (epoll_ctl(ep, round ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, p[0], &ev) < 0)
      printf("epoll_ctl: %s\n", en(errno));
    for (int i = 0; i < N; i++) {
      pthread_join(th[i], NULL);
      if (res[i] == 1 && (evs[i] & EPOLLIN))
        woke++;
      else
        printf("lt ctl: waiter %d: epoll_wait = %d events %#x\n", i, res[i], evs[i]);
    }
    printf("lt %s while waiting: %d of %d waiters returned EPOLLIN\n", round ? "mod" : "add", woke, N);
    close(ep);
  }
  close(p[0]);
  close(p[1]);
}

/* the same on a loopback TCP connection's accepted end */
static void lt_tcp(void) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t al = sizeof(a);
  int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s;
  if (bind(l, (void *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 || getsockname(l, (void *)&a, &al) < 0 ||
      connect(c, (void *)&a, sizeof(a)) < 0 || (s = accept(l, NULL, NULL)) < 0) {
    printf("lt tcp: setup: %s\n", en(errno));
    return;
  }
  ep = epoll_create1(0);
  add(ep, s, EPOLLIN, 1);
  lt_threads("lt tcp", c);
  close(ep);
  close(s);
  close(c);
  close(l);
}

/* forked children share the epoll fd */
static void lt_procs(void) {
  int p[2], st, woke = 0;
  pid_t pid[N];
  if (pipe(p) < 0)
    return;
  ep = epoll_create1(0);
  add(ep, p[0], EPOLLIN, 1);
  for (int i = 0; i < N; i++) {
    pid[i] = fork();
    if (pid[i] == 0) {
      struct epoll_event ev;
      int r = epoll_wait(ep, &ev, 1, 10000);
      _exit(r == 1 && (ev.events & EPOLLIN) ? 0 : 10 + r);
    }
  }
  msleep(300);
  if (write(p[1], "x", 1) != 1)
    printf("write: %s\n", en(errno));
  for (int i = 0; i < N; i++) {
    waitpid(pid[i], &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
      woke++;
    else
      printf("lt procs: child %d: status %#x\n", i, st);
  }
  printf("lt procs: %d of %d children returned EPOLLIN\n", woke, N);
  close(ep);
  close(p[0]);
  close(p[1]);
}

/* waiters on an outer epoll whose LT item is an inner epoll */
static void nested(void) {
  int p[2], inner;
  if (pipe(p) < 0)
    return;
  inner = epoll_create1(0);
  add(inner, p[0], EPOLLIN, 1);
  ep = epoll_create1(0);
  add(ep, inner, EPOLLIN, 2);
  lt_threads("nested", p[1]);
  close(ep);
  close(inner);
  close(p[0]);
  close(p[1]);
}

/* one write: an ET (or ONESHOT) item is reported once in all */
static void once_in_all(const char *name, uint32_t events) {
  pthread_t th[N];
  int p[2], stopfd;
  uint64_t one = 1;
  if (pipe(p) < 0)
    return;
  stopfd = eventfd(0, 0);
  ep = epoll_create1(0);
  add(ep, p[0], events, 1);
  add(ep, stopfd, EPOLLIN, STOP);
  pipe_events = 0;
  for (int i = 0; i < N; i++)
    pthread_create(&th[i], NULL, until_stop, NULL);
  msleep(300);
  if (write(p[1], "x", 1) != 1)
    printf("write: %s\n", en(errno));
  for (int i = 0; i < 100; i++) {
    pthread_mutex_lock(&mu);
    int got = pipe_events;
    pthread_mutex_unlock(&mu);
    if (got)
      break;
    msleep(50);
  }
  msleep(300);   /* time for a wrong second report */
  if (write(stopfd, &one, 8) != 8)
    printf("write: %s\n", en(errno));
  for (int i = 0; i < N; i++)
    pthread_join(th[i], NULL);
  printf("%s: reported %d time(s)\n", name, pipe_events);
  close(ep);
  close(stopfd);
  close(p[0]);
  close(p[1]);
}

/* EPOLLEXCLUSIVE items on one pipe in N instances, a waiter on each */
static void exclusive(void) {
  pthread_t th[N];
  int p[2], eps[N], stopfd, got = 0;
  uint64_t one = 1;
  if (pipe(p) < 0)
    return;
  stopfd = eventfd(0, 0);
  for (int i = 0; i < N; i++) {
    eps[i] = epoll_create1(0);
    add(eps[i], p[0], EPOLLIN | EPOLLEXCLUSIVE, 1);
    add(eps[i], stopfd, EPOLLIN, STOP);
  }
  pipe_events = early = 0;
  stopping = 0;
  for (int i = 0; i < N; i++)
    pthread_create(&th[i], NULL, until_stop, (void *)(intptr_t)eps[i]);
  msleep(300);
  if (write(p[1], "x", 1) != 1)
    printf("write: %s\n", en(errno));
  for (int i = 0; i < 100 && !got; i++) {
    pthread_mutex_lock(&mu);
    got = early;
    pthread_mutex_unlock(&mu);
    if (!got)
      msleep(50);
  }
  pthread_mutex_lock(&mu);
  stopping = 1;
  pthread_mutex_unlock(&mu);
  if (write(stopfd, &one, 8) != 8)
    printf("write: %s\n", en(errno));
  for (int i = 0; i < N; i++)
    pthread_join(th[i], NULL);
  printf("exclusive: a waiter woken by the write: %s\n", got ? "yes" : "no");
  for (int i = 0; i < N; i++)
    close(eps[i]);
  close(stopfd);
  close(p[0]);
  close(p[1]);
}

int main(void) {
  lt();
  lt_procs();
  lt_tcp();
  lt_ctl();
  nested();
  once_in_all("et", EPOLLIN | EPOLLET);
  once_in_all("oneshot", EPOLLIN | EPOLLONESHOT);
  once_in_all("et oneshot", EPOLLIN | EPOLLET | EPOLLONESHOT);
  exclusive();
  return 0;
}
