/* netctl.c - a --net=host guest must not change the host's network or
 * reach past umk's vetting of host socket options: netlink RTM_NEW...
 * and RTM_DEL... (address, link, route), the SIOCS... interface ioctls and
 * SIOCADDRT, raw and packet sockets, netlink families other than
 * NETLINK_ROUTE and NETLINK_SOCK_DIAG's listing (SOCK_DESTROY of a host
 * socket), and the socket options that act on the host (SO_MARK,
 * IP_TRANSPARENT, socket filters whose program is a pointer, TCP_REPAIR,
 * TCP_ULP, TCP_ZEROCOPY_RECEIVE), and the host's iptables (the IPT_SO_*,
 * IP6T_SO_*, ARPT_SO_* options: ENOPROTOOPT, never the host's answer).  run-escape-tests.sh runs it in a
 * network namespace of its own and checks that namespace's interfaces,
 * addresses and routes are unchanged.  Natively (as root) most of these
 * work: that is what "ESCAPED" then shows. */
#include "esc.h"
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>

/* sends one netlink request with NLM_F_ACK; the error of its answer */
static int nl_request(void *req, int len) {
  int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  char buf[8192];
  if (s < 0) return -errno;
  if (send(s, req, len, 0) < 0) return -errno;
  int n = recv(s, buf, sizeof buf, 0);
  close(s);
  struct nlmsghdr *h = (void *)buf;
  if (n < (int)sizeof *h || h->nlmsg_type != NLMSG_ERROR) return -EPROTO;
  return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
}

static void attr(struct nlmsghdr *h, int type, const void *data, int len) {
  struct rtattr *a = (void *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
  a->rta_type = type;
  a->rta_len = RTA_LENGTH(len);
  memcpy(RTA_DATA(a), data, len);
  h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static void netlink(void) {
  struct { struct nlmsghdr h; struct ifaddrmsg a; char buf[256]; } ra = {
      {NLMSG_LENGTH(sizeof(struct ifaddrmsg)), RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 1, 0},
      {AF_INET, 32, 0, RT_SCOPE_HOST, 1}};
  uint32_t a = inet_addr("127.99.99.1");
  attr(&ra.h, IFA_LOCAL, &a, 4);
  attr(&ra.h, IFA_ADDRESS, &a, 4);
  int r = nl_request(&ra, ra.h.nlmsg_len);
  verdict(r == 0, "netlink RTM_NEWADDR 127.99.99.1/32 on lo (%s)", r ? strerror(-r) : "added");
  ra.h.nlmsg_type = RTM_DELADDR;
  ra.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  ra.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
  ra.a.ifa_prefixlen = 8;
  a = inet_addr("127.0.0.1");
  attr(&ra.h, IFA_LOCAL, &a, 4);
  r = nl_request(&ra, ra.h.nlmsg_len);
  verdict(r == 0, "netlink RTM_DELADDR 127.0.0.1/8 from lo (%s)", r ? strerror(-r) : "deleted");

  struct { struct nlmsghdr h; struct ifinfomsg i; } rl = {
      {NLMSG_LENGTH(sizeof(struct ifinfomsg)), RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 2, 0},
      {AF_UNSPEC, 0, 0, 1, 0, IFF_UP}};
  r = nl_request(&rl, rl.h.nlmsg_len);
  verdict(r == 0, "netlink RTM_NEWLINK lo down (%s)", r ? strerror(-r) : "done");

  struct { struct nlmsghdr h; struct rtmsg m; char buf[256]; } rr = {
      {NLMSG_LENGTH(sizeof(struct rtmsg)), RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, 3, 0},
      {AF_INET, 16, 0, 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_LINK, RTN_UNICAST, 0}};
  uint32_t dst = inet_addr("127.98.0.0"), oif = 1;
  attr(&rr.h, RTA_DST, &dst, 4);
  attr(&rr.h, RTA_OIF, &oif, 4);
  r = nl_request(&rr, rr.h.nlmsg_len);
  verdict(r == 0, "netlink RTM_NEWROUTE 127.98.0.0/16 dev lo (%s)", r ? strerror(-r) : "added");
}

static void ioctls(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct ifreq r;
  memset(&r, 0, sizeof r);
  strcpy(r.ifr_name, "lo");
  int x = ioctl(s, SIOCSIFFLAGS, &r);
  verdict(x == 0, "SIOCSIFFLAGS lo down (%s)", x ? strerror(errno) : "done");
  struct sockaddr_in *sin = (void *)&r.ifr_addr;
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = inet_addr("127.97.0.1");
  x = ioctl(s, SIOCSIFADDR, &r);
  verdict(x == 0, "SIOCSIFADDR lo 127.97.0.1 (%s)", x ? strerror(errno) : "done");
  strcpy(r.ifr_newname, "lo2");
  x = ioctl(s, SIOCSIFNAME, &r);
  verdict(x == 0, "SIOCSIFNAME lo (%s)", x ? strerror(errno) : "renamed");
  struct rtentry rt;
  memset(&rt, 0, sizeof rt);
  ((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
  ((struct sockaddr_in *)&rt.rt_dst)->sin_addr.s_addr = inet_addr("127.96.0.0");
  ((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
  ((struct sockaddr_in *)&rt.rt_genmask)->sin_addr.s_addr = inet_addr("255.255.0.0");
  rt.rt_flags = RTF_UP;
  rt.rt_dev = "lo";
  x = ioctl(s, SIOCADDRT, &rt);
  verdict(x == 0, "SIOCADDRT 127.96.0.0/16 (%s)", x ? strerror(errno) : "added");
  close(s);
}

static void sockets(void) {
  int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  verdict(s >= 0, "AF_INET SOCK_RAW (%s)", s < 0 ? strerror(errno) : "opened");
  s = socket(AF_PACKET, SOCK_RAW, 0);
  verdict(s >= 0, "AF_PACKET (%s)", s < 0 ? strerror(errno) : "opened");
  s = socket(AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT);
  verdict(s >= 0, "NETLINK_KOBJECT_UEVENT (%s)", s < 0 ? strerror(errno) : "opened");
  s = socket(AF_NETLINK, SOCK_RAW, 12 /* NETLINK_NETFILTER */);
  verdict(s >= 0, "NETLINK_NETFILTER (%s)", s < 0 ? strerror(errno) : "opened");
}

/* NETLINK_SOCK_DIAG's SOCK_DESTROY (ss -K) of a listening host socket:
 * host mode relays sock_diag's listing requests to the host, never this. */
static void sock_destroy(void) {
  struct sockaddr_in a = {AF_INET, 0, {inet_addr("127.0.0.1")}, {0}};
  socklen_t al = sizeof a;
  int l = socket(AF_INET, SOCK_STREAM, 0), s = socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG);
  struct { struct nlmsghdr h; struct inet_diag_req_v2 r; } m = {
      {sizeof m, SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK, 1, 0},
      {AF_INET, IPPROTO_TCP, 0, 0, ~0U, {0}}};
  char buf[4096];
  int r = -EPROTO;
  if (l < 0 || s < 0 || bind(l, (void *)&a, sizeof a) || listen(l, 1) ||
      getsockname(l, (void *)&a, &al)) {
    verdict(0, "SOCK_DESTROY: set-up failed (%s)", strerror(errno));
    return;
  }
  m.r.id.idiag_sport = a.sin_port;
  m.r.id.idiag_src[0] = a.sin_addr.s_addr;
  m.r.id.idiag_cookie[0] = m.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  if (send(s, &m, sizeof m, 0) == sizeof m) {
    int n = recv(s, buf, sizeof buf, 0);
    struct nlmsghdr *h = (void *)buf;
    if (n >= (int)sizeof *h && h->nlmsg_type == NLMSG_ERROR)
      r = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
  } else {
    r = -errno;
  }
  verdict(r == 0, "NETLINK_SOCK_DIAG SOCK_DESTROY of a host socket (%s)", r ? strerror(-r) : "destroyed");
  close(s);
  close(l);
}

static void options(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0), v = 1, x;
  struct sock_filter code[] = {{BPF_RET | BPF_K, 0, 0, 0xffff}};
  struct sock_fprog prog = {1, code};
  x = setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
  verdict(x == 0, "SO_ATTACH_FILTER, its program a pointer (%s)", x ? strerror(errno) : "attached");
  v = 42;
  x = setsockopt(s, SOL_SOCKET, SO_MARK, &v, sizeof v);
  verdict(x == 0, "SO_MARK (%s)", x ? strerror(errno) : "set");
  v = 1;
  x = setsockopt(s, SOL_IP, IP_TRANSPARENT, &v, sizeof v);
  verdict(x == 0, "IP_TRANSPARENT (%s)", x ? strerror(errno) : "set");
  x = setsockopt(s, SOL_TCP, TCP_REPAIR, &v, sizeof v);
  verdict(x == 0, "TCP_REPAIR (%s)", x ? strerror(errno) : "set");
  x = setsockopt(s, SOL_TCP, TCP_ULP, "tls", 3);
  verdict(x == 0, "TCP_ULP tls (%s)", x ? strerror(errno) : "set");
  char zc[64] = {0};
  socklen_t zl = sizeof zc;
  *(uint64_t *)zc = (uint64_t)(uintptr_t)zc;   /* an address the host would map at */
  x = getsockopt(s, SOL_TCP, 35 /* TCP_ZEROCOPY_RECEIVE */, zc, &zl);
  verdict(x == 0 || errno != EPERM, "TCP_ZEROCOPY_RECEIVE (%s)", x ? strerror(errno) : "done");
  /* the host's iptables are not the guest's to read or replace: any
   * answer but ENOPROTOOPT (even ENOENT or EINVAL) came from the host */
  char ipt[96] = "filter";
  socklen_t il = 84;
  x = getsockopt(s, SOL_IP, 64 /* IPT_SO_GET_INFO */, ipt, &il);
  verdict(x == 0 || errno != ENOPROTOOPT, "IPT_SO_GET_INFO (%s)", x ? strerror(errno) : "read");
  x = setsockopt(s, SOL_IP, 64 /* IPT_SO_SET_REPLACE */, ipt, 1);
  verdict(x == 0 || errno != ENOPROTOOPT, "IPT_SO_SET_REPLACE (%s)", x ? strerror(errno) : "done");
  int s6 = socket(AF_INET6, SOCK_STREAM, 0);
  il = 84;
  x = getsockopt(s6, SOL_IPV6, 64 /* IP6T_SO_GET_INFO */, ipt, &il);
  verdict(x == 0 || errno != ENOPROTOOPT, "IP6T_SO_GET_INFO (%s)", x ? strerror(errno) : "read");
  il = 84;
  x = getsockopt(s, SOL_IP, 96 /* ARPT_SO_GET_INFO */, ipt, &il);
  verdict(x == 0 || errno != ENOPROTOOPT, "ARPT_SO_GET_INFO (%s)", x ? strerror(errno) : "read");
  close(s6);
  close(s);
}

/* /dev/net/tun: a TUN device in the initial namespace (the host's
 * interfaces under --net=host) is EPERM; one made in a namespace of the
 * guest's own is umk's, never the host's: made persistent, it would
 * still show in the runner's `ip -o link` afterwards. */
static void tun(void) {
  struct ifreq ifr;
  int f = open("/dev/net/tun", O_RDWR);
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "umkesc%d");
  ifr.ifr_flags = 0x0001 | 0x1000;   /* IFF_TUN | IFF_NO_PI */
  int x = ioctl(f, 0x400454ca /* TUNSETIFF */, &ifr);
  verdict(x == 0 || errno != EPERM, "TUNSETIFF in the initial namespace (%s)", x ? strerror(errno) : ifr.ifr_name);
  if (x == 0)
    ioctl(f, 0x400454cb /* TUNSETPERSIST */, 1);
  close(f);
  pid_t p = fork();
  if (p == 0) {
    if (unshare(CLONE_NEWNET))
      _exit(0);
    f = open("/dev/net/tun", O_RDWR);
    x = ioctl(f, 0x400454ca, &ifr);
    if (x == 0)
      x = ioctl(f, 0x400454cb, 1);
    printf("held?: TUNSETIFF in the guest's own namespace (%s): the runner checks the host's links\n",
           x ? strerror(errno) : "made, persistent");
    _exit(0);
  }
  waitpid(p, NULL, 0);
}

int main(void) {
  sock_destroy();   /* first: natively, netlink() takes 127.0.0.1 off lo */
  netlink();
  ioctls();
  sockets();
  options();
  tun();
  return esc_done();
}
