/* sockopts.c - options, ioctls and corking that LTP's socket tests use:
 * MSG_MORE and UDP_CORK build one datagram (nothing is readable until
 * the last piece; its size is bounded by the largest datagram), MSG_MORE
 * on TCP holds bytes back until the next send or the FIN; SCM_RIGHTS
 * on TCP and UDP is ignored (it is AF_UNIX's); multicast
 * groups joined (IP_ADD_MEMBERSHIP, MCAST_JOIN_GROUP) are the socket's
 * own (an accepted socket has none: EADDRNOTAVAIL leaving, EADDRINUSE
 * joining twice); IPV6_RTHDR takes a valid segment routing header and
 * reads it back, refuses type 0 and bad lengths; SIOCSIF* with an
 * unreadable ifreq is EFAULT (before any permission check); in a network
 * namespace of its own making, root sets lo's MTU and flags and its
 * /proc/sys/net/ipv4/conf/lo/tag (a further namespace starts from the
 * default); connecting to an AF_UNIX socket file without write
 * permission is EACCES.  Runs as root; changes nothing outside its own
 * network namespace and a scratch directory.  Loopback only.  */
#include "net.h"
#include <net/if.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/un.h>

static int udp_pair(int *s, int *c) {
  union sa a;
  socklen_t l = mkaddr(&a, "127.0.0.1", 0);
  *s = socket(AF_INET, SOCK_DGRAM, 0);
  *c = socket(AF_INET, SOCK_DGRAM, 0);
  if (bind(*s, &a.sa, l) || getsockname(*s, &a.sa, &l))
    return -1;
  return connect(*c, &a.sa, l);
}

static void udp_cork(void) {
  int s, c, one = 1, zero = 0;
  char buf[70000];
  OK("udp pair", udp_pair(&s, &c) == 0);
  OK("udp MSG_MORE send", send(c, "0123456789abcdef", 16, MSG_MORE) == 16);
  ERR("udp nothing yet", recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
  OK("udp last piece", send(c, "!", 1, 0) == 1);
  OK("udp one datagram of both", recv(s, buf, sizeof buf, MSG_DONTWAIT) == 17 &&
     !memcmp(buf, "0123456789abcdef!", 17));
  ERR("udp no second datagram", recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

  OK("UDP_CORK on", setsockopt(c, IPPROTO_UDP, 1, &one, sizeof one) == 0);
  OK("corked send 1", send(c, "ab", 2, 0) == 2);
  OK("corked send 2", send(c, "cd", 2, 0) == 2);
  ERR("corked: nothing yet", recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
  OK("UDP_CORK off", setsockopt(c, IPPROTO_UDP, 1, &zero, sizeof zero) == 0);
  OK("uncorked: one datagram", recv(s, buf, sizeof buf, MSG_DONTWAIT) == 4 && !memcmp(buf, "abcd", 4));

  memset(buf, 'x', sizeof buf);
  OK("MSG_MORE 40000", send(c, buf, 40000, MSG_MORE) == 40000);
  ERR("past the largest datagram", send(c, buf, 30000, MSG_MORE), EMSGSIZE);
  OK("then a fresh datagram", send(c, "z", 1, 0) == 1);
  OK("only the fresh one arrives", recv(s, buf, sizeof buf, MSG_DONTWAIT) == 1 && buf[0] == 'z');
  ERR("nothing else", recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

  /* a corked socket closed sends nothing */
  OK("MSG_MORE then close", send(c, "lost", 4, MSG_MORE) == 4);
  close(c);
  ERR("closed corked: nothing", recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
  close(s);
}

static int tcp_pair(int *l, int *c, int *a) {
  union sa sa;
  socklen_t len = mkaddr(&sa, "127.0.0.1", 0);
  *l = socket(AF_INET, SOCK_STREAM, 0);
  *c = socket(AF_INET, SOCK_STREAM, 0);
  if (bind(*l, &sa.sa, len) || getsockname(*l, &sa.sa, &len) || listen(*l, 4) ||
      connect(*c, &sa.sa, len))
    return -1;
  *a = accept(*l, NULL, NULL);
  return *a < 0 ? -1 : 0;
}

/* reads what is there after a short wait for it (the loopback is immediate on Linux too) */
static ssize_t recv_wait(int fd, char *buf, size_t n) {
  struct pollfd p = { fd, POLLIN, 0 };
  poll(&p, 1, 2000);
  return recv(fd, buf, n, MSG_DONTWAIT);
}

static void tcp_more(void) {
  int l, c, a;
  char buf[256];
  OK("tcp pair", tcp_pair(&l, &c, &a) == 0);
  OK("tcp MSG_MORE send", send(c, "0123456789abcdef", 16, MSG_MORE) == 16);
  ERR("tcp held back", recv(a, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
  OK("tcp MSG_MORE again", send(c, "ghij", 4, MSG_MORE) == 4);
  ERR("tcp still held", recv(a, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
  OK("tcp send without MSG_MORE", send(c, "!", 1, 0) == 1);
  OK("tcp all in order", recv_wait(a, buf, sizeof buf) == 21 && !memcmp(buf, "0123456789abcdefghij!", 21));
  OK("tcp MSG_MORE before shutdown", send(c, "tail", 4, MSG_MORE) == 4);
  OK("shutdown(SHUT_WR)", shutdown(c, SHUT_WR) == 0);
  OK("the held bytes come before EOF", recv_wait(a, buf, sizeof buf) == 4 && !memcmp(buf, "tail", 4));
  OK("then EOF", recv(a, buf, sizeof buf, 0) == 0);
  OK("MSG_MORE the other way, then close", send(a, "bye", 3, MSG_MORE) == 3);
  close(a);
  OK("the held bytes come before the close's EOF", recv_wait(c, buf, sizeof buf) == 3 && !memcmp(buf, "bye", 3));
  OK("then EOF too", recv(c, buf, sizeof buf, 0) == 0);
  close(c);
  close(l);
}

/* SCM_RIGHTS and SCM_CREDENTIALS are AF_UNIX's: TCP and UDP ignore them */
static void scm_ignored(void) {
  int l, c, a, s, u;
  char cb[CMSG_SPACE(sizeof(int))], buf[16], rb[64];
  struct iovec iov = { "fd", 2 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb };
  struct msghdr rh;
  struct iovec riov = { buf, sizeof buf };
  struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
  int fd = 0;

  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  OK("tcp pair for SCM_RIGHTS", tcp_pair(&l, &c, &a) == 0);
  OK("SCM_RIGHTS on TCP is ignored", sendmsg(a, &mh, 0) == 2);
  memset(&rh, 0, sizeof rh);
  rh.msg_iov = &riov;
  rh.msg_iovlen = 1;
  rh.msg_control = rb;
  rh.msg_controllen = sizeof rb;
  OK("the data comes, no control message", recvmsg(c, &rh, 0) == 2 && rh.msg_controllen == 0);
  close(a);
  close(c);
  close(l);
  OK("udp pair for SCM_RIGHTS", udp_pair(&s, &u) == 0);
  OK("SCM_RIGHTS on UDP is ignored", sendmsg(u, &mh, 0) == 2);
  rh.msg_controllen = sizeof rb;
  OK("the datagram comes, no control message", recvmsg(s, &rh, 0) == 2 && rh.msg_controllen == 0);
  close(s);
  close(u);
}

static void multicast(void) {
  int l, c, a, s;
  struct group_req gr;
  struct ip_mreqn mr;
  struct sockaddr_in *g = (struct sockaddr_in *)&gr.gr_group;

  memset(&gr, 0, sizeof gr);
  gr.gr_interface = 1;                     /* lo */
  g->sin_family = AF_INET;
  inet_pton(AF_INET, "224.0.0.1", &g->sin_addr);
  l = socket(AF_INET, SOCK_STREAM, 0);
  OK("MCAST_JOIN_GROUP", setsockopt(l, SOL_IP, MCAST_JOIN_GROUP, &gr, sizeof gr) == 0);
  ERR("joined twice", setsockopt(l, SOL_IP, MCAST_JOIN_GROUP, &gr, sizeof gr), EADDRINUSE);
  ERR("group_req too short", setsockopt(l, SOL_IP, MCAST_JOIN_GROUP, &gr, sizeof gr - 1), EINVAL);
  OK("MCAST_LEAVE_GROUP", setsockopt(l, SOL_IP, MCAST_LEAVE_GROUP, &gr, sizeof gr) == 0);
  ERR("left twice", setsockopt(l, SOL_IP, MCAST_LEAVE_GROUP, &gr, sizeof gr), EADDRNOTAVAIL);
  OK("join again before listening", setsockopt(l, SOL_IP, MCAST_JOIN_GROUP, &gr, sizeof gr) == 0);
  close(l);
  OK("tcp pair for accept", tcp_pair(&l, &c, &a) == 0);
  OK("listener joins", setsockopt(l, SOL_IP, MCAST_JOIN_GROUP, &gr, sizeof gr) == 0);
  close(a);
  close(c);
  {
    union sa sa;
    socklen_t len = sizeof sa;
    getsockname(l, &sa.sa, &len);
    c = socket(AF_INET, SOCK_STREAM, 0);
    OK("connect again", connect(c, &sa.sa, len) == 0);
    a = accept(l, NULL, NULL);
  }
  ERR("an accepted socket has no groups", setsockopt(a, SOL_IP, MCAST_LEAVE_GROUP, &gr, sizeof gr),
      EADDRNOTAVAIL);
  OK("the listener keeps its own", setsockopt(l, SOL_IP, MCAST_LEAVE_GROUP, &gr, sizeof gr) == 0);
  close(a);
  close(c);
  close(l);

  s = socket(AF_INET, SOCK_DGRAM, 0);
  memset(&mr, 0, sizeof mr);
  mr.imr_ifindex = 1;
  inet_pton(AF_INET, "127.0.0.1", &mr.imr_multiaddr);
  ERR("IP_ADD_MEMBERSHIP of a unicast address", setsockopt(s, SOL_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr), EINVAL);
  inet_pton(AF_INET, "239.1.2.3", &mr.imr_multiaddr);
  OK("IP_ADD_MEMBERSHIP", setsockopt(s, SOL_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) == 0);
  ERR("IP_ADD_MEMBERSHIP twice", setsockopt(s, SOL_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr), EADDRINUSE);
  OK("IP_DROP_MEMBERSHIP", setsockopt(s, SOL_IP, IP_DROP_MEMBERSHIP, &mr, sizeof mr) == 0);
  ERR("IP_DROP_MEMBERSHIP twice", setsockopt(s, SOL_IP, IP_DROP_MEMBERSHIP, &mr, sizeof mr), EADDRNOTAVAIL);
  close(s);
}

static void rthdr(void) {
  unsigned char h[640], back[700];
  int s = socket(AF_INET6, SOCK_DGRAM, 0), segs = (640 - 8) / 16, i;
  socklen_t bl = sizeof back;

  memset(h, 0, sizeof h);
  h[1] = (640 - 8) / 8;                   /* hdrlen */
  h[2] = 4;                               /* segment routing */
  h[3] = h[4] = segs - 1;                 /* segments left, last entry */
  for (i = 0; i < segs; i++)
    h[8 + 16 * i + 15] = 1;               /* ::1 */
  h[9 + 16 * segs] = 640 - 8 - 16 * segs - 2;   /* a PadN TLV for the rest */
  OK("IPV6_RTHDR type 4", setsockopt(s, IPPROTO_IPV6, IPV6_RTHDR, h, sizeof h) == 0);
  OK("read back", getsockopt(s, IPPROTO_IPV6, IPV6_RTHDR, back, &bl) == 0 && bl == 640 &&
     !memcmp(back, h, 640));
  bl = 16;
  OK("read back, truncated", getsockopt(s, IPPROTO_IPV6, IPV6_RTHDR, back, &bl) == 0 && bl == 16);
  ERR("not a multiple of 8", setsockopt(s, IPPROTO_IPV6, IPV6_RTHDR, h, 636), EINVAL);
  ERR("shorter than its hdrlen", setsockopt(s, IPPROTO_IPV6, IPV6_RTHDR, h, 632), EINVAL);
  h[3] = segs;                            /* segments left past the last entry */
  ERR("segments_left > first_segment", setsockopt(s, IPPROTO_IPV6, IPV6_RTHDR, h, sizeof h), EINVAL);
  h[3] = segs - 1;
  h[2] = 0;
  ERR("type 0", setsockopt(s, IPPROTO_IPV6, IPV6_RTHDR, h, sizeof h), EINVAL);
  ERR("unreadable", setsockopt(s, IPPROTO_IPV6, IPV6_RTHDR, (void *)8, 64), EFAULT);
  OK("length 0 removes it", setsockopt(s, IPPROTO_IPV6, IPV6_RTHDR, NULL, 0) == 0);
  bl = sizeof back;
  OK("none left", getsockopt(s, IPPROTO_IPV6, IPV6_RTHDR, back, &bl) == 0 && bl == 0);
  memset(h, 0, 8);
  h[2] = 1;                               /* PadN of 4 */
  h[3] = 4;
  OK("IPV6_HOPOPTS as root", setsockopt(s, IPPROTO_IPV6, IPV6_HOPOPTS, h, 8) == 0);
  bl = sizeof back;
  OK("hop-by-hop read back", getsockopt(s, IPPROTO_IPV6, IPV6_HOPOPTS, back, &bl) == 0 && bl == 8);
  close(s);
}

static int rw_file(const char *path, const char *val) {
  char buf[64];
  FILE *f = fopen(path, val ? "w" : "r");
  int v = -1;
  if (!f)
    return -1000;
  if (val)
    v = fputs(val, f) >= 0 ? 0 : -1;
  else if (fgets(buf, sizeof buf, f))
    v = atoi(buf);
  return fclose(f) == 0 ? v : -1000;
}

static int child_tag(void *arg) {
  (void)arg;
  return rw_file("/proc/sys/net/ipv4/conf/lo/tag", NULL) == rw_file("/proc/sys/net/ipv4/conf/default/tag", NULL) ? 0 : 1;
}

static void ifreq_ioctls(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0), st;
  struct ifreq ifr;
  static char stack[65536];
  pid_t p;

  ERR("SIOCSIFFLAGS unreadable ifreq", ioctl(s, SIOCSIFFLAGS, (void *)8), EFAULT);
  ERR("SIOCSIFMTU unreadable ifreq", ioctl(s, SIOCSIFMTU, (void *)8), EFAULT);
  close(s);
  /* the rest in a namespace of our own: nothing outside changes */
  if (unshare(CLONE_NEWNET)) {
    OK("unshare(CLONE_NEWNET)", 0);
    return;
  }
  s = socket(AF_INET, SOCK_DGRAM, 0);
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  ifr.ifr_mtu = 1500;
  OK("SIOCSIFMTU lo", ioctl(s, SIOCSIFMTU, &ifr) == 0);
  ifr.ifr_mtu = 0;
  OK("SIOCGIFMTU reads it", ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu == 1500);
  ifr.ifr_mtu = -1;
  ERR("negative MTU", ioctl(s, SIOCSIFMTU, &ifr), EINVAL);
  ifr.ifr_flags = IFF_UP;
  OK("SIOCSIFFLAGS IFF_UP", ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
  OK("SIOCGIFFLAGS: up, running, loopback", ioctl(s, SIOCGIFFLAGS, &ifr) == 0 &&
     (ifr.ifr_flags & (IFF_UP | IFF_RUNNING | IFF_LOOPBACK)) == (IFF_UP | IFF_RUNNING | IFF_LOOPBACK));
  {
    union sa a;
    socklen_t l = mkaddr(&a, "127.0.0.1", 0);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    OK("lo up: 127.0.0.1 bindable", bind(u, &a.sa, l) == 0);
    close(u);
  }
  ifr.ifr_flags = 0;
  OK("SIOCSIFFLAGS down", ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
  OK("down", ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP));
  strcpy(ifr.ifr_name, "nosuch0");
  ERR("SIOCSIFMTU of no interface", ioctl(s, SIOCSIFMTU, &ifr), ENODEV);
  close(s);

  OK("conf/lo/tag write", rw_file("/proc/sys/net/ipv4/conf/lo/tag", "7") == 0);
  OK("conf/lo/tag read back", rw_file("/proc/sys/net/ipv4/conf/lo/tag", NULL) == 7);
  OK("conf/default/tag unchanged", rw_file("/proc/sys/net/ipv4/conf/default/tag", NULL) != 7);
  p = clone(child_tag, stack + sizeof stack, CLONE_NEWNET | SIGCHLD, NULL);
  OK("a further namespace's lo/tag is the default", p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) &&
     WEXITSTATUS(st) == 0);
}

static void unix_perm(void) {
  char dir[] = "/tmp/sockopts.XXXXXX", path[64];
  struct sockaddr_un un = { .sun_family = AF_UNIX };
  int l, c;

  if (!mkdtemp(dir)) {
    OK("mkdtemp", 0);
    return;
  }
  chmod(dir, 0755);
  snprintf(path, sizeof path, "%s/sock", dir);
  strcpy(un.sun_path, path);
  l = socket(AF_UNIX, SOCK_STREAM, 0);
  OK("unix bind+listen", bind(l, (struct sockaddr *)&un, sizeof un) == 0 && listen(l, 4) == 0);
  OK("chmod 0700", chmod(path, 0700) == 0);
  OK("seteuid(nobody)", seteuid(65534) == 0);
  c = socket(AF_UNIX, SOCK_STREAM, 0);
  ERR("connect without write permission", connect(c, (struct sockaddr *)&un, sizeof un), EACCES);
  close(c);
  c = socket(AF_UNIX, SOCK_DGRAM, 0);
  ERR("sendto without write permission", sendto(c, "x", 1, 0, (struct sockaddr *)&un, sizeof un), EACCES);
  close(c);
  OK("seteuid(0)", seteuid(0) == 0);
  OK("chmod 0722", chmod(path, 0722) == 0);
  OK("seteuid(nobody) again", seteuid(65534) == 0);
  c = socket(AF_UNIX, SOCK_STREAM, 0);
  OK("connect with write permission", connect(c, (struct sockaddr *)&un, sizeof un) == 0);
  close(c);
  OK("seteuid(0) again", seteuid(0) == 0);
  close(l);
  unlink(path);
  rmdir(dir);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  udp_cork();
  tcp_more();
  scm_ignored();
  multicast();
  rthdr();
  unix_perm();
  ifreq_ioctls();          /* last: it leaves the initial network namespace */
  return t_done();
}
