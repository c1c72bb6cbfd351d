/* procnet.c - /proc/net in Linux's formats: the header of each file, and
 * the lines of this program's own sockets (found by inode) in tcp, tcp6,
 * udp, udp6 and unix: addresses, state, queues, uid.  Ports are
 * ephemeral, so only whether they match is printed.  Plus the loopback
 * lines of dev and if_inet6, /proc/net as a link to self/net, and the
 * net sysctls programs read.                                            */
#include "net.h"
#include <sys/stat.h>
#include <sys/un.h>

static unsigned long ino(int fd) {
  struct stat st;
  fstat(fd, &st);
  return st.st_ino;
}

/* prints the header (trailing blanks shown as their count) and the line
 * of inode ino, fields split: sl is dropped, ports compared with port */
static void show(const char *file, unsigned long want, int port, int rport) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/net/%s", file);
  FILE *f = fopen(path, "r");
  if (!f) { printf("%s: %s\n", file, en(errno)); return; }
  int first = 1, found = 0;
  while (fgets(line, sizeof line, f)) {
    if (first) {
      size_t n = strlen(line), sp = 0;
      while (n > 1 && line[n - 2] == ' ') { n--; sp++; }
      line[n - 1] = 0;
      printf("%s header [%s] +%zu blanks\n", file, line, sp);
      first = 0;
      continue;
    }
    char la[64], ra[64], rest[256];
    unsigned st, txq, rxq, tr, uid;
    unsigned long when, retr, inode;
    int lp, rp, timeout;
    if (sscanf(line, " %*d: %63[0-9A-F]:%X %63[0-9A-F]:%X %X %X:%X %X:%lX %lX %u %d %lu %255[^\n]", la, &lp, ra, &rp, &st, &txq,
               &rxq, &tr, &when, &retr, &uid, &timeout, &inode, rest) < 13)
      continue;
    if (inode != want) continue;
    found++;
    /* UDP's rx_queue is the receive buffer's charge (truesize), not the payload */
    int udp = file[0] == 'u', v4 = !strchr(file, '6');
    printf("%s: %s port %s, %s port %s, st %02X tx %u rx %u tr %u uid %u timeout %d", file, la,
           lp == port ? "ok" : "wrong", ra, rp == rport ? "ok" : "wrong", st, txq, udp ? rxq > 0 : rxq, tr, uid, timeout);
    if (v4) printf(", length %zu", strlen(line));
    printf("\n");
  }
  printf("%s: %d lines for inode\n", file, found);
  fclose(f);
}

static void inet(int fam, int type, const char *file) {
  union sa a, c;
  socklen_t l;
  int s = socket(fam, type, 0), cl, x;
  l = mkaddr(&a, fam == AF_INET ? "127.0.0.1" : "::1", 0);
  bind(s, &a.sa, l);
  l = sizeof a;
  getsockname(s, &a.sa, &l);
  if (type == SOCK_STREAM) {
    listen(s, 5);
    show(file, ino(s), port_of(&a), 0);
    cl = socket(fam, type, 0);
    connect(cl, &a.sa, l);
    usleep(10000);
    show(file, ino(s), port_of(&a), 0);
    x = accept(s, NULL, NULL);
    l = sizeof c;
    getsockname(cl, &c.sa, &l);
    write(cl, "abc", 3);
    usleep(10000);
    show(file, ino(x), port_of(&a), port_of(&c));
    shutdown(x, SHUT_WR);
    usleep(10000);
    show(file, ino(cl), port_of(&c), port_of(&a));
    close(x);
    close(cl);
  } else {
    cl = socket(fam, type, 0);
    sendto(cl, "abcd", 4, 0, &a.sa, l);
    usleep(10000);
    show(file, ino(s), port_of(&a), 0);
    connect(cl, &a.sa, l);
    l = sizeof c;
    getsockname(cl, &c.sa, &l);
    show(file, ino(cl), port_of(&c), port_of(&a));
    close(cl);
  }
  close(s);
}

static void unixsock(void) {
  char line[512], want[64];
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  int s = socket(AF_UNIX, SOCK_STREAM, 0), sv[2];
  strcpy(a.sun_path + 1, "umk-procnet-test");
  bind(s, (struct sockaddr *)&a, sizeof(sa_family_t) + 1 + strlen(a.sun_path + 1));
  listen(s, 1);
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  FILE *f = fopen("/proc/net/unix", "r");
  if (!f) { printf("unix: %s\n", en(errno)); return; }
  fgets(line, sizeof line, f);
  printf("unix header [%s", line);
  unsigned long ids[3] = {ino(s), ino(sv[0]), ino(sv[1])};
  char found[3][300] = {"", "", ""};   /* in socket order: the file's order is the hash's */
  while (fgets(line, sizeof line, f)) {
    unsigned rc, proto, flags, type, st;
    unsigned long inode;
    char path[128] = "";
    if (sscanf(line, "%*[0-9a-f]: %X %X %X %X %X %lu %127s", &rc, &proto, &flags, &type, &st, &inode, path) < 6) continue;
    for (int i = 0; i < 3; i++)
      if (inode == ids[i]) {
        snprintf(want, sizeof want, "%d", i);
        snprintf(found[i], sizeof found[i], "unix socket %s: protocol %X flags %X type %X st %X path [%s]", want, proto,
                 flags, type, st, path);
      }
  }
  fclose(f);
  for (int i = 0; i < 3; i++) printf("%s\n", found[i][0] ? found[i] : "unix socket missing");
  close(s);
  close(sv[0]);
  close(sv[1]);
}

static void others(void) {
  char line[512], link[64];
  ssize_t n = readlink("/proc/net", link, sizeof link - 1);
  printf("/proc/net -> %s\n", n > 0 ? (link[n] = 0, link) : en(errno));
  FILE *f = fopen("/proc/net/dev", "r");
  if (f) {
    fgets(line, sizeof line, f);
    printf("dev [%s", line);
    fgets(line, sizeof line, f);
    printf("dev [%s", line);
    while (fgets(line, sizeof line, f))
      if (!strncmp(line, "    lo:", 7)) printf("dev has lo\n");
    fclose(f);
  }
  f = fopen("/proc/net/if_inet6", "r");
  if (f) {
    while (fgets(line, sizeof line, f))
      if (strstr(line, " lo\n")) printf("if_inet6 [%s", line);
    fclose(f);
  }
  f = fopen("/proc/net/route", "r");
  if (f) {
    fgets(line, sizeof line, f);
    printf("route header [%s", line);
    fclose(f);
  }
  /* sysctls programs read (values are the host's configuration natively) */
  int somax = 0, lo = 0, hi = 0;
  f = fopen("/proc/sys/net/core/somaxconn", "r");
  printf("somaxconn readable: %d\n", f && fscanf(f, "%d", &somax) == 1 && somax > 0);
  if (f) fclose(f);
  f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
  printf("ip_local_port_range readable: %d\n", f && fscanf(f, "%d %d", &lo, &hi) == 2 && lo > 0 && lo < hi);
  if (f) fclose(f);
}

int main(void) {
  inet(AF_INET, SOCK_STREAM, "tcp");
  inet(AF_INET6, SOCK_STREAM, "tcp6");
  inet(AF_INET, SOCK_DGRAM, "udp");
  inet(AF_INET6, SOCK_DGRAM, "udp6");
  unixsock();
  others();
  return t_done();
}
