/* tcp.c - TCP over the loopback, for 127.0.0.1 and ::1 in turn: bind
 * (port 0, EADDRINUSE, SO_REUSEADDR, SO_REUSEPORT), listen/accept/accept4,
 * an echo, MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, FIONREAD/SIOCINQ/SIOCOUTQ,
 * half-close and EPOLLRDHUP, a reset (close with unread data, SO_LINGER
 * 0), writes after the peer closed (EPIPE/SIGPIPE, MSG_NOSIGNAL), a
 * refused connect (blocking and non-blocking), a non-blocking connect,
 * accept with a full backlog, SO_RCVTIMEO, a bulk transfer (in order,
 * with reads and writes of many sizes and peeks; and two writer threads
 * and two reader threads on one connection), options;
 * then a dual-stack listener reached over IPv4 and an IPv4-mapped client. */
#include "net.h"
#include <pthread.h>
#include <sys/epoll.h>

static volatile int sigpipes;
static void on_pipe(int s) { (void)s; sigpipes++; }

static const char *loop;       /* "127.0.0.1" or "::1" */
static int fam;
static char nm[128];
#define N(x) (snprintf(nm, sizeof nm, "%s %s", loop, x), nm)

/* a listener on loop:0 (backlog bl); its address in *a */
static int listener(union sa *a, int bl) {
  socklen_t l = mkaddr(a, loop, 0);
  int s = socket(fam, SOCK_STREAM, 0);
  if (s < 0 || bind(s, &a->sa, l) || listen(s, bl)) return -1;
  l = sizeof *a;
  getsockname(s, &a->sa, &l);
  return s;
}

static int connected(const union sa *a) {
  int c = socket(fam, SOCK_STREAM, 0);
  if (connect(c, &a->sa, fam == AF_INET ? sizeof a->in : sizeof a->in6)) return -1;
  return c;
}

/* a connected pair: *c the client, *s the accepted side */
static int pair(int l, const union sa *a, int *c, int *s) {
  *c = connected(a);
  *s = accept(l, NULL, NULL);
  return *c >= 0 && *s >= 0 ? 0 : -1;
}

static void basics(void) {
  union sa a, b, got;
  socklen_t gl;
  int s, s2, c, x, n;
  char buf[256];

  s = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  OK(N("SOCK_NONBLOCK"), fcntl(s, F_GETFL) & O_NONBLOCK);
  OK(N("SOCK_CLOEXEC"), fcntl(s, F_GETFD) == FD_CLOEXEC);
  printf("%s SO_TYPE %d SO_DOMAIN %d SO_PROTOCOL %d\n", loop, getint(s, SOL_SOCKET, SO_TYPE),
         getint(s, SOL_SOCKET, SO_DOMAIN), getint(s, SOL_SOCKET, SO_PROTOCOL));
  gl = sizeof got;
  OK(N("getsockname unbound"), getsockname(s, &got.sa, &gl) == 0);
  printf("%s unbound name %s port %d len %d\n", loop, ntop(&got), port_of(&got), gl);
  printf("%s poll fresh: %s\n", loop, pev(pollwait(s, 0)));
  ERR(N("getpeername unconnected"), getpeername(s, &got.sa, &gl), ENOTCONN);
  ERR(N("recv unconnected"), recv(s, buf, 1, 0), ENOTCONN);
  signal(SIGPIPE, on_pipe);
  sigpipes = 0;
  ERR(N("send unconnected"), send(s, "x", 1, 0), EPIPE);
  printf("%s sigpipes %d\n", loop, sigpipes);
  ERR(N("listen-less accept"), accept(s, NULL, NULL), EINVAL);
  ERR(N("shutdown unconnected"), shutdown(s, SHUT_RDWR), ENOTCONN);
  close(s);

  /* bind */
  s = socket(fam, SOCK_STREAM, 0);
  OK(N("bind port 0"), bind(s, &a.sa, mkaddr(&a, loop, 0)) == 0);
  gl = sizeof a;
  OK(N("bound to a port"), getsockname(s, &a.sa, &gl) == 0 && port_of(&a) >= 1024);
  printf("%s bound name %s len %d\n", loop, ntop(&a), gl);
  ERR(N("bind again"), bind(s, &b.sa, mkaddr(&b, loop, 0)), EINVAL);
  s2 = socket(fam, SOCK_STREAM, 0);
  ERR(N("EADDRINUSE"), bind(s2, &a.sa, gl), EADDRINUSE);
  close(s2);
  s2 = socket(fam, SOCK_STREAM, 0);
  ERR(N("EADDRINUSE on the wildcard"), bind(s2, &b.sa, mkaddr(&b, fam == AF_INET ? "0.0.0.0" : "::", port_of(&a))), EADDRINUSE);
  close(s2);
  OK(N("listen"), listen(s, 5) == 0);
  OK(N("listen again"), listen(s, 7) == 0);
  printf("%s SO_ACCEPTCONN %d poll listener idle: %s\n", loop, getint(s, SOL_SOCKET, SO_ACCEPTCONN), pev(pollwait(s, 0)));
  x = 1;
  s2 = socket(fam, SOCK_STREAM, 0);
  setsockopt(s2, SOL_SOCKET, SO_REUSEADDR, &x, sizeof x);
  ERR(N("SO_REUSEADDR beside a listener"), bind(s2, &a.sa, gl), EADDRINUSE);
  close(s2);
  fcntl(s, F_SETFL, O_NONBLOCK);
  ERR(N("accept EAGAIN"), accept(s, NULL, NULL), EAGAIN);
  fcntl(s, F_SETFL, 0);

  /* connect, accept */
  c = socket(fam, SOCK_STREAM, 0);
  OK(N("connect"), connect(c, &a.sa, gl) == 0);
  ERR(N("connect again"), connect(c, &a.sa, gl), EISCONN);
  ERR(N("listen connected"), listen(c, 1), EINVAL);
  printf("%s poll listener pending: %s\n", loop, pev(pollwait(s, 0)));
  OK(N("write before accept"), write(c, "early", 5) == 5);
  union sa cn, pn;
  socklen_t cl = sizeof cn, pl = sizeof pn;
  OK(N("client names"), getsockname(c, &cn.sa, &cl) == 0 && getpeername(c, &pn.sa, &pl) == 0);
  printf("%s client %s -> %s, peer port is the listener's: %d\n", loop, ntop(&cn), ntop(&pn), port_of(&pn) == port_of(&a));
  gl = sizeof got;
  x = accept4(s, &got.sa, &gl, SOCK_CLOEXEC);
  OK(N("accept4"), x >= 0 && fcntl(x, F_GETFD) == FD_CLOEXEC);
  printf("%s accepted from %s len %d, same port as the client: %d\n", loop, ntop(&got), gl, port_of(&got) == port_of(&cn));
  ERR(N("accept4 bad flags"), accept4(s, NULL, NULL, 0x1234), EINVAL);
  gl = sizeof got;
  OK(N("accepted socket name"), getsockname(x, &got.sa, &gl) == 0 && port_of(&got) == port_of(&a));
  printf("%s poll accepted: %s client: %s\n", loop, pev(pollwait(x, 0)), pev(pollwait(c, 0)));
  OK(N("FIONREAD"), ioctl(x, FIONREAD, &n) == 0 && n == 5);
  OK(N("MSG_PEEK"), recv(x, buf, 3, MSG_PEEK) == 3 && !memcmp(buf, "ear", 3));
  OK(N("MSG_PEEK again"), recv(x, buf, sizeof buf, MSG_PEEK) == 5);
  OK(N("read after peek"), read(x, buf, sizeof buf) == 5 && !memcmp(buf, "early", 5));
  ERR(N("MSG_DONTWAIT empty"), recv(x, buf, 1, MSG_DONTWAIT), EAGAIN);
  /* echo */
  OK(N("send"), send(c, "hello", 5, 0) == 5 && send(c, " world", 6, 0) == 6);
  usleep(10000);
  OK(N("SIOCINQ joins writes"), ioctl(x, SIOCINQ, &n) == 0 && n == 11);
  OK(N("recv"), recv(x, buf, sizeof buf, 0) == 11 && !memcmp(buf, "hello world", 11));
  OK(N("echo back"), send(x, buf, 11, 0) == 11);
  usleep(10000);
  OK(N("client recv echo"), recv(c, buf, sizeof buf, 0) == 11 && !memcmp(buf, "hello world", 11));
  OK(N("SIOCOUTQ drained"), ioctl(x, SIOCOUTQ, &n) == 0 && n == 0);
  OK(N("writev/readv"), ({ struct iovec v[2] = {{"ab", 2}, {"cd", 2}}; writev(c, v, 2) == 4; }) &&
     ({ char p[3], q[3]; usleep(10000); struct iovec v[2] = {{p, 1}, {q, 3}}; readv(x, v, 2) == 4 && p[0] == 'a' && !memcmp(q, "bcd", 3); }));
  /* sendmsg/recvmsg with a name: TCP ignores the name on send, gives none on receive */
  struct iovec iov = {"nm", 2};
  struct msghdr mh = {.msg_name = &b, .msg_namelen = mkaddr(&b, loop, 9), .msg_iov = &iov, .msg_iovlen = 1};
  OK(N("sendmsg with a name"), sendmsg(c, &mh, 0) == 2);
  iov.iov_base = buf;
  iov.iov_len = sizeof buf;
  mh.msg_name = &got;
  mh.msg_namelen = sizeof got;
  OK(N("recvmsg"), recvmsg(x, &mh, 0) == 2);
  printf("%s recvmsg namelen %d flags %d\n", loop, mh.msg_namelen, mh.msg_flags);

  /* MSG_WAITALL across writes of a child */
  pid_t p = fork();
  if (p == 0) {
    usleep(20000);
    write(c, "12", 2);
    usleep(20000);
    write(c, "345", 3);
    _exit(0);
  }
  OK(N("MSG_WAITALL"), recv(x, buf, 5, MSG_WAITALL) == 5 && !memcmp(buf, "12345", 5));
  waitpid(p, NULL, 0);

  /* SO_RCVTIMEO */
  struct timeval tv = {0, 50000};
  OK(N("SO_RCVTIMEO"), setsockopt(x, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
  ERR(N("recv times out"), recv(x, buf, 1, 0), EAGAIN);

  /* half-close */
  OK(N("shutdown SHUT_WR"), shutdown(c, SHUT_WR) == 0);
  usleep(10000);
  printf("%s after SHUT_WR: client %s server %s\n", loop, pev(pollwait(c, 0)), pev(pollwait(x, 0)));
  OK(N("server reads EOF"), read(x, buf, 1) == 0);
  OK(N("server still writes"), write(x, "back", 4) == 4);
  usleep(10000);
  OK(N("client reads after SHUT_WR"), read(c, buf, sizeof buf) == 4 && !memcmp(buf, "back", 4));
  sigpipes = 0;
  ERR(N("client write after SHUT_WR"), write(c, "x", 1), EPIPE);
  printf("%s sigpipes %d\n", loop, sigpipes);
  close(x);
  usleep(10000);
  printf("%s after both closed: client %s\n", loop, pev(pollwait(c, 0)));
  OK(N("client EOF"), read(c, buf, 1) == 0);
  close(c);

  /* SHUT_RD: the reader sees EOF, the peer notices nothing */
  OK(N("pair for SHUT_RD"), pair(s, &a, &c, &x) == 0);
  OK(N("shutdown SHUT_RD"), shutdown(x, SHUT_RD) == 0);
  printf("%s after SHUT_RD: %s peer %s\n", loop, pev(pollwait(x, 0)), pev(pollwait(c, 0)));
  OK(N("read after SHUT_RD"), read(x, buf, 1) == 0);
  OK(N("peer still writes"), write(c, "zz", 2) == 2);
  ERR(N("shutdown bad how"), shutdown(x, 3), EINVAL);
  close(c);
  close(x);

  /* epoll: EPOLLRDHUP when the peer shuts down its writes */
  OK(N("pair for epoll"), pair(s, &a, &c, &x) == 0);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.u32 = 7}, out[4];
  epoll_ctl(ep, EPOLL_CTL_ADD, x, &ev);
  printf("%s epoll idle: %d\n", loop, epoll_wait(ep, out, 4, 0));
  write(c, "d", 1);
  n = epoll_wait(ep, out, 4, 1000);
  printf("%s epoll data: %d %s\n", loop, n, n == 1 ? pev(out[0].events) : "-");
  shutdown(c, SHUT_WR);
  n = epoll_wait(ep, out, 4, 1000);
  printf("%s epoll rdhup: %d %s\n", loop, n, n == 1 ? pev(out[0].events) : "-");
  close(ep);
  close(c);
  close(x);
  close(s);
}

static void resets(void) {
  union sa a;
  int s, c, x;
  char buf[64];

  s = listener(&a, 5);
  /* close with unread data: a reset */
  OK(N("pair for reset"), pair(s, &a, &c, &x) == 0);
  write(c, "unread", 6);
  usleep(10000);
  write(x, "to-client", 9);
  usleep(10000);
  close(x);
  usleep(10000);
  printf("%s after reset: %s\n", loop, pev(pollwait(c, 0)));
  OK(N("data before the reset"), read(c, buf, sizeof buf) == 9);
  ERR(N("read after reset"), read(c, buf, 1), ECONNRESET);
  OK(N("then EOF"), read(c, buf, 1) == 0);
  sigpipes = 0;
  ERR(N("write after reset"), write(c, "x", 1), EPIPE);
  printf("%s sigpipes %d\n", loop, sigpipes);
  close(c);

  /* reset seen first by a write */
  OK(N("pair for reset 2"), pair(s, &a, &c, &x) == 0);
  write(c, "unread", 6);
  usleep(10000);
  close(x);
  usleep(10000);
  sigpipes = 0;
  ERR(N("write sees the reset"), write(c, "x", 1), ECONNRESET);
  ERR(N("then EPIPE"), send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
  printf("%s sigpipes %d\n", loop, sigpipes);
  close(c);

  /* SO_LINGER 0: close resets */
  OK(N("pair for linger"), pair(s, &a, &c, &x) == 0);
  struct linger lg = {1, 0};
  socklen_t ll = sizeof lg;
  OK(N("SO_LINGER"), setsockopt(x, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
  memset(&lg, 0, sizeof lg);
  OK(N("SO_LINGER get"), getsockopt(x, SOL_SOCKET, SO_LINGER, &lg, &ll) == 0 && lg.l_onoff == 1 && lg.l_linger == 0 && ll == sizeof lg);
  close(x);
  usleep(10000);
  ERR(N("read after linger reset"), read(c, buf, 1), ECONNRESET);
  close(c);

  /* the peer closed cleanly: EOF; a write is answered with a reset */
  OK(N("pair for peer close"), pair(s, &a, &c, &x) == 0);
  close(x);
  usleep(10000);
  printf("%s peer closed: %s\n", loop, pev(pollwait(c, 0)));
  OK(N("EOF after peer close"), read(c, buf, 1) == 0);
  sigpipes = 0;
  OK(N("first write after peer close"), write(c, "x", 1) == 1);
  usleep(10000);
  printf("%s after the answer: %s\n", loop, pev(pollwait(c, 0)));
  ERR(N("second write"), write(c, "x", 1), EPIPE);
  printf("%s sigpipes %d\n", loop, sigpipes);
  ERR(N("MSG_NOSIGNAL"), send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
  printf("%s sigpipes %d\n", loop, sigpipes);
  OK(N("EOF at the end"), read(c, buf, 1) == 0);
  close(c);

  /* the listener goes away with a connection queued */
  c = connected(&a);
  close(s);
  usleep(10000);
  ERR(N("queued connection reset"), read(c, buf, 1), ECONNRESET);
  close(c);
}

static void refused(void) {
  union sa a;
  socklen_t l;
  int s, c, x;

  /* a port nobody listens on: a bound socket keeps it ours */
  s = socket(fam, SOCK_STREAM, 0);
  l = mkaddr(&a, loop, 0);
  bind(s, &a.sa, l);
  l = sizeof a;
  getsockname(s, &a.sa, &l);
  c = socket(fam, SOCK_STREAM, 0);
  ERR(N("connect refused"), connect(c, &a.sa, l), ECONNREFUSED);
  printf("%s after refusal: %s SO_ERROR %d\n", loop, pev(pollwait(c, 0)), sockerr(c));
  close(c);
  c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ERR(N("non-blocking connect"), connect(c, &a.sa, l), EINPROGRESS);
  printf("%s refused non-blocking: %s\n", loop, pev(pollwait(c, 1000)));
  x = sockerr(c);
  printf("%s SO_ERROR %s then %d\n", loop, en(x), sockerr(c));
  close(c);
  close(s);

  /* non-blocking connect that succeeds */
  s = listener(&a, 5);
  c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ERR(N("non-blocking connect in progress"), connect(c, &a.sa, l), EINPROGRESS);
  printf("%s connected non-blocking: %s SO_ERROR %d\n", loop, pev(pollwait(c, 1000)), sockerr(c));
  OK(N("connect after it completed"), connect(c, &a.sa, l) == 0);
  ERR(N("connect once more"), connect(c, &a.sa, l), EISCONN);
  close(c);
  close(s);
}

static void backlog(void) {
  union sa a;
  int s, c[4], x, i;

  /* backlog 1 holds 2 connections; the third waits for room */
  s = listener(&a, 1);
  for (i = 0; i < 3; i++) {
    c[i] = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    errno = 0;
    connect(c[i], &a.sa, fam == AF_INET ? sizeof a.in : sizeof a.in6);
    printf("%s backlog connect %d: %s\n", loop, i, en(errno));
  }
  printf("%s backlog states: %s %s %s\n", loop, pev(pollwait(c[0], 1000)), pev(pollwait(c[1], 1000)),
         pev(pollwait(c[2], 300)));
  x = accept(s, NULL, NULL);
  OK(N("accept one"), x >= 0);
  close(x);
  printf("%s the third once there is room: %s SO_ERROR %d\n", loop, pev(pollwait(c[2], 5000)), sockerr(c[2]));
  int got = 0;
  fcntl(s, F_SETFL, O_NONBLOCK);
  while ((x = accept(s, NULL, NULL)) >= 0) {
    got++;
    close(x);
  }
  printf("%s accepted %d more (%s)\n", loop, got, en(errno));
  for (i = 0; i < 3; i++) close(c[i]);
  close(s);
}

static void bulk(void) {
  union sa a;
  int s, c, x;
  static char buf[65536];
  long total = 0, sum = 0, r;

  s = listener(&a, 5);
  pid_t p = fork();
  if (p == 0) {
    c = connected(&a);
    for (int i = 0; i < 64; i++) {
      for (int j = 0; j < (int)sizeof buf; j++) buf[j] = (char)(i * 7 + j);
      if (write(c, buf, sizeof buf) != sizeof buf) _exit(1);
    }
    _exit(0);
  }
  x = accept(s, NULL, NULL);
  while ((r = read(x, buf, 50000)) > 0) {
    for (long j = 0; j < r; j++) sum += (unsigned char)buf[j];
    total += r;
  }
  int st;
  waitpid(p, &st, 0);
  printf("%s bulk %ld bytes sum %ld child %d\n", loop, total, sum, st);
  close(x);

  /* a non-blocking writer fills the buffers */
  OK(N("pair for a full buffer"), pair(s, &a, &c, &x) == 0);
  fcntl(c, F_SETFL, O_NONBLOCK);
  total = 0;
  while ((r = write(c, buf, sizeof buf)) > 0) total += r;
  printf("%s full write: %s, wrote some %d, poll %s\n", loop, en(errno), total > 0, pev(pollwait(c, 0)));
  close(x);
  close(c);

  /* small SO_SNDBUF and SO_RCVBUF: the writer stops early; what the
   * reader's buffer does not hold shows in SIOCOUTQ */
  int small = 4096, n;
  setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);   /* inherited by the accepted socket */
  OK(N("pair with small buffers"), pair(s, &a, &c, &x) == 0);
  setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  fcntl(c, F_SETFL, O_NONBLOCK);
  total = 0;
  while ((r = write(c, buf, sizeof buf)) > 0) total += r;
  usleep(10000);
  ioctl(c, SIOCOUTQ, &n);
  printf("%s small buffers: %s, stopped before 256 KiB %d, SIOCOUTQ > 0 %d\n", loop, en(errno), total < 262144, n > 0);
  long got = 0;
  while (got < total && (r = read(x, buf, sizeof buf)) > 0) got += r;
  ioctl(c, SIOCOUTQ, &n);
  printf("%s drained: all %d, SIOCOUTQ %d\n", loop, got == total, n);
  close(x);
  close(c);
  close(s);
}

/* byte i of the ordered stream */
static unsigned char pat(long i) { return (unsigned char)(i * 31 + i / 4099); }

/* A stream in order: writes of 1 byte to 200 KiB, reads of 1 byte to
 * 150 KiB, some peeked first (the peek must show what the read gets). */
static void bulk_order(void) {
  union sa a;
  static char w[200 * 1024], r[150 * 1024], pk[150 * 1024];
  const long want = 48L << 20;
  int s = listener(&a, 5);
  pid_t p = fork();
  if (p == 0) {
    int c = connected(&a);
    unsigned seed = 7;
    for (long off = 0; off < want;) {
      long n = 1 + rand_r(&seed) % (long)sizeof w;
      if (n > want - off) n = want - off;
      for (long j = 0; j < n; j++) w[j] = (char)pat(off + j);
      long d = write(c, w, (size_t)n);
      if (d <= 0) _exit(1);
      off += d;
    }
    _exit(0);
  }
  int x = accept(s, NULL, NULL);
  unsigned seed = 11;
  long off = 0, bad = -1, peeks = 0, peekbad = 0, got;
  for (;;) {
    long n = 1 + rand_r(&seed) % (long)sizeof r;
    long k = 0;
    if (rand_r(&seed) % 8 == 0) {
      k = recv(x, pk, (size_t)n, MSG_PEEK);
      peeks++;
    }
    got = read(x, r, (size_t)n);
    if (got <= 0) break;
    if (k > 0 && memcmp(pk, r, (size_t)(k < got ? k : got))) peekbad++;
    for (long j = 0; j < got && bad < 0; j++)
      if ((unsigned char)r[j] != pat(off + j)) bad = off + j;
    off += got;
  }
  int st;
  waitpid(p, &st, 0);
  printf("%s in order: %ld bytes (%s), first wrong byte %ld, peeks %s, last read %ld, child %d\n", loop, off,
         off == want ? "all" : "short", bad, peeks > 0 && !peekbad ? "match" : "differ", got, st);
  close(x);
  close(s);
}

/* Two threads write one connection and two read it: every byte arrives
 * once (the sum and count of all bytes read, whatever the interleaving). */
struct side { int fd; long bytes, sum; int id; };
static void *writer(void *v) {
  struct side *d = v;
  static char bufs[2][65536];
  char *b = bufs[d->id];
  for (int j = 0; j < (int)sizeof bufs[0]; j++) b[j] = (char)(d->id * 91 + j * 3);
  for (int i = 0; i < 128; i++) {
    long done = 0;
    while (done < (long)sizeof bufs[0]) {
      long n = write(d->fd, b + done, sizeof bufs[0] - (size_t)done);
      if (n <= 0) return NULL;
      done += n;
      d->bytes += n;
    }
  }
  return NULL;
}
static void *reader(void *v) {
  struct side *d = v;
  char *b = malloc(d->id ? 65536 : 50000);
  long n;
  while ((n = read(d->fd, b, d->id ? 65536 : 50000)) > 0) {
    for (long j = 0; j < n; j++) d->sum += (unsigned char)b[j];
    d->bytes += n;
  }
  free(b);
  return NULL;
}
static void bulk_threads(void) {
  union sa a;
  int s = listener(&a, 5), c, x;
  long want_sum = 0;
  for (int id = 0; id < 2; id++)
    for (int j = 0; j < 65536; j++) want_sum += 128L * (unsigned char)(id * 91 + j * 3);
  OK(N("pair for threads"), pair(s, &a, &c, &x) == 0);
  struct side w[2] = { { c, 0, 0, 0 }, { c, 0, 0, 1 } }, r[2] = { { x, 0, 0, 0 }, { x, 0, 0, 1 } };
  pthread_t tw[2], tr[2];
  for (int i = 0; i < 2; i++) {
    pthread_create(&tr[i], NULL, reader, &r[i]);
    pthread_create(&tw[i], NULL, writer, &w[i]);
  }
  for (int i = 0; i < 2; i++) pthread_join(tw[i], NULL);
  shutdown(c, SHUT_WR);
  for (int i = 0; i < 2; i++) pthread_join(tr[i], NULL);
  long bytes = r[0].bytes + r[1].bytes, sum = r[0].sum + r[1].sum;
  printf("%s threads: wrote %ld, read %ld, sums %s\n", loop, w[0].bytes + w[1].bytes, bytes,
         sum == want_sum ? "match" : "differ");
  close(c);
  close(x);
  close(s);
}

static void options(void) {
  int s = socket(fam, SOCK_STREAM, 0), x;
  socklen_t l;

  x = 1;
  OK(N("TCP_NODELAY"), setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &x, sizeof x) == 0);
  printf("%s TCP_NODELAY %d SO_KEEPALIVE %d\n", loop, getint(s, IPPROTO_TCP, TCP_NODELAY), getint(s, SOL_SOCKET, SO_KEEPALIVE));
  OK(N("SO_KEEPALIVE"), setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &x, sizeof x) == 0);
  x = 30;
  OK(N("TCP_KEEPIDLE"), setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &x, sizeof x) == 0);
  printf("%s SO_KEEPALIVE %d TCP_KEEPIDLE %d\n", loop, getint(s, SOL_SOCKET, SO_KEEPALIVE), getint(s, IPPROTO_TCP, TCP_KEEPIDLE));
  x = 65536;
  OK(N("SO_RCVBUF"), setsockopt(s, SOL_SOCKET, SO_RCVBUF, &x, sizeof x) == 0);
  OK(N("SO_SNDBUF"), setsockopt(s, SOL_SOCKET, SO_SNDBUF, &x, sizeof x) == 0);
  printf("%s SO_RCVBUF %d SO_SNDBUF %d\n", loop, getint(s, SOL_SOCKET, SO_RCVBUF), getint(s, SOL_SOCKET, SO_SNDBUF));
  x = 1;
  OK(N("SO_REUSEADDR"), setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &x, sizeof x) == 0);
  OK(N("SO_REUSEPORT"), setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &x, sizeof x) == 0);
  printf("%s SO_REUSEADDR %d SO_REUSEPORT %d SO_BROADCAST %d\n", loop, getint(s, SOL_SOCKET, SO_REUSEADDR),
         getint(s, SOL_SOCKET, SO_REUSEPORT), getint(s, SOL_SOCKET, SO_BROADCAST));
  if (fam == AF_INET) {
    x = 0x10;
    OK(N("IP_TOS"), setsockopt(s, IPPROTO_IP, IP_TOS, &x, sizeof x) == 0);
    x = 7;
    OK(N("IP_TTL"), setsockopt(s, IPPROTO_IP, IP_TTL, &x, sizeof x) == 0);
    printf("%s IP_TOS %d IP_TTL %d\n", loop, getint(s, IPPROTO_IP, IP_TOS), getint(s, IPPROTO_IP, IP_TTL));
    ERR(N("IPV6_V6ONLY on IPv4"), setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &x, sizeof x), ENOPROTOOPT);
  } else {
    printf("%s IPV6_V6ONLY %d\n", loop, getint(s, IPPROTO_IPV6, IPV6_V6ONLY));
    x = 0x20;
    OK(N("IPV6_TCLASS"), setsockopt(s, IPPROTO_IPV6, IPV6_TCLASS, &x, sizeof x) == 0);
    x = 9;
    OK(N("IPV6_UNICAST_HOPS"), setsockopt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &x, sizeof x) == 0);
    printf("%s IPV6_TCLASS %d IPV6_UNICAST_HOPS %d\n", loop, getint(s, IPPROTO_IPV6, IPV6_TCLASS),
           getint(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS));
  }
  ERR(N("unknown level"), setsockopt(s, 9999, 1, &x, sizeof x), ENOPROTOOPT);
  ERR(N("unknown SOL_SOCKET option"), setsockopt(s, SOL_SOCKET, 9999, &x, sizeof x), ENOPROTOOPT);
  ERR(N("unknown TCP option"), setsockopt(s, IPPROTO_TCP, 9999, &x, sizeof x), ENOPROTOOPT);
  ERR(N("UDP level on TCP"), setsockopt(s, IPPROTO_UDP, 1, &x, sizeof x), ENOPROTOOPT);
  ERR(N("short option"), setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &x, 2), EINVAL);
  l = sizeof x;
  printf("%s: ", loop);
  RES("getsockopt unknown level", getsockopt(s, 9999, 1, &x, &l));
  close(s);
}

static void run(const char *addr) {
  loop = addr;
  fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
  basics();
  resets();
  refused();
  backlog();
  bulk();
  options();
}

/* An IPv6 listener on :: takes IPv4 connections (IPv4-mapped peers)
 * unless IPV6_V6ONLY; an IPv6 client reaches an IPv4 listener through
 * ::ffff:127.0.0.1. */
static void dualstack(void) {
  union sa a, b, got;
  socklen_t gl;
  int s, c, x, v;
  char buf[16];

  s = socket(AF_INET6, SOCK_STREAM, 0);
  printf("dual IPV6_V6ONLY %d\n", getint(s, IPPROTO_IPV6, IPV6_V6ONLY));
  OK("dual bind ::", bind(s, &a.sa, mkaddr(&a, "::", 0)) == 0 && listen(s, 5) == 0);
  gl = sizeof a;
  getsockname(s, &a.sa, &gl);
  c = socket(AF_INET, SOCK_STREAM, 0);
  OK("dual IPv4 connect", connect(c, &b.sa, mkaddr(&b, "127.0.0.1", port_of(&a))) == 0);
  gl = sizeof got;
  x = accept(s, &got.sa, &gl);
  printf("dual accepted from %s len %d family %d\n", ntop(&got), gl, got.sa.sa_family);
  gl = sizeof got;
  getsockname(x, &got.sa, &gl);
  printf("dual accepted socket name %s\n", ntop(&got));
  OK("dual data", write(c, "v4", 2) == 2 && read(x, buf, sizeof buf) == 2);
  close(x);
  close(c);
  v = 1;
  ERR("dual V6ONLY after bind", setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof v), EINVAL);
  close(s);

  /* an IPv4 socket on the same port as a dual-stack one */
  s = socket(AF_INET6, SOCK_STREAM, 0);
  bind(s, &a.sa, mkaddr(&a, "::", 0));
  gl = sizeof a;
  getsockname(s, &a.sa, &gl);
  c = socket(AF_INET, SOCK_STREAM, 0);
  ERR("dual IPv4 bind on a dual port", bind(c, &b.sa, mkaddr(&b, "127.0.0.1", port_of(&a))), EADDRINUSE);
  close(c);
  close(s);

  s = socket(AF_INET6, SOCK_STREAM, 0);
  v = 1;
  OK("v6only set", setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof v) == 0);
  OK("v6only bind ::", bind(s, &a.sa, mkaddr(&a, "::", 0)) == 0 && listen(s, 5) == 0);
  gl = sizeof a;
  getsockname(s, &a.sa, &gl);
  c = socket(AF_INET, SOCK_STREAM, 0);
  ERR("v6only refuses IPv4", connect(c, &b.sa, mkaddr(&b, "127.0.0.1", port_of(&a))), ECONNREFUSED);
  close(c);
  c = socket(AF_INET, SOCK_STREAM, 0);
  OK("v6only leaves the IPv4 port free", bind(c, &b.sa, mkaddr(&b, "127.0.0.1", port_of(&a))) == 0);
  close(c);
  c = socket(AF_INET6, SOCK_STREAM, 0);
  OK("v6only IPv6 connect", connect(c, &b.sa, mkaddr(&b, "::1", port_of(&a))) == 0);
  close(c);
  close(s);

  /* an IPv6 client to an IPv4 listener through a mapped address */
  s = socket(AF_INET, SOCK_STREAM, 0);
  bind(s, &a.sa, mkaddr(&a, "127.0.0.1", 0));
  listen(s, 5);
  gl = sizeof a;
  getsockname(s, &a.sa, &gl);
  c = socket(AF_INET6, SOCK_STREAM, 0);
  OK("mapped connect", connect(c, &b.sa, mkaddr(&b, "::ffff:127.0.0.1", port_of(&a))) == 0);
  gl = sizeof got;
  getsockname(c, &got.sa, &gl);
  printf("mapped client name %s len %d\n", ntop(&got), gl);
  gl = sizeof got;
  x = accept(s, &got.sa, &gl);
  printf("mapped accepted from %s len %d\n", ntop(&got), gl);
  close(x);
  close(c);
  v = 1;
  c = socket(AF_INET6, SOCK_STREAM, 0);
  setsockopt(c, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof v);
  ERR("v6only mapped connect", connect(c, &b.sa, mkaddr(&b, "::ffff:127.0.0.1", port_of(&a))), ENETUNREACH);
  close(c);
  close(s);
}

int main(void) {
  loop = "127.0.0.1";
  fam = AF_INET;
  bulk_order();
  bulk_threads();
  run("127.0.0.1");
  run("::1");
  dualstack();
  return t_done();
}
