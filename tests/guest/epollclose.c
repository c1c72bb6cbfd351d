/* epollclose.c - closing a file that is in an epoll set while another
 * thread sleeps in epoll_wait on that set: the close must really release
 * the file (epoll holds no reference to it, as Linux's does not).  Go's
 * netpoller puts both ends of every pipe it makes in its epoll set, hands
 * the write end to a child, then drops its own copy (EPOLL_CTL_DEL,
 * close) while its netpoller thread sleeps in epoll_pwait(-1): the read
 * end must see EPOLLHUP when the child exits.  umk once held every item's
 * file during the sleep, so the write end stayed open, no EOF came, and
 * `go build` hung.  Cases: DEL then close, close alone, the child that
 * writes and exits, two threads sleeping on one set (one report of one
 * edge), and a socketpair's peer.  Each epoll_wait has a bound of
 * seconds where Linux wakes it at once: "(bound reached)" in the output
 * is a lost wake-up (events found by the scan at the timeout follow it).
 * link: -pthread */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#define WAIT_MS 5000   /* a bound: the wake-up comes at once on Linux */

static void msleep(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

struct waiter {
  int ep, timeout_ms, n;
  int bound;                   /* epoll_wait lasted its whole timeout */
  struct epoll_event ev[8];
};

static long long mono_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static void *wait_thread(void *arg) {
  struct waiter *w = arg;
  long long t0 = mono_ms();
  w->n = epoll_wait(w->ep, w->ev, 8, w->timeout_ms);
  w->bound = mono_ms() - t0 >= w->timeout_ms;
  return NULL;
}

static void print_events(const char *name, const struct waiter *w) {
  printf("%s: %d event(s)%s", name, w->n, w->bound ? " (bound reached)" : "");
  for (int i = 0; i < w->n; i++)
    printf(" [data %llu%s%s%s%s%s]", (unsigned long long)w->ev[i].data.u64,
           w->ev[i].events & EPOLLIN ? " IN" : "", w->ev[i].events & EPOLLOUT ? " OUT" : "",
           w->ev[i].events & EPOLLRDHUP ? " RDHUP" : "", w->ev[i].events & EPOLLHUP ? " HUP" : "",
           w->ev[i].events & EPOLLERR ? " ERR" : "");
  printf("\n");
}

/* Go's registration of a pipe end: edge-triggered, in, out and rdhup. */
static int add_go(int ep, int fd, uint64_t data) {
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.u64 = data};
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* A set holding both ends of a new pipe p, its first edges taken. */
static int pipe_set(int p[2]) {
  struct epoll_event ev[4];
  int ep = epoll_create1(EPOLL_CLOEXEC);

  if (ep < 0 || pipe2(p, O_CLOEXEC | O_NONBLOCK))
    return -1;
  if (add_go(ep, p[0], 1) || add_go(ep, p[1], 2))
    return -1;
  /* the write end is writable: that edge is reported once, now */
  int n = epoll_wait(ep, ev, 4, 0);
  printf("first scan: %d event(s), data %llu%s\n", n, n > 0 ? (unsigned long long)ev[0].data.u64 : 0ULL,
         n > 0 && (ev[0].events & EPOLLOUT) ? " OUT" : "");
  OK("first scan empty after", epoll_wait(ep, ev, 4, 0) == 0);
  return ep;
}

/* The read end polled now, from this thread: POLLHUP once no writer is left. */
static void check_hup_now(const char *name, int rfd) {
  struct pollfd pfd = {rfd, POLLIN, 0};
  int n = poll(&pfd, 1, 0);
  printf("%s: poll %d revents%s%s\n", name, n, pfd.revents & POLLIN ? " IN" : "",
         pfd.revents & POLLHUP ? " HUP" : "");
}

static void case_close(int del) {
  const char *name = del ? "del+close" : "close";
  struct waiter w = {.timeout_ms = WAIT_MS};
  pthread_t th;
  int p[2];

  w.ep = pipe_set(p);
  OK("pipe set", w.ep >= 0);
  pthread_create(&th, NULL, wait_thread, &w);
  msleep(100);   /* the thread is asleep in epoll_wait (or soon will be) */
  if (del)
    OK("del write end", epoll_ctl(w.ep, EPOLL_CTL_DEL, p[1], NULL) == 0);
  OK("close write end", close(p[1]) == 0);
  check_hup_now(name, p[0]);
  pthread_join(th, NULL);
  print_events(name, &w);
  char c;
  RES("read at EOF", read(p[0], &c, 1));
  close(p[0]);
  close(w.ep);
}

/* Go's os/exec: the child gets the write end as its stdout, the parent
 * drops its copy while its netpoller thread sleeps; the child writes,
 * then exits (when told to) while a thread sleeps again. */
static void case_child(void) {
  struct waiter w = {.timeout_ms = WAIT_MS};
  pthread_t th;
  char buf[64];
  int p[2], go[2], st;
  pid_t pid;

  w.ep = pipe_set(p);
  OK("pipe set", w.ep >= 0);
  OK("go pipe", pipe2(go, O_CLOEXEC) == 0);
  pthread_create(&th, NULL, wait_thread, &w);
  msleep(50);
  pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    msleep(100);   /* the parent has dropped its copy by now */
    if (write(1, "hello\n", 6) != 6 || read(go[0], buf, 1) != 1)
      _exit(1);
    _exit(0);
  }
  OK("del write end", epoll_ctl(w.ep, EPOLL_CTL_DEL, p[1], NULL) == 0);
  OK("close write end", close(p[1]) == 0);
  pthread_join(th, NULL);
  print_events("child data", &w);
  ssize_t n = read(p[0], buf, sizeof(buf));
  printf("child data: read %zd\n", n);
  /* the child's exit closes the last write end: an edge on the read end */
  pthread_create(&th, NULL, wait_thread, &w);
  msleep(100);
  OK("tell child", write(go[1], "x", 1) == 1);
  pthread_join(th, NULL);
  print_events("child exit", &w);
  OK("waitpid", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  RES("child exit: read at EOF", read(p[0], buf, sizeof(buf)));
  close(go[0]);
  close(go[1]);
  close(p[0]);
  close(w.ep);
}

/* The same with a child that writes nothing (the compiler's usual
 * output): the hang-up is the only wake-up the netpoller gets. */
static void case_child_silent(void) {
  struct waiter w = {.timeout_ms = WAIT_MS};
  pthread_t th;
  char buf[8];
  int p[2], go[2], st;
  pid_t pid;

  w.ep = pipe_set(p);
  OK("pipe set", w.ep >= 0);
  OK("go pipe", pipe2(go, O_CLOEXEC) == 0);
  pthread_create(&th, NULL, wait_thread, &w);
  msleep(50);
  pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    _exit(read(go[0], buf, 1) == 1 ? 0 : 1);
  }
  OK("del write end", epoll_ctl(w.ep, EPOLL_CTL_DEL, p[1], NULL) == 0);
  OK("close write end", close(p[1]) == 0);
  msleep(50);
  OK("tell child", write(go[1], "x", 1) == 1);
  OK("waitpid", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  check_hup_now("silent child", p[0]);
  pthread_join(th, NULL);
  print_events("silent child", &w);
  RES("silent child: read at EOF", read(p[0], buf, sizeof(buf)));
  close(go[0]);
  close(go[1]);
  close(p[0]);
  close(w.ep);
}

/* Two threads asleep on one set: one edge is reported once. */
static void case_two_threads(void) {
  struct waiter w[2] = {{.timeout_ms = 1000}, {.timeout_ms = 1000}};
  pthread_t th[2];
  int p[2];

  w[0].ep = w[1].ep = pipe_set(p);
  OK("pipe set", w[0].ep >= 0);
  for (int i = 0; i < 2; i++)
    pthread_create(&th[i], NULL, wait_thread, &w[i]);
  msleep(100);
  OK("del write end", epoll_ctl(w[0].ep, EPOLL_CTL_DEL, p[1], NULL) == 0);
  OK("close write end", close(p[1]) == 0);
  for (int i = 0; i < 2; i++)
    pthread_join(th[i], NULL);
  struct waiter *got = w[0].n > 0 ? &w[0] : &w[1];
  printf("two threads: %d report(s) in all, %d reached the bound\n", (w[0].n > 0) + (w[1].n > 0),
         w[0].bound + w[1].bound);
  print_events("two threads", got);
  close(p[0]);
  close(w[0].ep);
}

/* A socketpair: closing one end (in the set too) while a thread sleeps
 * must give the other end its hang-up. */
static void case_socketpair(void) {
  struct waiter w = {.timeout_ms = WAIT_MS};
  struct epoll_event ev[4];
  pthread_t th;
  int s[2];

  OK("socketpair", socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, s) == 0);
  w.ep = epoll_create1(EPOLL_CLOEXEC);
  OK("add a", add_go(w.ep, s[0], 1) == 0);
  OK("add b", add_go(w.ep, s[1], 2) == 0);
  int n = epoll_wait(w.ep, ev, 4, 0);
  printf("socketpair first scan: %d event(s)\n", n);
  pthread_create(&th, NULL, wait_thread, &w);
  msleep(100);
  OK("del b", epoll_ctl(w.ep, EPOLL_CTL_DEL, s[1], NULL) == 0);
  OK("close b", close(s[1]) == 0);
  pthread_join(th, NULL);
  print_events("socketpair", &w);
  char c;
  RES("socketpair: read at EOF", read(s[0], &c, 1));
  close(s[0]);
  close(w.ep);
}

int main(void) {
  case_close(1);
  case_close(0);
  case_child();
  case_child_silent();
  case_two_threads();
  case_socketpair();
  return t_done();
}
