/* ifaddrs.c - what a program learns about interfaces: getifaddrs()
 * (glibc asks NETLINK_ROUTE for links and addresses), if_nameindex(),
 * if_nametoindex(), the SIOCGIF* ioctls (SIOCGIFCONF, SIOCGIFFLAGS,
 * SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFMTU),
 * a raw RTM_GETLINK dump, and netlink's bad requests.  Only the loopback
 * interface is printed: it is the same in every mode and natively.   */
#include "net.h"
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_packet.h>
#include <net/if.h>

static const char *flagstr(unsigned f) {
  static char b[128];
  b[0] = 0;
  if (f & IFF_UP) strcat(b, "UP,");
  if (f & IFF_LOOPBACK) strcat(b, "LOOPBACK,");
  if (f & IFF_RUNNING) strcat(b, "RUNNING,");
  if (f & IFF_BROADCAST) strcat(b, "BROADCAST,");
  if (f & IFF_MULTICAST) strcat(b, "MULTICAST,");
  if (f & 0x10000) strcat(b, "LOWER_UP,");
  return b;
}

static void ifaddrs(void) {
  struct ifaddrs *ifa, *i;
  char a[64], m[64];
  OK("getifaddrs", getifaddrs(&ifa) == 0);
  int lo_inet = 0, lo_inet6 = 0, lo_packet = 0;
  for (i = ifa; i; i = i->ifa_next) {
    if (strcmp(i->ifa_name, "lo")) continue;
    int f = i->ifa_addr ? i->ifa_addr->sa_family : -1;
    if (f == AF_INET) {
      inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, a, sizeof a);
      inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_netmask)->sin_addr, m, sizeof m);
      printf("lo inet %s mask %s flags %s\n", a, m, flagstr(i->ifa_flags));
      lo_inet++;
    } else if (f == AF_INET6) {
      inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, a, sizeof a);
      inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr, m, sizeof m);
      printf("lo inet6 %s mask %s flags %s\n", a, m, flagstr(i->ifa_flags));
      lo_inet6++;
    } else if (f == AF_PACKET) {
      struct sockaddr_ll *ll = (struct sockaddr_ll *)i->ifa_addr;
      printf("lo packet ifindex %d hatype %d halen %d flags %s\n", ll->sll_ifindex, ll->sll_hatype, ll->sll_halen,
             flagstr(i->ifa_flags));
      lo_packet++;
    }
  }
  printf("lo entries: %d inet, %d inet6, %d packet\n", lo_inet, lo_inet6, lo_packet);
  freeifaddrs(ifa);
}

static void nameindex(void) {
  struct if_nameindex *ni = if_nameindex(), *p;
  int found = 0;
  OK("if_nameindex", ni != NULL);
  for (p = ni; p && p->if_index; p++)
    if (!strcmp(p->if_name, "lo")) found = p->if_index;
  printf("if_nameindex lo: %d\n", found);
  if_freenameindex(ni);
  printf("if_nametoindex lo: %u\n", if_nametoindex("lo"));
  printf("if_nametoindex nosuch: %u\n", if_nametoindex("nosuch0"));
  char nm[IF_NAMESIZE];
  printf("if_indextoname 1: %s\n", if_indextoname(1, nm) ? nm : en(errno));
}

static void ioctls(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0), s6 = socket(AF_INET6, SOCK_DGRAM, 0);
  struct ifreq r;
  char buf[4096];
  struct ifconf ic = {.ifc_len = sizeof buf, .ifc_buf = buf};

  OK("SIOCGIFCONF", ioctl(s, SIOCGIFCONF, &ic) == 0);
  int lo = 0;
  for (int i = 0; i < ic.ifc_len / (int)sizeof(struct ifreq); i++) {
    struct ifreq *q = (struct ifreq *)buf + i;
    if (!strcmp(q->ifr_name, "lo")) {
      lo++;
      printf("SIOCGIFCONF lo %s\n", inet_ntoa(((struct sockaddr_in *)&q->ifr_addr)->sin_addr));
    }
  }
  printf("SIOCGIFCONF entries for lo: %d, length a multiple of ifreq: %d\n", lo, ic.ifc_len % (int)sizeof(struct ifreq) == 0);
  ic.ifc_buf = NULL;
  ic.ifc_len = 0;
  OK("SIOCGIFCONF size query", ioctl(s, SIOCGIFCONF, &ic) == 0 && ic.ifc_len > 0 && ic.ifc_len % sizeof(struct ifreq) == 0);
  ic.ifc_buf = buf;
  ic.ifc_len = sizeof(struct ifreq) - 1;
  OK("SIOCGIFCONF too small for one", ioctl(s, SIOCGIFCONF, &ic) == 0 && ic.ifc_len == 0);

  memset(&r, 0, sizeof r);
  strcpy(r.ifr_name, "lo");
  OK("SIOCGIFFLAGS", ioctl(s, SIOCGIFFLAGS, &r) == 0);
  printf("SIOCGIFFLAGS lo %s\n", flagstr(r.ifr_flags));
  OK("SIOCGIFADDR", ioctl(s, SIOCGIFADDR, &r) == 0);
  printf("SIOCGIFADDR lo %s\n", inet_ntoa(((struct sockaddr_in *)&r.ifr_addr)->sin_addr));
  OK("SIOCGIFNETMASK", ioctl(s, SIOCGIFNETMASK, &r) == 0);
  printf("SIOCGIFNETMASK lo %s\n", inet_ntoa(((struct sockaddr_in *)&r.ifr_netmask)->sin_addr));
  OK("SIOCGIFINDEX", ioctl(s, SIOCGIFINDEX, &r) == 0);
  printf("SIOCGIFINDEX lo %d\n", r.ifr_ifindex);
  OK("SIOCGIFMTU", ioctl(s, SIOCGIFMTU, &r) == 0);
  printf("SIOCGIFMTU lo %d\n", r.ifr_mtu);
  OK("SIOCGIFFLAGS on an IPv6 socket", ioctl(s6, SIOCGIFFLAGS, &r) == 0);
  memset(&r, 0, sizeof r);
  r.ifr_ifindex = 1;
  OK("SIOCGIFNAME", ioctl(s, SIOCGIFNAME, &r) == 0);
  printf("SIOCGIFNAME 1 %s\n", r.ifr_name);
  r.ifr_ifindex = 9999;
  ERR("SIOCGIFNAME 9999", ioctl(s, SIOCGIFNAME, &r), ENODEV);
  strcpy(r.ifr_name, "nosuch0");
  ERR("SIOCGIFFLAGS nosuch", ioctl(s, SIOCGIFFLAGS, &r), ENODEV);
  ERR("SIOCGIFINDEX nosuch", ioctl(s, SIOCGIFINDEX, &r), ENODEV);
  ERR("SIOCGIFFLAGS unmapped", ioctl(s, SIOCGIFFLAGS, (void *)8), EFAULT);
  ERR("SIOCGIFCONF unmapped", ioctl(s, SIOCGIFCONF, (void *)8), EFAULT);
  close(s);
  close(s6);
}

/* one RTM_GETLINK dump, by hand: the messages, lo's attributes, DONE */
static void rawdump(void) {
  int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK}, got;
  socklen_t gl = sizeof got;
  OK("netlink socket", s >= 0);
  OK("netlink bind", bind(s, (struct sockaddr *)&sa, sizeof sa) == 0);
  OK("netlink getsockname", getsockname(s, (struct sockaddr *)&got, &gl) == 0 && gl == sizeof got &&
     got.nl_family == AF_NETLINK && got.nl_pid != 0 && got.nl_groups == 0);
  printf("netlink SO_TYPE %d SO_PROTOCOL %d SO_DOMAIN %d\n", getint(s, SOL_SOCKET, SO_TYPE),
         getint(s, SOL_SOCKET, SO_PROTOCOL), getint(s, SOL_SOCKET, SO_DOMAIN));
  struct {
    struct nlmsghdr h;
    struct ifinfomsg i;
  } req = {{sizeof req, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 42, 0}, {.ifi_family = AF_UNSPEC}};
  struct sockaddr_nl k = {.nl_family = AF_NETLINK};
  OK("netlink sendto", sendto(s, &req, sizeof req, 0, (struct sockaddr *)&k, sizeof k) == sizeof req);
  static char buf[65536];
  int done = 0, lo = 0, msgs = 0, bad = 0;
  while (!done) {
    ssize_t peek = recv(s, NULL, 0, MSG_PEEK | MSG_TRUNC);
    struct iovec iov = {buf, sizeof buf};
    struct sockaddr_nl from;
    struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n = recvmsg(s, &mh, 0);
    if (n <= 0 || peek != n) { printf("netlink recv %zd peek %zd\n", n, peek); break; }
    if (from.nl_pid != 0 || mh.msg_namelen != sizeof from) bad++;
    for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != 42 || h->nlmsg_pid != got.nl_pid) bad++;
      if (h->nlmsg_type == NLMSG_DONE) { done = 1; printf("netlink DONE len %d flags %#x\n", h->nlmsg_len, h->nlmsg_flags); break; }
      if (h->nlmsg_type != RTM_NEWLINK) { printf("netlink type %d\n", h->nlmsg_type); done = 1; break; }
      msgs++;
      if (!(h->nlmsg_flags & NLM_F_MULTI)) bad++;
      struct ifinfomsg *ii = NLMSG_DATA(h);
      struct rtattr *ra = IFLA_RTA(ii);
      int len = IFLA_PAYLOAD(h);
      char name[32] = "";
      int mtu = 0;
      for (; RTA_OK(ra, len); ra = RTA_NEXT(ra, len)) {
        if (ra->rta_type == IFLA_IFNAME) snprintf(name, sizeof name, "%s", (char *)RTA_DATA(ra));
        if (ra->rta_type == IFLA_MTU) mtu = *(int *)RTA_DATA(ra);
      }
      if (!strcmp(name, "lo")) {
        lo++;
        printf("netlink lo index %d type %d flags %s mtu %d\n", ii->ifi_index, ii->ifi_type, flagstr(ii->ifi_flags), mtu);
      }
    }
  }
  printf("netlink lo %d, some links %d, bad headers %d\n", lo, msgs > 0, bad);

  /* a request umk (and Linux) refuse: an unknown message type */
  struct nlmsghdr bogus = {sizeof bogus, 0x7777, NLM_F_REQUEST | NLM_F_ACK, 43, 0};
  OK("netlink bogus sendto", send(s, &bogus, sizeof bogus, 0) == sizeof bogus);
  ssize_t n = recv(s, buf, sizeof buf, 0);
  struct nlmsghdr *h = (void *)buf;
  struct nlmsgerr *e = NLMSG_DATA(h);
  printf("netlink bogus answer: %s type %d error %s\n", n > 0 ? "yes" : "no", h->nlmsg_type, en(-e->error));
  ERR("netlink recv empty", recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
  ERR("netlink bind other family", bind(s, (struct sockaddr *)&(struct sockaddr_in){.sin_family = AF_INET}, sizeof(struct sockaddr_nl)), EINVAL);
  ERR("netlink bind short", bind(s, (struct sockaddr *)&sa, 4), EINVAL);
  ERR("netlink connect short", connect(s, (struct sockaddr *)&sa, 4), EINVAL);
  ERR("netlink send unmapped", send(s, (void *)8, 16, 0), EFAULT);
  ERR("netlink listen", listen(s, 1), EOPNOTSUPP);
  close(s);
}

int main(void) {
  ifaddrs();
  nameindex();
  ioctls();
  rawdump();
  return t_done();
}
