/* nettool.c - a small loopback client and server for the host<->guest
 * and isolation checks of tests/run-net-tests.sh; the same static binary
 * runs on the host and in guests.  Only ever given loopback addresses
 * (127.0.0.1, ::1) or, in a private-mode guest, 10.0.2.2 (umk's name for
 * the host's 127.0.0.1).  Each command prints one
 * deterministic line per step and exits non-zero on failure:
 *   listen ADDR PORT          one TCP connection: reads a line, answers "echo:LINE"
 *   connect ADDR PORT MSG     sends MSG, prints the answer
 *   udplisten ADDR PORT       one datagram: answers "echo:DATA" to its sender
 *   udpsend ADDR PORT MSG     sends MSG, prints the answer and who sent it
 *   bind ADDR PORT            can this process bind ADDR:PORT (TCP)?
 *   ubind ADDR PORT           and for UDP?
 *   selftest PORT NAME SECS   listens on 127.0.0.1:PORT, waits, talks to itself
 * listen and udplisten print "port N" once ready (N: the bound port). */
#include "net.h"

static int die(const char *what) {
  printf("%s: %s\n", what, en(errno));
  return 1;
}

static socklen_t addr(union sa *a, const char *host, const char *port) { return mkaddr(a, host, atoi(port)); }

static int bound(int type, const char *host, const char *port) {
  union sa a;
  socklen_t l = addr(&a, host, port);
  int one = 1, s = socket(a.sa.sa_family, type, 0);
  if (s < 0) return -1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(s, &a.sa, l)) return -1;
  l = sizeof a;
  getsockname(s, &a.sa, &l);
  printf("port %d\n", port_of(&a));
  return s;
}

static int readline(int fd, char *buf, int max) {
  int n = 0;
  while (n < max - 1 && read(fd, buf + n, 1) == 1 && buf[n] != '\n') n++;
  buf[n] = 0;
  return n;
}

int main(int argc, char **argv) {
  char buf[512];
  union sa a, from;
  socklen_t fl = sizeof from;
  struct timeval tv = {20, 0};   /* generous: a loaded machine can stall a guest for seconds */
  int s, c;

  if (argc < 4) {
    fprintf(stderr, "usage: nettool listen|connect|udplisten|udpsend|bind|selftest ARGS\n");
    return 2;
  }
  if (!strcmp(argv[1], "listen")) {
    if ((s = bound(SOCK_STREAM, argv[2], argv[3])) < 0 || listen(s, 5)) return die("listen");
    if ((c = accept(s, &from.sa, &fl)) < 0) return die("accept");
    readline(c, buf, sizeof buf);
    printf("got %s from %s\n", buf, ntop(&from));
    dprintf(c, "echo:%s\n", buf);
    close(c);
    return 0;
  }
  if (!strcmp(argv[1], "connect") && argc > 4) {
    socklen_t l = addr(&a, argv[2], argv[3]);
    s = socket(a.sa.sa_family, SOCK_STREAM, 0);
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(s, &a.sa, l)) return die("connect");
    dprintf(s, "%s\n", argv[4]);
    if (!readline(s, buf, sizeof buf)) return die("reply");
    printf("reply %s\n", buf);
    return 0;
  }
  if (!strcmp(argv[1], "udplisten")) {
    if ((s = bound(SOCK_DGRAM, argv[2], argv[3])) < 0) return die("udplisten");
    ssize_t n = recvfrom(s, buf, sizeof buf - 1, 0, &from.sa, &fl);
    if (n < 0) return die("recvfrom");
    buf[n] = 0;
    printf("got %s from %s\n", buf, ntop(&from));
    char out[600];
    int m = snprintf(out, sizeof out, "echo:%s", buf);
    if (sendto(s, out, m, 0, &from.sa, fl) != m) return die("sendto");
    return 0;
  }
  if (!strcmp(argv[1], "udpsend") && argc > 4) {
    socklen_t l = addr(&a, argv[2], argv[3]);
    s = socket(a.sa.sa_family, SOCK_DGRAM, 0);
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (sendto(s, argv[4], strlen(argv[4]), 0, &a.sa, l) < 0) return die("sendto");
    ssize_t n = recvfrom(s, buf, sizeof buf - 1, 0, &from.sa, &fl);
    if (n < 0) return die("recvfrom");
    buf[n] = 0;
    printf("reply %s from %s, the port sent to: %d\n", buf, ntop(&from), port_of(&from) == atoi(argv[3]));
    return 0;
  }
  if (!strcmp(argv[1], "bind") || !strcmp(argv[1], "ubind")) {
    socklen_t l = addr(&a, argv[2], argv[3]);
    s = socket(a.sa.sa_family, argv[1][0] == 'u' ? SOCK_DGRAM : SOCK_STREAM, 0);
    if (bind(s, &a.sa, l)) return die("bind");
    printf("bind ok\n");
    return 0;
  }
  if (!strcmp(argv[1], "selftest") && argc > 4) {
    socklen_t l = mkaddr(&a, "127.0.0.1", atoi(argv[2]));
    s = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(s, &a.sa, l) || listen(s, 5)) return die("selftest bind");
    printf("bound\n");
    fflush(stdout);
    sleep(atoi(argv[4]));
    c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, &a.sa, l)) return die("selftest connect");
    dprintf(c, "%s\n", argv[3]);
    int x = accept(s, NULL, NULL);
    readline(x, buf, sizeof buf);
    printf("got %s\n", buf);
    return 0;
  }
  fprintf(stderr, "nettool: bad command\n");
  return 2;
}
