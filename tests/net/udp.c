/* udp.c - UDP over the loopback, for 127.0.0.1 and ::1 in turn: bind
 * (port 0, EADDRINUSE, SO_REUSEADDR), sendto/recvfrom echo with the
 * sender's address, datagram boundaries, MSG_PEEK, MSG_TRUNC, FIONREAD,
 * empty datagrams, connect and its filtering, ECONNREFUSED after a send
 * to a port nobody has (connected sockets only), EDESTADDRREQ,
 * EMSGSIZE, sendmmsg/recvmmsg, poll, SO_RCVTIMEO, options; then a
 * dual-stack socket receiving from IPv4.                               */
#include "net.h"

static const char *loop;
static int fam;
static char nm[128];
#define N(x) (snprintf(nm, sizeof nm, "%s %s", loop, x), nm)

static int bound(union sa *a) {
  int s = socket(fam, SOCK_DGRAM, 0);
  socklen_t l = mkaddr(a, loop, 0);
  if (bind(s, &a->sa, l)) return -1;
  l = sizeof *a;
  getsockname(s, &a->sa, &l);
  return s;
}

static socklen_t alen(void) { return fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6); }

static void run(const char *addr) {
  union sa a, b, got;
  socklen_t gl;
  int s, c, n, x;
  char buf[70000];

  loop = addr;
  fam = strchr(addr, ':') ? AF_INET6 : AF_INET;

  c = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  printf("%s SO_TYPE %d SO_PROTOCOL %d\n", loop, getint(c, SOL_SOCKET, SO_TYPE), getint(c, SOL_SOCKET, SO_PROTOCOL));
  printf("%s poll fresh: %s\n", loop, pev(pollwait(c, 0)));
  ERR(N("send unconnected"), send(c, "x", 1, 0), EDESTADDRREQ);
  ERR(N("recv empty"), recv(c, buf, 1, 0), EAGAIN);
  ERR(N("getpeername"), getpeername(c, &got.sa, &gl), ENOTCONN);
  close(c);

  s = bound(&a);
  OK(N("bind"), s >= 0 && port_of(&a) >= 1024);
  x = socket(fam, SOCK_DGRAM, 0);
  ERR(N("EADDRINUSE"), bind(x, &a.sa, alen()), EADDRINUSE);
  close(x);
  c = socket(fam, SOCK_DGRAM, 0);
  OK(N("sendto"), sendto(c, "ping", 4, 0, &a.sa, alen()) == 4);
  gl = sizeof b;
  OK(N("sender autobound"), getsockname(c, &b.sa, &gl) == 0 && port_of(&b) >= 1024);
  printf("%s sender name %s\n", loop, ntop(&b));
  OK(N("sendto 2"), sendto(c, "second", 6, 0, &a.sa, alen()) == 6);
  OK(N("empty datagram"), sendto(c, "", 0, 0, &a.sa, alen()) == 0);
  usleep(10000);
  printf("%s poll with data: %s\n", loop, pev(pollwait(s, 0)));
  OK(N("FIONREAD is the next datagram"), ioctl(s, FIONREAD, &n) == 0 && n == 4);
  gl = sizeof got;
  OK(N("MSG_PEEK"), recvfrom(s, buf, 2, MSG_PEEK, &got.sa, &gl) == 2 && !memcmp(buf, "pi", 2));
  gl = sizeof got;
  OK(N("recvfrom"), recvfrom(s, buf, sizeof buf, 0, &got.sa, &gl) == 4 && !memcmp(buf, "ping", 4));
  printf("%s from %s len %d, the sender's port: %d\n", loop, ntop(&got), gl, port_of(&got) == port_of(&b));
  OK(N("MSG_TRUNC returns the real length"), recv(s, buf, 3, MSG_PEEK | MSG_TRUNC) == 6);
  struct iovec iov = {buf, 3};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
  OK(N("truncated"), recvmsg(s, &mh, 0) == 3 && (mh.msg_flags & MSG_TRUNC) && !memcmp(buf, "sec", 3));
  OK(N("empty datagram received"), recv(s, buf, sizeof buf, 0) == 0);
  ERR(N("then nothing"), recv(s, buf, 1, MSG_DONTWAIT), EAGAIN);
  OK(N("echo"), sendto(s, "pong", 4, 0, &got.sa, gl) == 4);
  OK(N("echo received"), recv(c, buf, sizeof buf, 0) == 4 && !memcmp(buf, "pong", 4));

  /* connected: send without a name; only the peer's datagrams arrive */
  OK(N("connect"), connect(c, &a.sa, alen()) == 0);
  gl = sizeof got;
  OK(N("getpeername"), getpeername(c, &got.sa, &gl) == 0 && port_of(&got) == port_of(&a));
  OK(N("send connected"), send(c, "conn", 4, 0) == 4);
  OK(N("received"), recv(s, buf, sizeof buf, 0) == 4);
  int other = bound(&b);
  gl = sizeof got;
  getsockname(c, &got.sa, &gl);
  OK(N("stranger sends to the connected socket"), sendto(other, "stranger", 8, 0, &got.sa, gl) == 8);
  OK(N("peer sends to it"), sendto(s, "peer", 4, 0, &got.sa, gl) == 4);
  OK(N("only the peer's arrives"), recv(c, buf, sizeof buf, 0) == 4 && !memcmp(buf, "peer", 4));
  ERR(N("nothing else"), recv(c, buf, 1, MSG_DONTWAIT), EAGAIN);
  OK(N("sendto another while connected"), sendto(c, "x", 1, 0, &b.sa, alen()) == 1);
  OK(N("it arrives"), recv(other, buf, sizeof buf, 0) == 1);
  close(other);

  /* a port nobody has: a connected socket hears of it */
  other = bound(&b);
  close(other);
  x = socket(fam, SOCK_DGRAM, 0);
  OK(N("connect to an empty port"), connect(x, &b.sa, alen()) == 0);
  OK(N("first send"), send(x, "x", 1, 0) == 1);
  usleep(10000);
  printf("%s after the refusal: %s\n", loop, pev(pollwait(x, 0)));
  ERR(N("recv refused"), recv(x, buf, 1, MSG_DONTWAIT), ECONNREFUSED);
  OK(N("send again"), send(x, "x", 1, 0) == 1);
  usleep(10000);
  ERR(N("send refused"), send(x, "x", 1, 0), ECONNREFUSED);
  printf("%s SO_ERROR after: %d\n", loop, sockerr(x));
  struct sockaddr un = {.sa_family = AF_UNSPEC};
  OK(N("disconnect"), connect(x, &un, sizeof un) == 0);
  ERR(N("disconnected"), getpeername(x, &got.sa, &gl), ENOTCONN);
  OK(N("unconnected send to the empty port"), sendto(x, "x", 1, 0, &b.sa, alen()) == 1);
  usleep(10000);
  ERR(N("no error unconnected"), recv(x, buf, 1, MSG_DONTWAIT), EAGAIN);
  close(x);

  /* sizes */
  x = socket(fam, SOCK_DGRAM, 0);
  n = fam == AF_INET ? 65507 : 65527;
  memset(buf, 'u', sizeof buf);
  OK(N("largest datagram"), sendto(x, buf, n, 0, &a.sa, alen()) == n);
  ERR(N("one byte more"), sendto(x, buf, n + 1, 0, &a.sa, alen()), EMSGSIZE);
  OK(N("largest received"), recv(s, buf, sizeof buf, 0) == n);
  b = a;
  if (fam == AF_INET) b.in.sin_port = 0; else b.in6.sin6_port = 0;
  ERR(N("sendto port 0"), sendto(x, "x", 1, 0, &b.sa, alen()), EINVAL);
  close(x);

  /* sendmmsg/recvmmsg */
  struct mmsghdr mm[3];
  struct iovec v[3];
  char mb[3][8];
  memset(mm, 0, sizeof mm);
  for (int i = 0; i < 3; i++) {
    v[i].iov_base = (char *)"abc" + i;
    v[i].iov_len = 3 - i;
    mm[i].msg_hdr.msg_iov = &v[i];
    mm[i].msg_hdr.msg_iovlen = 1;
    mm[i].msg_hdr.msg_name = &a;
    mm[i].msg_hdr.msg_namelen = alen();
  }
  OK(N("sendmmsg"), sendmmsg(c, mm, 3, 0) == 3 && mm[2].msg_len == 1);
  memset(mm, 0, sizeof mm);
  for (int i = 0; i < 3; i++) {
    v[i].iov_base = mb[i];
    v[i].iov_len = sizeof mb[i];
    mm[i].msg_hdr.msg_iov = &v[i];
    mm[i].msg_hdr.msg_iovlen = 1;
  }
  usleep(10000);
  OK(N("recvmmsg"), recvmmsg(s, mm, 3, MSG_DONTWAIT, NULL) == 3 && mm[0].msg_len == 3 && mm[1].msg_len == 2 &&
     !memcmp(mb[1], "bc", 2));

  /* SO_RCVTIMEO, options */
  struct timeval tv = {0, 50000};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ERR(N("recv times out"), recv(s, buf, 1, 0), EAGAIN);
  x = 1;
  OK(N("SO_BROADCAST"), setsockopt(s, SOL_SOCKET, SO_BROADCAST, &x, sizeof x) == 0);
  printf("%s SO_BROADCAST %d\n", loop, getint(s, SOL_SOCKET, SO_BROADCAST));
  if (fam == AF_INET) {
    x = 3;
    OK(N("IP_MULTICAST_TTL"), setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &x, sizeof x) == 0);
    x = 0;
    OK(N("IP_MULTICAST_LOOP"), setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &x, sizeof x) == 0);
    printf("%s IP_MULTICAST_TTL %d IP_MULTICAST_LOOP %d\n", loop, getint(s, IPPROTO_IP, IP_MULTICAST_TTL),
           getint(s, IPPROTO_IP, IP_MULTICAST_LOOP));
    struct in_addr ifa = {htonl(INADDR_LOOPBACK)};
    OK(N("IP_MULTICAST_IF"), setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof ifa) == 0);
    c = socket(AF_INET, SOCK_DGRAM, 0);
    ERR(N("broadcast without SO_BROADCAST"), sendto(c, "x", 1, 0, &b.sa, mkaddr(&b, "255.255.255.255", 9)), EACCES);
    close(c);
  } else {
    x = 4;
    OK(N("IPV6_MULTICAST_HOPS"), setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &x, sizeof x) == 0);
    printf("%s IPV6_MULTICAST_HOPS %d\n", loop, getint(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS));
  }
  ERR(N("TCP level on UDP"), setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &x, sizeof x), ENOPROTOOPT);
  ERR(N("listen on UDP"), listen(s, 1), EOPNOTSUPP);
  ERR(N("accept on UDP"), accept(s, NULL, NULL), EOPNOTSUPP);
  ERR(N("shutdown unconnected"), shutdown(s, SHUT_RD), ENOTCONN);
  printf("%s after a failed shutdown: %s\n", loop, pev(pollwait(s, 0)));
  close(s);
}

static void dualstack(void) {
  union sa a, b, got;
  socklen_t gl;
  char buf[16];
  int s = socket(AF_INET6, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0);

  OK("dual bind ::", bind(s, &a.sa, mkaddr(&a, "::", 0)) == 0);
  gl = sizeof a;
  getsockname(s, &a.sa, &gl);
  OK("dual IPv4 sendto", sendto(c, "v4", 2, 0, &b.sa, mkaddr(&b, "127.0.0.1", port_of(&a))) == 2);
  gl = sizeof got;
  OK("dual recvfrom", recvfrom(s, buf, sizeof buf, 0, &got.sa, &gl) == 2);
  printf("dual from %s len %d\n", ntop(&got), gl);
  OK("dual reply", sendto(s, "r", 1, 0, &got.sa, gl) == 1);
  gl = sizeof got;
  OK("dual reply received", recvfrom(c, buf, sizeof buf, 0, &got.sa, &gl) == 1);
  printf("dual reply from %s len %d\n", ntop(&got), gl);
  close(s);
  close(c);
}

int main(void) {
  run("127.0.0.1");
  run("::1");
  dualstack();
  return t_done();
}
