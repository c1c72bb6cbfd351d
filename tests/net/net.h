/* net.h - helpers shared by the network test programs in tests/net:
 * loopback addresses of either family, readable poll masks.  Built on
 * tests/guest/t.h (deterministic "ok NAME" lines, a non-zero exit if any
 * check failed).  Every address used is a loopback one; ports are
 * ephemeral (bind to port 0) and never printed.                        */
#include "../guest/t.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>

union sa {
  struct sockaddr sa;
  struct sockaddr_in in;
  struct sockaddr_in6 in6;
  struct sockaddr_storage ss;
};

/* addr TEXT (an IPv4 or IPv6 literal) and PORT into *a; the length */
static inline socklen_t mkaddr(union sa *a, const char *text, int port) {
  memset(a, 0, sizeof *a);
  if (strchr(text, ':')) {
    a->in6.sin6_family = AF_INET6;
    a->in6.sin6_port = htons(port);
    inet_pton(AF_INET6, text, &a->in6.sin6_addr);
    return sizeof a->in6;
  }
  a->in.sin_family = AF_INET;
  a->in.sin_port = htons(port);
  inet_pton(AF_INET, text, &a->in.sin_addr);
  return sizeof a->in;
}

static inline int port_of(const union sa *a) {
  return ntohs(a->sa.sa_family == AF_INET6 ? a->in6.sin6_port : a->in.sin_port);
}

/* "127.0.0.1" or "::ffff:127.0.0.1" (no port: ports are ephemeral) */
static inline const char *ntop(const union sa *a) {
  static char bufs[4][64];
  static int k;
  char *b = bufs[k++ % 4];
  if (a->sa.sa_family == AF_INET6)
    inet_ntop(AF_INET6, &a->in6.sin6_addr, b, 64);
  else if (a->sa.sa_family == AF_INET)
    inet_ntop(AF_INET, &a->in.sin_addr, b, 64);
  else
    snprintf(b, 64, "family %d", a->sa.sa_family);
  return b;
}

static inline const char *pev(short e) {
  static char bufs[4][80];
  static int k;
  char *b = bufs[k++ % 4];
  b[0] = 0;
  if (e & POLLIN) strcat(b, "IN|");
  if (e & POLLPRI) strcat(b, "PRI|");
  if (e & POLLOUT) strcat(b, "OUT|");
  if (e & POLLHUP) strcat(b, "HUP|");
  if (e & POLLERR) strcat(b, "ERR|");
  if (e & POLLRDHUP) strcat(b, "RDHUP|");
  if (!b[0]) return "0";
  b[strlen(b) - 1] = 0;
  return b;
}

/* the poll mask of fd after waiting up to ms for any of IN|OUT|RDHUP */
static inline short pollwait(int fd, int ms) {
  struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP, 0};
  poll(&p, 1, ms);
  return p.revents;
}

static inline int sockerr(int fd) {
  int v = -1;
  socklen_t l = sizeof v;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &l);
  return v;
}

static inline int getint(int fd, int level, int name) {
  int v = -12345;
  socklen_t l = sizeof v;
  if (getsockopt(fd, level, name, &v, &l)) return -errno * 1000;
  return v;
}
