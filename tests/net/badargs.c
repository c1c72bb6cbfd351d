/* badargs.c - hostile arguments to the AF_INET/AF_INET6/AF_NETLINK
 * socket calls: unknown families, types and protocols, sockaddrs that
 * are too short, too long, of the wrong family or not mapped, option
 * levels and names nobody has, option buffers that are short or
 * unmapped, non-local addresses to bind.  Every call must fail with
 * Linux's errno and nothing may crash.  No traffic leaves the machine:
 * the only non-loopback address is used for bind, which sends nothing. */
#include "net.h"
#include <linux/netlink.h>
#include <sys/mman.h>

static void sockets(void) {
  printf("socket:\n");
  RES(" AF_INET STREAM 0", close(socket(AF_INET, SOCK_STREAM, 0)));
  RES(" AF_INET STREAM TCP", close(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)));
  RES(" AF_INET DGRAM UDP", close(socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)));
  RES(" AF_INET6 STREAM TCP", close(socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)));
  RES(" AF_INET STREAM UDP", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
  RES(" AF_INET DGRAM TCP", socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
  RES(" AF_INET STREAM 99", socket(AF_INET, SOCK_STREAM, 99));
  RES(" AF_INET STREAM -1", socket(AF_INET, SOCK_STREAM, -1));
  RES(" AF_INET SEQPACKET", socket(AF_INET, SOCK_SEQPACKET, 0));
  RES(" AF_INET type 99", socket(AF_INET, 99, 0));
  RES(" AF_INET type 7", socket(AF_INET, 7, 0));
  RES(" AF_INET6 SEQPACKET", socket(AF_INET6, SOCK_SEQPACKET, 0));
  RES(" family 12345", socket(12345, SOCK_STREAM, 0));
  RES(" family -1", socket(-1, SOCK_STREAM, 0));
  RES(" family 45", socket(45, SOCK_STREAM, 0));
  RES(" AF_NETLINK RAW 99", socket(AF_NETLINK, SOCK_RAW, 99));
  RES(" AF_NETLINK STREAM ROUTE", socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE));
  RES(" AF_NETLINK DGRAM ROUTE", close(socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE)));
  RES(" socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, (int[2]){0}));
  RES(" socketpair AF_INET6 DGRAM", socketpair(AF_INET6, SOCK_DGRAM, 0, (int[2]){0}));
  RES(" AF_INET flags 0x100", socket(AF_INET, SOCK_STREAM | 0x100, 0));
}

static void addrs(int fam, int type) {
  int s = socket(fam, type, 0);
  union sa a;
  char big[200];
  const char *f = fam == AF_INET ? "v4" : "v6";
  const char *t = type == SOCK_STREAM ? "tcp" : "udp";
  char n[80];
#define R(x, e) do { snprintf(n, sizeof n, " %s %s %s", f, t, x); RES(n, e); } while (0)

  printf("addresses %s %s:\n", f, t);
  memset(big, 0, sizeof big);
  close(s);
  s = socket(fam, type, 0);
  R("bind len 0", bind(s, (struct sockaddr *)big, 0));
  close(s);
  s = socket(fam, type, 0);
  R("bind len 1", bind(s, (struct sockaddr *)big, 1));
  close(s);
  s = socket(fam, type, 0);
  R("bind len 15", bind(s, &a.sa, mkaddr(&a, "127.0.0.1", 0) - 1));
  close(s);
  s = socket(fam, type, 0);
  R("bind len 23", bind(s, &a.sa, 23));
  close(s);
  s = socket(fam, type, 0);
  R("bind len -1", bind(s, &a.sa, -1));
  close(s);
  s = socket(fam, type, 0);
  R("bind len 129", bind(s, (struct sockaddr *)big, 129));
  close(s);
  s = socket(fam, type, 0);
  R("bind NULL", bind(s, NULL, 16));
  close(s);
  s = socket(fam, type, 0);
  R("bind unmapped", bind(s, (struct sockaddr *)8, 16));
  a.sa.sa_family = AF_UNIX;
  close(s);
  s = socket(fam, type, 0);
  R("bind AF_UNIX sockaddr", bind(s, &a.sa, 28));
  close(s);
  s = socket(fam, type, 0);
  R("bind sockaddr_in6 on v4", bind(s, &a.sa, mkaddr(&a, "::1", 0)));
  close(s);
  s = socket(fam, type, 0);
  R("bind sockaddr_in on v6", bind(s, &a.sa, mkaddr(&a, "127.0.0.1", 0)));
  memset(big, 0, sizeof big);
  big[0] = AF_UNSPEC;
  close(s);
  s = socket(fam, type, 0);
  R("bind AF_UNSPEC any", bind(s, (struct sockaddr *)big, 28));
  close(s);
  s = socket(fam, type, 0);
  mkaddr(&a, "127.0.0.1", 0);
  a.sa.sa_family = AF_UNSPEC;
  close(s);
  s = socket(fam, type, 0);
  R("bind AF_UNSPEC 127.0.0.1", bind(s, &a.sa, 16));
  close(s);
  s = socket(fam, type, 0);
  R("bind 192.0.2.1 (not ours)", bind(s, &a.sa, fam == AF_INET ? mkaddr(&a, "198.51.100.77", 0) : mkaddr(&a, "2001:db8::1", 0)));
  close(s);
  s = socket(fam, type, 0);
  R("bind ::ffff:127.0.0.1", bind(s, &a.sa, mkaddr(&a, "::ffff:127.0.0.1", 0)));
  close(s);
  s = socket(fam, type, 0);
  close(s);
  s = socket(fam, type, 0);
  R("bind 127.0.0.2", bind(s, &a.sa, mkaddr(&a, "127.0.0.2", 0)));
  close(s);
  s = socket(fam, type, 0);
  close(s);
  s = socket(fam, type, 0);
  R("bind 0.0.0.0 len 16 on any", bind(s, &a.sa, mkaddr(&a, "0.0.0.0", 0)));
  close(s);
  if (fam == AF_INET6) {
    int one = 1;
    s = socket(fam, type, 0);
    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    R("v6only bind ::ffff:127.0.0.1", bind(s, &a.sa, mkaddr(&a, "::ffff:127.0.0.1", 0)));
    close(s);
    s = socket(fam, type, 0);
  close(s);
  s = socket(fam, type, 0);
    R("bind sockaddr_in6 len 24", bind(s, &a.sa, 24 + 0 * mkaddr(&a, "::1", 0)));
    close(s);
  }
  s = socket(fam, type, 0);
  R("connect len 0", connect(s, &a.sa, 0));
  R("connect len 1", connect(s, (struct sockaddr *)big, 1));
  R("connect len 129", connect(s, (struct sockaddr *)big, 129));
  R("connect unmapped", connect(s, (struct sockaddr *)8, 16));
  a.sa.sa_family = 99;
  R("connect family 99", connect(s, &a.sa, 28));
  R("connect short", connect(s, &a.sa, mkaddr(&a, fam == AF_INET ? "127.0.0.1" : "::1", 9) - 1));
  close(s);
  s = socket(fam, type, 0);
  R("sendto len 3", sendto(s, "x", 1, 0, &a.sa, 3));
  R("sendto unmapped name", sendto(s, "x", 1, 0, (struct sockaddr *)8, 16));
  R("sendto unmapped buf", sendto(s, (void *)8, 1, 0, &a.sa, mkaddr(&a, fam == AF_INET ? "127.0.0.1" : "::1", 9)));
  socklen_t l = 3;
  R("getsockname short len", getsockname(s, &a.sa, &l));
  printf("  len after %d\n", l);
  l = -1;
  R("getsockname len -1", getsockname(s, &a.sa, &l));
  R("getsockname unmapped len", getsockname(s, &a.sa, (socklen_t *)8));
  l = 16;
  R("getsockname unmapped buf", getsockname(s, (struct sockaddr *)8, &l));
  close(s);
}

static void opts(int fam, int type) {
  int s = socket(fam, type, 0), v = 1;
  socklen_t l;
  char n[80];
  const char *f = fam == AF_INET ? "v4" : "v6";
  const char *t = type == SOCK_STREAM ? "tcp" : "udp";

  printf("options %s %s:\n", f, t);
  R("set level -1", setsockopt(s, -1, 1, &v, sizeof v));
  R("set level 9999", setsockopt(s, 9999, 1, &v, sizeof v));
  R("set SOL_SOCKET 9999", setsockopt(s, SOL_SOCKET, 9999, &v, sizeof v));
  R("set SOL_IP 9999", setsockopt(s, SOL_IP, 9999, &v, sizeof v));
  R("set SOL_IPV6 9999", setsockopt(s, SOL_IPV6, 9999, &v, sizeof v));
  R("set SOL_TCP 9999", setsockopt(s, SOL_TCP, 9999, &v, sizeof v));
  R("set IPPROTO_UDP 9999", setsockopt(s, IPPROTO_UDP, 9999, &v, sizeof v));
  R("set SO_REUSEADDR len 0", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 0));
  R("set SO_REUSEADDR len -1", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, -1));
  R("set SO_REUSEADDR unmapped", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, (void *)8, 4));
  R("set SO_LINGER short", setsockopt(s, SOL_SOCKET, SO_LINGER, &v, 4));
  R("set SO_RCVTIMEO short", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &v, 4));
  R("set IP_TOS len 1", setsockopt(s, SOL_IP, IP_TOS, &v, 1));
  R("set IP_TTL 0", setsockopt(s, SOL_IP, IP_TTL, &(int){0}, 4));
  R("set IP_TTL 256", setsockopt(s, SOL_IP, IP_TTL, &(int){256}, 4));
  R("set IP_TTL -1", setsockopt(s, SOL_IP, IP_TTL, &(int){-1}, 4));
  R("set TCP_NODELAY", setsockopt(s, SOL_TCP, TCP_NODELAY, &v, 4));
  R("set TCP_MAXSEG 1", setsockopt(s, SOL_TCP, TCP_MAXSEG, &v, 4));
  R("set TCP_KEEPIDLE 0", setsockopt(s, SOL_TCP, TCP_KEEPIDLE, &(int){0}, 4));
  R("set IPV6_V6ONLY", setsockopt(s, SOL_IPV6, IPV6_V6ONLY, &v, 4));
  R("set IPV6_UNICAST_HOPS 300", setsockopt(s, SOL_IPV6, IPV6_UNICAST_HOPS, &(int){300}, 4));
  l = sizeof v;
  R("get level 9999", getsockopt(s, 9999, 1, &v, &l));
  R("get SOL_SOCKET 9999", getsockopt(s, SOL_SOCKET, 9999, &v, &l));
  R("get SOL_TCP 9999", getsockopt(s, SOL_TCP, 9999, &v, &l));
  R("get unmapped len", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, (socklen_t *)8));
  R("get unmapped val", getsockopt(s, SOL_SOCKET, SO_TYPE, (void *)8, &l));
  l = -1;
  R("get len -1", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
  l = 2;
  v = 0;
  R("get SO_TYPE len 2", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
  printf("  len %d value %d\n", l, v);
  l = 0;
  R("get IP_TOS len 0", getsockopt(s, SOL_IP, IP_TOS, &v, &l));
  printf("  len %d\n", l);
  l = 1;
  v = 0;
  R("get IP_TTL len 1", getsockopt(s, SOL_IP, IP_TTL, &v, &l));
  printf("  len %d value %d\n", l, v);
  l = sizeof v;
  R("get IP_MTU unconnected", getsockopt(s, SOL_IP, IP_MTU, &v, &l));
  l = sizeof v;
  R("get TCP_NODELAY", getsockopt(s, SOL_TCP, TCP_NODELAY, &v, &l));
  l = 100;
  char bigbuf[100];
  R("get SO_TYPE len 100", getsockopt(s, SOL_SOCKET, SO_TYPE, bigbuf, &l));
  printf("  len %d\n", l);
  R("ioctl bad", ioctl(s, 0x12345678, &v));
  R("ioctl FIONREAD unmapped", ioctl(s, FIONREAD, (void *)8));
  R("listen -1 backlog", type == SOCK_STREAM ? listen(s, -1) : -2);
  close(s);
#undef R
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  sockets();
  addrs(AF_INET, SOCK_STREAM);
  addrs(AF_INET, SOCK_DGRAM);
  addrs(AF_INET6, SOCK_STREAM);
  addrs(AF_INET6, SOCK_DGRAM);
  opts(AF_INET, SOCK_STREAM);
  opts(AF_INET, SOCK_DGRAM);
  opts(AF_INET6, SOCK_STREAM);
  opts(AF_INET6, SOCK_DGRAM);
  return t_done();
}
